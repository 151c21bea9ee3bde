/**
 * ModifyResourceSettings for devices (DSP1042 §8.2.x): the embedded RASD is merged onto the
 * existing device, NULL meaning "unchanged" (partial merge, so a client may send only what it
 * changes). A device's identity (vdev, MAC) cannot change: that is a remove plus an add.
 */
import type { CimInstance } from '../../cim/index.js';
import { DISK_FORMATS, type DiskFormat, type DiskSpec, type NicSpec } from '../../virt/index.js';
import { badParam } from '../shared/errors.js';
import { netLimitOf } from './rasd-convert.js';
import { poolInstanceId } from '../shared/naming.js';
import { booleanOf, numberOf, stringArrayOf, stringOf } from '../shared/systems.js';

function samePath(a: string | undefined, b: string): boolean {
  return a === undefined || a === b;
}

export function mergeDisk(old: DiskSpec, inst: CimInstance, where: string): DiskSpec {
  const vdev = stringOf(inst.get('VirtualDevice'));
  if (vdev !== undefined && vdev !== old.vdev) throw badParam(`${where}: VirtualDevice cannot change (${old.vdev} → ${vdev}); remove the disk and add a new one`);
  const next: DiskSpec = { ...old };
  const address = stringOf(inst.get('Address'));
  const hr = stringArrayOf(inst.get('HostResource'))[0];
  const target = address || (hr ? (hr.startsWith('file://') ? hr.slice(7) : hr) : undefined);
  if (target && !samePath(target, old.target)) next.target = target;
  const format = stringOf(inst.get('DriverType'));
  if (format) {
    if (!DISK_FORMATS.includes(format as DiskFormat)) throw badParam(`${where}: DriverType "${format}" is not one of ${DISK_FORMATS.join(', ')}`);
    next.format = format as DiskFormat;
  }
  const ro = booleanOf(inst.get('readonly'), `${where}: readonly`);
  if (ro !== undefined) next.readOnly = ro;
  const emulated = numberOf(inst.get('EmulatedType'), `${where}: EmulatedType`);
  if (emulated !== undefined) {
    if (emulated !== 0 && emulated !== 1) throw badParam(`${where}: EmulatedType ${emulated} is not supported (0 disk, 1 CD-ROM)`);
    next.cdrom = emulated === 1;
  }
  return next;
}

export function diskChanged(a: DiskSpec, b: DiskSpec): boolean {
  return a.target !== b.target || (a.format ?? 'raw') !== (b.format ?? 'raw') || !!a.readOnly !== !!b.readOnly || !!a.cdrom !== !!b.cdrom;
}

export interface NicChange {
  next: NicSpec & { mac: string };
  /** Only the rate differs: setInterfaceRate, no re-plug of a different switch or model. */
  rateOnly: boolean;
  changed: boolean;
}

export function mergeNic(old: NicSpec & { mac: string }, inst: CimInstance, where: string): NicChange {
  const mac = stringOf(inst.get('Address'));
  if (mac !== undefined && mac.toLowerCase() !== old.mac) throw badParam(`${where}: the MAC (Address) cannot change (${old.mac} → ${mac}); remove the interface and add a new one`);
  const reservation = numberOf(inst.get('Reservation'), `${where}: Reservation`);
  if (reservation !== undefined && reservation !== 0) {
    throw badParam(`${where}: a bandwidth Reservation cannot be guaranteed by a Xen vif (it only enforces a ceiling): use Limit`);
  }
  const pool = stringOf(inst.get('PoolID'));
  const prefix = poolInstanceId('network', '');
  if (pool && !pool.startsWith(prefix)) throw badParam(`${where}: PoolID "${pool}" is not a network pool (expected ${prefix}<bridge>)`);
  const bridge = stringOf(inst.get('NetworkName')) || stringArrayOf(inst.get('Connection'))[0] || (pool && pool !== `${prefix}0` ? pool.slice(prefix.length) : undefined);
  const model = stringOf(inst.get('ResourceSubType'));
  const next: NicSpec & { mac: string } = { ...old };
  if (bridge) next.bridge = bridge;
  if (model) next.model = model;
  const limit = netLimitOf(inst, where);
  if (limit === null) delete next.rate;
  else if (limit !== undefined) next.rate = { ...(old.rate ?? {}), bytesPerSecond: limit.bytesPerSecond };
  const plugChanged = next.bridge !== old.bridge || next.model !== old.model;
  const rateChanged = (next.rate?.bytesPerSecond ?? 0) !== (old.rate?.bytesPerSecond ?? 0);
  return { next, rateOnly: !plugChanged && rateChanged, changed: plugChanged || rateChanged };
}
