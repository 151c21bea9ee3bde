/**
 * ModifyResourceSettings for devices (DSP1042 §8.2, ModifyResourceSettings): the embedded RASD is merged onto the
 * existing device, NULL meaning "unchanged" (partial merge, so a client may send only what it
 * changes). A device's identity (vdev, MAC) cannot change: that is a remove plus an add.
 */
import type { CimInstance } from '../../cim/index.js';
import type { DiskSpec, NicSpec } from '../../virt/index.js';
import { badParam } from '../shared/errors.js';
import { poolInstanceId } from '../shared/naming.js';
import { readBoolean, readNumber, readString } from '../shared/params.js';
import { bridgeOf, checkNoBandwidthReservation, diskFormatOf, hostPath, netLimitOf } from './rasd-convert.js';

export function mergeDisk(old: DiskSpec, inst: CimInstance, where: string): DiskSpec {
  const vdev = readString(inst, 'VirtualDevice', where);
  if (vdev !== undefined && vdev !== old.vdev) throw badParam(`${where}: VirtualDevice cannot change (${old.vdev} → ${vdev}); remove the disk and add a new one`);
  const next: DiskSpec = { ...old };
  const target = hostPath(inst, where);
  if (target && target !== old.target) next.target = target;
  const format = diskFormatOf(inst, where);
  if (format) next.format = format;
  const ro = readBoolean(inst, 'readonly', where);
  if (ro !== undefined) next.readOnly = ro;
  const emulated = readNumber(inst, 'EmulatedType', where);
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
  const mac = readString(inst, 'Address', where);
  if (mac !== undefined && mac.toLowerCase() !== old.mac) throw badParam(`${where}: the MAC (Address) cannot change (${old.mac} → ${mac}); remove the interface and add a new one`);
  checkNoBandwidthReservation(inst, where);
  const pool = readString(inst, 'PoolID', where);
  const prefix = poolInstanceId('network', '');
  if (pool && !pool.startsWith(prefix)) throw badParam(`${where}: PoolID "${pool}" is not a network pool (expected ${prefix}<bridge>)`);
  const bridge = bridgeOf(inst, where, pool ? pool.slice(prefix.length) : undefined);
  const model = readString(inst, 'ResourceSubType', where);
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
