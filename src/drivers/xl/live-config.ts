/**
 * xl's live configuration (`xl list -l`) ↔ the model's VirtualSystemConfig.
 * Used to adopt domains we did not define and to fold live changes into a stored definition.
 */
import { randomBytes } from 'node:crypto';
import type { DiskFormat, DiskSpec, NicSpec, VirtualSystemConfig } from '../../virt/types.js';
import type { XlDomainConfig } from './parse/list-long.js';
import type { ListRow } from './parse/list.js';
import { rateFromXl } from './rate.js';
import type { RunningSettings } from './definition-types.js';

/** Xen's OUI with the locally-administered-free first byte < 0x80, as xl generates them. */
export function generateMac(): string {
  const b = randomBytes(3);
  b[0] = b[0]! & 0x7f;
  return ['00', '16', '3e', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

function disksFrom(cfg: XlDomainConfig): DiskSpec[] {
  return cfg.disks
    .filter((d) => d.format !== 'empty' && d.vdev !== '')
    .map((d) => ({ target: d.target, vdev: d.vdev, format: d.format as DiskFormat, readOnly: d.readOnly, cdrom: d.cdrom }));
}

function nicsFrom(cfg: XlDomainConfig): (NicSpec & { mac: string })[] {
  return cfg.nics.map((n) => {
    const nic: NicSpec & { mac: string } = { mac: (n.mac ?? generateMac()).toLowerCase(), bridge: n.bridge ?? 'xenbr0' };
    if (n.ip !== undefined) nic.ip = n.ip;
    if (n.model !== undefined) nic.model = n.model;
    if (n.rateBytesPerInterval !== undefined) nic.rate = rateFromXl(n.rateBytesPerInterval, n.rateIntervalUs ?? 50_000);
    return nic;
  });
}

/** Memory the guest was given (MiB); HVM target_memkb already includes video RAM. */
function memoryOf(cfg: XlDomainConfig, row: ListRow): number {
  return cfg.targetMemKiB !== undefined ? Math.round(cfg.targetMemKiB / 1024) : row.memMiB;
}

/** A definition for a domain we did not define (reconcile's adoption). */
export function configFromLive(cfg: XlDomainConfig, row: ListRow, uuid: string): VirtualSystemConfig {
  const memoryMiB = memoryOf(cfg, row);
  const vcpus = cfg.onlineVcpus ?? row.vcpus ?? 1;
  const boot: VirtualSystemConfig['boot'] = {};
  if (cfg.kernel) boot.kernel = cfg.kernel;
  if (cfg.ramdisk) boot.ramdisk = cfg.ramdisk;
  if (cfg.cmdline) boot.cmdline = cfg.cmdline;
  if (cfg.bootloader) boot.bootloader = cfg.bootloader;
  return {
    name: cfg.name,
    uuid,
    type: cfg.type,
    memoryMiB,
    maxMemoryMiB: Math.max(memoryMiB, cfg.maxMemKiB !== undefined ? Math.round(cfg.maxMemKiB / 1024) : memoryMiB),
    vcpus: Math.max(1, vcpus),
    maxVcpus: Math.max(1, vcpus, cfg.maxVcpus ?? vcpus),
    cpuWeight: cfg.weight,
    cpuCap: cfg.cap,
    boot,
    disks: disksFrom(cfg),
    nics: nicsFrom(cfg),
    onPoweroff: cfg.onPoweroff,
    onReboot: cfg.onReboot,
    onCrash: cfg.onCrash,
    priority: 0,
    autostart: false,
    memoryReservationMiB: memoryMiB,
    cpuReservationPercent: 0,
  };
}

/** The settings a domain runs with, as xl reports them (`xl list -l`). */
export function liveSettings(cfg: XlDomainConfig, row: ListRow, stored: VirtualSystemConfig): RunningSettings {
  return {
    memoryMiB: memoryOf(cfg, row),
    maxMemoryMiB: cfg.maxMemKiB !== undefined ? Math.round(cfg.maxMemKiB / 1024) : stored.maxMemoryMiB,
    cpuWeight: cfg.weight,
    cpuCap: cfg.cap,
  };
}

/** What `xl list -v` shows live folded into a stored definition: the online vCPUs. */
export function foldRow(stored: VirtualSystemConfig, row: ListRow): VirtualSystemConfig {
  const vcpus = row.vcpus;
  if (!Number.isInteger(vcpus) || vcpus <= 0 || vcpus === stored.vcpus) return stored;
  return { ...stored, vcpus, maxVcpus: Math.max(stored.maxVcpus, vcpus) };
}

/**
 * The stored definition with what xl reports live folded in (changes made by someone else,
 * e.g. `xl mem-set` by an admin, show up; our own changes are already stored).
 */
export function foldLive(stored: VirtualSystemConfig, cfg: XlDomainConfig | undefined, row: ListRow, known?: RunningSettings): VirtualSystemConfig {
  if (!cfg) return stored;
  const live = liveSettings(cfg, row, stored);
  // With a record of what the domain ran with, only what changed since (behind our back) is folded:
  // a definition-only change waiting for the next start is kept.
  const pick = <K extends keyof RunningSettings>(k: K): number => (!known || live[k] !== known[k] ? live[k] : stored[k]);
  const memoryMiB = pick('memoryMiB');
  const vcpus = cfg.onlineVcpus ?? row.vcpus;
  const storedNics = new Map(stored.nics.map((n) => [n.mac, n]));
  return {
    ...stored,
    memoryMiB,
    maxMemoryMiB: Math.max(pick('maxMemoryMiB'), memoryMiB),
    vcpus: vcpus > 0 ? vcpus : stored.vcpus,
    maxVcpus: Math.max(cfg.maxVcpus ?? stored.maxVcpus, vcpus),
    cpuWeight: pick('cpuWeight'),
    cpuCap: pick('cpuCap'),
    disks: disksFrom(cfg),
    // Keep stored attributes xl may not echo back (e.g. model on PV) for interfaces it still has,
    // and their rate: we change it live through netback's xenstore key (devices.ts), which
    // libxl's record of the domain never sees, so xl still shows the rate the vif was plugged with.
    nics: nicsFrom(cfg).map((n) => {
      const s = storedNics.get(n.mac);
      if (s?.model !== undefined && n.model === undefined) n.model = s.model;
      if (s) {
        if (s.rate) n.rate = s.rate;
        else delete n.rate;
      }
      return n;
    }),
  };
}
