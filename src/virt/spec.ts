/**
 * Semantic checks and defaults for a virtual system definition (hypervisor-neutral).
 * Character-level safety of each value is the driver's job (it knows its tool's syntax).
 */
import { VirtError } from './errors.js';
import {
  DISK_FORMATS, LIFECYCLE_ACTIONS, SYSTEM_TYPES,
  type DiskFormat, type DiskSpec, type NicSpec, type SystemPatch, type VirtualSystem, type VirtualSystemConfig, type VirtualSystemSpec,
} from './types.js';

export const LIMITS = {
  nameMaxLength: 64,
  memoryMinMiB: 16,
  memoryMaxMiB: 16 * 1024 * 1024,
  vcpusMax: 512,
  weightMin: 1,
  weightMax: 65535,
  defaultWeight: 256,
} as const;

function bad(msg: string): never {
  throw new VirtError('invalid_argument', msg);
}

function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    bad(`${what} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) bad(`${what} must be one of ${allowed.join(', ')} (got ${String(value)})`);
  return value as T;
}

/**
 * The hypervisor-neutral rules for a system name (define and rename): 1 to LIMITS.nameMaxLength
 * characters, not all digits. The driver adds its tool's character rules (no shell or path
 * characters for xl) and uniqueness.
 */
export function checkSystemName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > LIMITS.nameMaxLength) {
    bad(`name must be 1 to ${LIMITS.nameMaxLength} characters`);
  }
  // An all-digit name would be taken for a numeric handle (a domain id) by the hypervisor's tools.
  if (/^[0-9]+$/.test(name)) bad(`name '${name}' must not be all digits`);
  return name;
}

/** Fill defaults and check consistency. MACs are left as given (the driver generates missing ones). */
export function normalizeSpec(spec: VirtualSystemSpec): Omit<VirtualSystemConfig, 'nics' | 'uuid'> & { uuid?: string; nics: NicSpec[] } {
  if (!spec || typeof spec !== 'object') bad('a system definition is required');
  checkSystemName(spec.name);
  const type = oneOf(spec.type, SYSTEM_TYPES, 'type');
  const memoryMiB = int(spec.memoryMiB, 'memoryMiB', LIMITS.memoryMinMiB, LIMITS.memoryMaxMiB);
  const maxMemoryMiB = int(spec.maxMemoryMiB ?? memoryMiB, 'maxMemoryMiB', LIMITS.memoryMinMiB, LIMITS.memoryMaxMiB);
  if (maxMemoryMiB < memoryMiB) bad(`maxMemoryMiB (${maxMemoryMiB}) must not be below memoryMiB (${memoryMiB})`);
  const vcpus = int(spec.vcpus, 'vcpus', 1, LIMITS.vcpusMax);
  const maxVcpus = int(spec.maxVcpus ?? vcpus, 'maxVcpus', 1, LIMITS.vcpusMax);
  if (maxVcpus < vcpus) bad(`maxVcpus (${maxVcpus}) must not be below vcpus (${vcpus})`);
  const cpuWeight = int(spec.cpuWeight ?? LIMITS.defaultWeight, 'cpuWeight', LIMITS.weightMin, LIMITS.weightMax);
  const cpuCap = int(spec.cpuCap ?? 0, 'cpuCap', 0, 100 * maxVcpus);
  const memoryReservationMiB = int(spec.memoryReservationMiB ?? memoryMiB, 'memoryReservationMiB', 0, maxMemoryMiB);
  const cpuReservationPercent = int(spec.cpuReservationPercent ?? 0, 'cpuReservationPercent', 0, 100 * maxVcpus);
  if (cpuCap > 0 && cpuReservationPercent > cpuCap) bad(`cpuReservationPercent (${cpuReservationPercent}) exceeds cpuCap (${cpuCap})`);
  const disks = (spec.disks ?? []).map((d) => normalizeDisk(d));
  const vdevs = new Set<string>();
  for (const d of disks) {
    if (vdevs.has(d.vdev)) bad(`disk device ${d.vdev} is used twice`);
    vdevs.add(d.vdev);
  }
  const nics = (spec.nics ?? []).map((n) => normalizeNic(n));
  const macs = new Set<string>();
  for (const n of nics) {
    if (n.mac === undefined) continue;
    if (macs.has(n.mac)) bad(`MAC ${n.mac} is used twice`);
    macs.add(n.mac);
  }
  const out = {
    name: spec.name,
    type,
    memoryMiB,
    maxMemoryMiB,
    vcpus,
    maxVcpus,
    cpuWeight,
    cpuCap,
    boot: { ...(spec.boot ?? {}) },
    disks,
    nics,
    onPoweroff: oneOf(spec.onPoweroff ?? 'destroy', LIFECYCLE_ACTIONS, 'onPoweroff'),
    onReboot: oneOf(spec.onReboot ?? 'restart', LIFECYCLE_ACTIONS, 'onReboot'),
    onCrash: oneOf(spec.onCrash ?? 'destroy', LIFECYCLE_ACTIONS, 'onCrash'),
    priority: int(spec.priority ?? 0, 'priority', -1000, 1000),
    autostart: !!spec.autostart,
    memoryReservationMiB,
    cpuReservationPercent,
  };
  return spec.uuid === undefined ? out : { ...out, uuid: spec.uuid.toLowerCase() };
}

/** A disk with its defaults (raw, writable unless read-only or a CD-ROM). */
export function normalizeDisk(d: DiskSpec): Required<Omit<DiskSpec, 'format'>> & { format: DiskFormat } {
  if (!d || typeof d !== 'object') bad('a disk needs its target and guest device');
  if (typeof d.target !== 'string' || d.target === '') bad('a disk needs a target (a host path)');
  if (typeof d.vdev !== 'string' || d.vdev === '') bad('a disk needs a guest device name (vdev)');
  return {
    target: d.target,
    vdev: d.vdev,
    format: d.format === undefined ? 'raw' : oneOf(d.format, DISK_FORMATS, 'disk format'),
    readOnly: !!d.readOnly || !!d.cdrom,
    cdrom: !!d.cdrom,
  };
}

/** The usual credit interval of a rate limit (xl's default): 50 ms. */
export const DEFAULT_RATE_INTERVAL_US = 50_000;

/**
 * The interval of a rate limit, giving at least one byte of credit per interval (with none,
 * nothing passes once the first burst is spent): without one of its own, a slow rate (under 20
 * bytes/s) gets the shortest interval that holds one byte; one given too short is refused.
 */
export function rateInterval(bytesPerSecond: number, given?: number): number {
  const us = given ?? Math.max(DEFAULT_RATE_INTERVAL_US, Math.ceil(1e6 / bytesPerSecond));
  if (Math.floor((bytesPerSecond * us) / 1e6) < 1) bad(`a rate of ${bytesPerSecond} bytes/s gives no credit in ${us} µs; use a longer interval`);
  return us;
}

export function normalizeNic(n: NicSpec): NicSpec {
  if (!n || typeof n.bridge !== 'string' || n.bridge === '') bad('a network interface needs a bridge');
  const out: NicSpec = { bridge: n.bridge };
  if (n.mac !== undefined) out.mac = String(n.mac).toLowerCase();
  if (n.model !== undefined) out.model = n.model;
  if (n.ip !== undefined) out.ip = n.ip;
  if (n.rate) {
    const bytesPerSecond = int(n.rate.bytesPerSecond, 'rate bytesPerSecond', 1, 1e12);
    const given = n.rate.intervalUs === undefined ? undefined : int(n.rate.intervalUs, 'rate intervalUs', 1, 4_294_967_295);
    out.rate = { bytesPerSecond, intervalUs: rateInterval(bytesPerSecond, given) };
  }
  return out;
}

/** Apply a patch to a config, re-checking every rule. */
export function applyPatch(config: VirtualSystemConfig, patch: SystemPatch): VirtualSystemConfig {
  const merged: VirtualSystemSpec = { ...config, ...stripUndefined(patch) };
  // Keep the reservation following memory unless it was set apart from it.
  if (patch.memoryMiB !== undefined && patch.memoryReservationMiB === undefined && config.memoryReservationMiB === config.memoryMiB) {
    merged.memoryReservationMiB = patch.memoryMiB;
  }
  if (patch.memoryMiB !== undefined && patch.maxMemoryMiB === undefined && patch.memoryMiB > config.maxMemoryMiB) {
    bad(`memoryMiB (${patch.memoryMiB}) exceeds maxMemoryMiB (${config.maxMemoryMiB})`);
  }
  if (patch.vcpus !== undefined && patch.vcpus > (patch.maxVcpus ?? config.maxVcpus)) {
    bad(`vcpus (${patch.vcpus}) exceeds maxVcpus (${patch.maxVcpus ?? config.maxVcpus})`);
  }
  const n = normalizeSpec(merged);
  return { ...n, uuid: config.uuid, nics: config.nics };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A MAC is one interface's on the host: two guests with one MAC break both on the same network.
 * Throws conflict, naming the system that has it, for a MAC of `wanted` that another system uses.
 */
export function checkMacsFree(systems: readonly VirtualSystem[], wanted: readonly { system: string; mac: string }[]): void {
  for (const w of wanted) {
    const owner = macOwner(systems, w.mac, w.system);
    if (owner) throw new VirtError('conflict', `MAC ${w.mac.toLowerCase()} is already used by '${owner.name}'`);
  }
}

/** The system other than `except` that has an interface with this MAC, if any. */
export function macOwner(systems: readonly VirtualSystem[], mac: string, except: string): VirtualSystem | undefined {
  const m = mac.toLowerCase();
  return systems.find((s) => s.name !== except && s.config.nics.some((n) => n.mac?.toLowerCase() === m));
}
