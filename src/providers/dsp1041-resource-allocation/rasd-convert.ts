/**
 * RASD ⇄ virt device specs (DSP1041 §7, DSP1057 §7.3). An input RASD is classified by
 * ResourceType AND by class name (libvirt-cim read only the class name, so generic clients
 * sending CIM_ResourceAllocationSettingData failed): either suffices, both must agree. xs-cim
 * style names (Xen_ProcessorSettingData, Xen_MemorySettingData...) are understood. Only
 * properties a client gave (non-NULL) are read: a NULL property means "unchanged/default".
 */
import type { CimInstance } from '../../cim/index.js';
import {
  DISK_FORMATS, type DiskFormat, type DiskSpec, type NicSpec, type SystemPatch, type VirtualSystem,
} from '../../virt/index.js';
import type { Values } from '../shared/build.js';
import { badParam } from '../shared/errors.js';
import {
  MEM_DEVID, PROC_DEVID, type ResourceKind, type SettingsRole, poolInstanceId, rasdId,
} from '../shared/naming.js';
import { readBoolean, readNumber, readString, readStrings } from '../shared/params.js';
import {
  COUNT_UNITS, MEMORY_UNITS, NETWORK_UNITS, PROCESSOR_UNITS, checkProcessorUnits, memoryOut, toBytesPerSecond, toMiB,
} from './rasd-units.js';

export type RasdKind = ResourceKind;
export const RASD_KINDS: readonly RasdKind[] = ['processor', 'memory', 'disk', 'network'];

/** CIM_ResourceAllocationSettingData.ResourceType values we serve (DSP1041). */
export const RESOURCE_TYPE = { processor: 3, memory: 4, network: 10, disk: 17 } as const;

/** DSP1041 ResourceType values we accept per kind (15/16 CD/DVD drives are read-only disks). */
const KIND_OF_TYPE: ReadonlyMap<number, RasdKind> = new Map<number, RasdKind>([
  [3, 'processor'], [4, 'memory'],
  [10, 'network'], [11, 'network'], [33, 'network'],
  [15, 'disk'], [16, 'disk'], [17, 'disk'], [19, 'disk'], [20, 'disk'], [31, 'disk'], [32, 'disk'],
]);

function kindOfClassName(className: string): RasdKind | 'unsupported' | undefined {
  const c = className.toLowerCase().replace(/^[a-z0-9]+_/, '');
  if (/pool/.test(c)) return 'unsupported';
  if (/^proc/.test(c)) return 'processor';
  if (/^mem/.test(c)) return 'memory';
  if (/^(disk|storage|drive|cdrom|logicaldisk)/.test(c)) return 'disk';
  if (/^(net|ethernet|nic)/.test(c)) return 'network';
  if (/^(graphics|input|console|character|controller|serial)/.test(c)) return 'unsupported';
  return undefined;
}

export interface Classified {
  kind: RasdKind;
  /** ResourceType 15/16 asked for a CD/DVD drive. */
  cdrom: boolean;
}

/**
 * The kind of resource an input RASD describes. `fallback` (the kind of the existing RASD its
 * InstanceID names) is used when neither ResourceType nor the class name tells.
 */
export function classifyRasd(inst: CimInstance, where: string, fallback?: RasdKind): Classified {
  const rt = readNumber(inst, 'ResourceType', where);
  const byType = rt === undefined ? undefined : KIND_OF_TYPE.get(rt);
  if (rt !== undefined && !byType) {
    throw badParam(`${where}: ResourceType ${rt} is not supported (3 processor, 4 memory, 10 network adapter, 17 disk, 15/16 CD/DVD)`);
  }
  const byClass = kindOfClassName(inst.className);
  if (byClass === 'unsupported') throw badParam(`${where}: ${inst.className} resources are not supported`);
  if (byType && byClass && byType !== byClass) {
    throw badParam(`${where}: class ${inst.className} (a ${byClass} setting) contradicts ResourceType ${rt} (${byType})`);
  }
  const kind = byType ?? byClass ?? fallback;
  if (fallback && kind !== fallback) throw badParam(`${where}: a ${kind} setting cannot change the ${fallback} setting its InstanceID names`);
  if (!kind) throw badParam(`${where}: cannot tell what resource ${inst.className} describes: set ResourceType`);
  return { kind, cdrom: rt === 15 || rt === 16 };
}

// ------------------------------------------------------------------ virt → RASD values

/**
 * The properties every RASD of ours has. Added to the literal rather than spread into it: a
 * spread followed by more properties costs V8 microseconds per object (dictionary-mode objects),
 * which at 1,000 systems and four RASDs each was a fifth of an enumeration.
 */
function withCommon(v: Values): Values {
  v.ConsumerVisibility = 3;
  v.AutomaticAllocation = true;
  v.AutomaticDeallocation = true;
  return v;
}

/**
 * Processor RASD. `role` 'current' (state RASD, only for a system with a domain: sys.live) shows
 * what the running domain has: online vCPUs and its live weight and cap.
 */
export function procRasdValues(sys: VirtualSystem, role: SettingsRole = 'defined'): Values {
  const c = sys.config;
  const live = role === 'current' ? sys.live : undefined;
  return withCommon({
    InstanceID: rasdId(sys.name, PROC_DEVID, role),
    ElementName: PROC_DEVID,
    ResourceType: RESOURCE_TYPE.processor,
    PoolID: poolInstanceId('processor', '0'),
    VirtualQuantity: live ? live.onlineVcpus : c.vcpus,
    VirtualQuantityUnits: COUNT_UNITS,
    AllocationUnits: PROCESSOR_UNITS,
    Reservation: c.cpuReservationPercent,
    // 0 = no cap (Xen credit scheduler semantics).
    Limit: live ? live.cpuCap : c.cpuCap,
    Weight: live ? live.cpuWeight : c.cpuWeight,
  });
}

/**
 * Memory RASD. The state RASD shows running figures only: the domain's balloon target and the
 * maximum it booted with, and of the reservation what that domain can use (at most its maximum):
 * a larger reservation defined for the next start is the defined RASD's business.
 */
export function memRasdValues(sys: VirtualSystem, role: SettingsRole = 'defined'): Values {
  const c = sys.config;
  const live = role === 'current' ? sys.live : undefined;
  return withCommon({
    InstanceID: rasdId(sys.name, MEM_DEVID, role),
    ElementName: MEM_DEVID,
    ResourceType: RESOURCE_TYPE.memory,
    PoolID: poolInstanceId('memory', '0'),
    VirtualQuantity: memoryOut(live ? live.targetMemoryMiB : c.memoryMiB),
    VirtualQuantityUnits: MEMORY_UNITS,
    AllocationUnits: MEMORY_UNITS,
    Reservation: memoryOut(live ? Math.min(c.memoryReservationMiB, live.maxMemoryMiB) : c.memoryReservationMiB),
    Limit: memoryOut(live ? live.maxMemoryMiB : c.maxMemoryMiB),
  });
}

function busOf(vdev: string): string {
  if (vdev.startsWith('hd')) return 'ide';
  if (vdev.startsWith('sd')) return 'scsi';
  return 'xen';
}

/** Disk RASD (devices are hot-plugged, so the running domain has exactly the defined disks). */
export function diskRasdValues(sys: VirtualSystem, d: DiskSpec, role: SettingsRole = 'defined'): Values {
  return withCommon({
    InstanceID: rasdId(sys.name, d.vdev, role),
    ElementName: d.vdev,
    ResourceType: RESOURCE_TYPE.disk,
    PoolID: poolInstanceId('disk', '0'),
    VirtualDevice: d.vdev,
    // libvirt-cim puts the backing path in Address; HostResource carries it as a URI (DSP1041).
    Address: d.target,
    HostResource: [`file://${d.target}`],
    EmulatedType: d.cdrom ? 1 : 0,
    BusType: busOf(d.vdev),
    readonly: !!d.readOnly,
    DriverType: d.format ?? 'raw',
  });
}

/** Network RASD (interfaces and their rates change live, so the running domain has the defined ones). */
export function netRasdValues(sys: VirtualSystem, n: NicSpec & { mac: string }, role: SettingsRole = 'defined'): Values {
  return withCommon({
    InstanceID: rasdId(sys.name, n.mac, role),
    ElementName: n.mac,
    ResourceType: RESOURCE_TYPE.network,
    PoolID: poolInstanceId('network', n.bridge),
    Address: n.mac,
    NetworkType: 'bridge',
    NetworkName: n.bridge,
    Connection: [n.bridge],
    ResourceSubType: n.model,
    AllocationUnits: n.rate ? NETWORK_UNITS : undefined,
    // Xen enforces a ceiling only (vif rate=): Limit; no Reservation is claimed.
    Limit: n.rate ? n.rate.bytesPerSecond * 8 : undefined,
  });
}


// ------------------------------------------------------------------ RASD → virt

function checkPool(inst: CimInstance, kind: RasdKind, where: string): string | undefined {
  const pool = readString(inst, 'PoolID', where);
  if (pool === undefined || pool === '') return undefined;
  const prefix = poolInstanceId(kind, '');
  if (!pool.startsWith(prefix)) throw badParam(`${where}: PoolID "${pool}" is not a ${kind} pool (expected ${prefix}...)`);
  const name = pool.slice(prefix.length);
  // DSP1041: a RASD is allocated from the pool it names; processors, memory and disks have one each.
  if (kind !== 'network' && name !== '0') throw badParam(`${where}: PoolID "${pool}" names no pool of this host (its ${kind} pool is ${prefix}0)`);
  return name;
}

const num = readNumber;

/** Processor RASD → SystemPatch fields: vCPUs, credit-scheduler cap/weight, CPU reservation (QoS). */
export function parseProcRasd(inst: CimInstance, where: string): SystemPatch {
  checkPool(inst, 'processor', where);
  checkProcessorUnits(readString(inst, 'AllocationUnits', where));
  const out: SystemPatch = {};
  const vq = num(inst, 'VirtualQuantity', where);
  const limit = num(inst, 'Limit', where);
  const weight = num(inst, 'Weight', where);
  const reservation = num(inst, 'Reservation', where);
  if (vq !== undefined) out.vcpus = vq;
  if (limit !== undefined) out.cpuCap = limit;
  if (weight !== undefined) out.cpuWeight = weight;
  if (reservation !== undefined) out.cpuReservationPercent = reservation;
  return out;
}

/** Memory RASD → SystemPatch fields (MiB): VirtualQuantity, Limit = maximum, Reservation (admission). */
export function parseMemRasd(inst: CimInstance, where: string): SystemPatch {
  checkPool(inst, 'memory', where);
  const alloc = readString(inst, 'AllocationUnits', where) || undefined;
  let vqUnits = readString(inst, 'VirtualQuantityUnits', where) || undefined;
  // "count" is the class default for VirtualQuantityUnits and means nothing for memory.
  if (vqUnits !== undefined && vqUnits.trim().toLowerCase() === 'count') vqUnits = undefined;
  const out: SystemPatch = {};
  const vq = num(inst, 'VirtualQuantity', where);
  const limit = num(inst, 'Limit', where);
  const reservation = num(inst, 'Reservation', where);
  if (vq !== undefined) out.memoryMiB = toMiB(vq, vqUnits ?? alloc, `${where}: VirtualQuantity`);
  if (limit !== undefined && limit !== 0) out.maxMemoryMiB = toMiB(limit, alloc, `${where}: Limit`);
  if (reservation !== undefined) out.memoryReservationMiB = toMiB(reservation, alloc, `${where}: Reservation`);
  return out;
}

/** The host path of a disk image: Address, else the first HostResource (a file:// URI or a path). */
export function hostPath(inst: CimInstance, where: string): string | undefined {
  const address = readString(inst, 'Address', where);
  if (address) return address;
  const hr = readStrings(inst, 'HostResource', where)[0];
  if (!hr) return undefined;
  return hr.startsWith('file://') ? hr.slice('file://'.length) : hr;
}

/** Disk RASD → DiskSpec. VirtualDevice names it within the system; Address (or HostResource) is the host image. */
export function parseDiskRasd(inst: CimInstance, where: string, cdromType: boolean): DiskSpec {
  checkPool(inst, 'disk', where);
  const vdev = readString(inst, 'VirtualDevice', where);
  if (!vdev) throw badParam(`${where}: a disk needs VirtualDevice (the guest device name, e.g. xvda)`);
  const target = hostPath(inst, where);
  if (!target) throw badParam(`${where}: disk ${vdev} needs Address (or HostResource): the host path of its image`);
  const emulated = num(inst, 'EmulatedType', where);
  if (emulated !== undefined && emulated !== 0 && emulated !== 1) throw badParam(`${where}: EmulatedType ${emulated} is not supported (0 disk, 1 CD-ROM)`);
  const cdrom = cdromType || emulated === 1;
  const d: DiskSpec = { target, vdev };
  const format = diskFormatOf(inst, where);
  if (format) d.format = format;
  const ro = readBoolean(inst, 'readonly', where);
  if (ro !== undefined) d.readOnly = ro;
  if (cdrom) d.cdrom = true;
  return d;
}

/** DriverType: one of the image formats xl knows, or undefined when not given. */
export function diskFormatOf(inst: CimInstance, where: string): DiskFormat | undefined {
  const format = readString(inst, 'DriverType', where);
  if (!format) return undefined;
  if (!DISK_FORMATS.includes(format as DiskFormat)) throw badParam(`${where}: DriverType "${format}" is not one of ${DISK_FORMATS.join(', ')}`);
  return format as DiskFormat;
}

/** The bridge a network RASD names: NetworkName, else the first Connection, else a NetworkPool/<bridge> PoolID. */
export function bridgeOf(inst: CimInstance, where: string, poolBridge: string | undefined): string | undefined {
  return readString(inst, 'NetworkName', where) || readStrings(inst, 'Connection', where)[0] || (poolBridge && poolBridge !== '0' ? poolBridge : undefined);
}

/** Network RASD → NicSpec: Address = MAC, the switch from NetworkName, Connection or PoolID, Limit = vif rate. */
export function parseNetRasd(inst: CimInstance, where: string): NicSpec {
  const poolBridge = checkPool(inst, 'network', where);
  const type = readString(inst, 'NetworkType', where);
  if (type && !['bridge', 'network'].includes(type.toLowerCase())) {
    throw badParam(`${where}: NetworkType "${type}" is not supported (bridge)`);
  }
  const bridge = bridgeOf(inst, where, poolBridge);
  if (!bridge) throw badParam(`${where}: a network interface needs NetworkName (the bridge), Connection or a NetworkPool/<bridge> PoolID`);
  const nic: NicSpec = { bridge };
  const mac = readString(inst, 'Address', where);
  if (mac) nic.mac = mac.toLowerCase();
  const model = readString(inst, 'ResourceSubType', where);
  if (model) nic.model = model;
  checkNoBandwidthReservation(inst, where);
  const limit = netLimitOf(inst, where);
  if (limit) nic.rate = limit;
  return nic;
}

/** Xen enforces a vif ceiling only: a non-zero bandwidth Reservation cannot be honoured. */
export function checkNoBandwidthReservation(inst: CimInstance, where: string): void {
  const reservation = num(inst, 'Reservation', where);
  if (reservation !== undefined && reservation !== 0) {
    throw badParam(`${where}: a bandwidth Reservation cannot be guaranteed by a Xen vif (it only enforces a ceiling): use Limit`);
  }
}

/** Limit as given on a network RASD: undefined = not given, null = 0 (remove the limit), else the rate. */
export function netLimitOf(inst: CimInstance, where: string): { bytesPerSecond: number } | null | undefined {
  const limit = num(inst, 'Limit', where);
  if (limit === undefined) return undefined;
  if (limit === 0) return null;
  return { bytesPerSecond: toBytesPerSecond(limit, readString(inst, 'AllocationUnits', where) || undefined, `${where}: Limit`) };
}
