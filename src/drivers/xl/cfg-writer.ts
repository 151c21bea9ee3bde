/**
 * xl.cfg writer (the xl.cfg(5) format). Every value is validated before it is written; strings are
 * double-quoted (validation guarantees they hold no quote, backslash or newline) and disk/vif specs
 * single-quoted. Actions are written with hyphens (cfg syntax) although JSON uses underscores.
 */
import { VirtError } from '../../virt/errors.js';
import type { DiskSpec, LifecycleAction, NicSpec, VirtualSystemConfig } from '../../virt/types.js';
import { formatRate } from './rate.js';
import {
  validBridge, validCmdline, validInt, validIpList, validMac, validModel, validName, validPath, validUuid, validVdev,
} from './validate.js';

const q = (s: string): string => `"${s}"`;

export function cfgAction(a: LifecycleAction): string {
  return a.replace(/_/g, '-');
}

/** One disk spec string; `target=` must come last because it swallows the rest (xl-disk-configuration(5)). */
export function diskSpec(d: DiskSpec): string {
  const parts = [`format=${d.format ?? 'raw'}`, `vdev=${validVdev(d.vdev)}`, `access=${d.readOnly || d.cdrom ? 'ro' : 'rw'}`];
  if (d.cdrom) parts.push('devtype=cdrom');
  parts.push(`target=${validPath(d.target, 'disk target')}`);
  return parts.join(', ');
}

/** The key=value items of a vif spec (also the arguments of `xl network-attach`). */
export function vifItems(n: NicSpec): string[] {
  const items: string[] = [];
  if (n.mac !== undefined) items.push(`mac=${validMac(n.mac)}`);
  items.push(`bridge=${validBridge(n.bridge)}`);
  if (n.ip !== undefined) items.push(`ip=${validIpList(n.ip)}`);
  if (n.model !== undefined) items.push(`model=${validModel(n.model)}`);
  if (n.rate) items.push(`rate=${formatRate(n.rate)}`);
  return items;
}

export function vifSpec(n: NicSpec): string {
  return vifItems(n).join(', ');
}

export function writeCfg(c: VirtualSystemConfig): string {
  if (c.boot.cmdline !== undefined) validCmdline(c.boot.cmdline, c.type === 'pv');
  const lines: string[] = [
    '# written by xen-wbem; edits are overwritten at the next start',
    `name = ${q(validName(c.name))}`,
    `type = ${q(c.type)}`,
    `uuid = ${q(validUuid(c.uuid))}`,
    `memory = ${validInt(c.memoryMiB, 'memory', 1, 16 * 1024 * 1024)}`,
    `maxmem = ${validInt(c.maxMemoryMiB, 'maxmem', 1, 16 * 1024 * 1024)}`,
    `vcpus = ${validInt(c.vcpus, 'vcpus', 1, 512)}`,
    `maxvcpus = ${validInt(c.maxVcpus, 'maxvcpus', 1, 512)}`,
    `cpu_weight = ${validInt(c.cpuWeight, 'cpu weight', 1, 65535)}`,
    `cap = ${validInt(c.cpuCap, 'cap', 0, 100 * c.maxVcpus)}`,
  ];
  if (c.boot.kernel !== undefined) lines.push(`kernel = ${q(validPath(c.boot.kernel, 'kernel'))}`);
  if (c.boot.ramdisk !== undefined) lines.push(`ramdisk = ${q(validPath(c.boot.ramdisk, 'ramdisk'))}`);
  if (c.boot.cmdline !== undefined) lines.push(`cmdline = ${q(c.boot.cmdline)}`);
  if (c.boot.bootloader !== undefined) lines.push(`bootloader = ${q(validPath(c.boot.bootloader, 'bootloader'))}`);
  lines.push(
    `on_poweroff = ${q(cfgAction(c.onPoweroff))}`,
    `on_reboot = ${q(cfgAction(c.onReboot))}`,
    `on_crash = ${q(cfgAction(c.onCrash))}`,
  );
  if (c.disks.length) lines.push(`disk = [ ${c.disks.map((d) => `'${diskSpec(d)}'`).join(',\n         ')} ]`);
  if (c.nics.length) lines.push(`vif = [ ${c.nics.map((n) => `'${vifSpec(n)}'`).join(',\n        ')} ]`);
  const text = lines.join('\n') + '\n';
  // Belt and braces: validated values cannot produce these, but a cfg must never carry them.
  if (/[\0\r]/.test(text)) throw new VirtError('invalid_argument', 'refusing to write a cfg with control characters');
  return text;
}
