/**
 * RASD units (DSP1041 §7; DSP0004 Annex C programmatic units), parsed tolerantly because clients
 * send everything from `byte*2^20` to libvirt-cim's `KiloBytes`.
 * What we emit: memory `byte*2^10` (KiB: the numbers libvirt-cim's scripts read; docs/units.md),
 * processor Reservation/Limit `percent` (of one physical CPU, as Xen's credit scheduler counts
 * cap), network Limit `bit/second`.
 */
import { badParam } from '../shared/errors.js';

export const MEMORY_UNITS = 'byte*2^10';
export const PROCESSOR_UNITS = 'percent';
export const COUNT_UNITS = 'count';
export const NETWORK_UNITS = 'bit/second';

const MIB = 2 ** 20;

/** A model figure in MiB as served, in MEMORY_UNITS (KiB). */
export function memoryOut(mib: number): number {
  return mib * 1024;
}

/** `*2^n`, `*10^n` (spaces allowed) after a base unit; returns the factor. */
function modifier(rest: string, text: string): number {
  const r = rest.replace(/\s+/g, '');
  if (r === '') return 1;
  const m = /^\*(2|10)\^(\d{1,2})$/.exec(r);
  if (!m) throw badParam(`unit "${text}" is not understood`);
  return Number(m[1]) ** Number(m[2]);
}

const LEGACY_BYTES: Readonly<Record<string, number>> = {
  b: 1, byte: 1, bytes: 1,
  kb: 1024, kib: 1024, kilobyte: 1024, kilobytes: 1024,
  mb: MIB, mib: MIB, megabyte: MIB, megabytes: MIB,
  gb: 2 ** 30, gib: 2 ** 30, gigabyte: 2 ** 30, gigabytes: 2 ** 30,
};

/** Bytes per unit of a memory unit string. */
function bytesPerUnit(text: string): number {
  const t = text.trim().toLowerCase();
  const legacy = LEGACY_BYTES[t.replace(/\s+/g, '')];
  if (legacy !== undefined) return legacy;
  const m = /^bytes?(.*)$/.exec(t);
  if (!m) throw badParam(`memory unit "${text}" is not supported (use byte*2^20, byte*2^10, byte, KiloBytes, MegaBytes or GigaBytes)`);
  return modifier(m[1]!, text);
}

/**
 * A memory quantity in whole MiB (what the model keeps), from any memory unit in any letter case.
 * `units` undefined (no AllocationUnits given) is read as MiB, as this server always read it
 * (docs/units.md).
 */
export function toMiB(value: number, units: string | undefined, what: string): number {
  const bytes = value * (units === undefined ? MIB : bytesPerUnit(units));
  const mib = bytes / MIB;
  if (!Number.isInteger(mib)) throw badParam(`${what} ${value} ${units ?? ''} is not a whole number of MiB`.replace(/\s+/g, ' '));
  return mib;
}

/** Processor Reservation/Limit: percent of one physical CPU; count-like units are read the same way (libvirt-cim sent cap values unlabelled). */
export function checkProcessorUnits(units: string | undefined): void {
  if (units === undefined) return;
  const t = units.trim().toLowerCase();
  if (['percent', 'count', 'processors', 'cores', ''].includes(t)) return;
  throw badParam(`processor AllocationUnits "${units}" is not supported (Reservation and Limit are in percent of one physical CPU)`);
}

/** Bytes per second of a bandwidth value in `units` (default bit/second). */
export function toBytesPerSecond(value: number, units: string | undefined, what: string): number {
  let bitsPerUnit = 1;
  if (units !== undefined) {
    const t = units.trim().toLowerCase();
    // libvirt-cim's "KiloBytes per Second", and the common kbps/Mbps/Gbps (bits).
    const legacy: Record<string, number> = { kilobytespersecond: 8 * 1024, kbps: 1000, mbps: 1e6, gbps: 1e9 };
    const compact = t.replace(/\s+/g, '');
    if (legacy[compact] !== undefined) bitsPerUnit = legacy[compact]!;
    else {
      const m = /^(bits?|bytes?)\s*\/\s*(second|s)(.*)$/.exec(t);
      if (!m) throw badParam(`network unit "${units}" is not supported (use bit/second, optionally *10^n)`);
      bitsPerUnit = (m[1]!.startsWith('byte') ? 8 : 1) * modifier(m[3]!, units);
    }
  }
  const bytes = (value * bitsPerUnit) / 8;
  if (!Number.isInteger(bytes) || bytes < 1) throw badParam(`${what} ${value} ${units ?? 'bit/second'} is not a whole number of bytes per second`);
  return bytes;
}
