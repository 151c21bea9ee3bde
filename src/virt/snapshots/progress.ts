/**
 * How far an ApplySnapshot job has come: its steps weighed by the bytes each moves, so that
 * PercentComplete advances evenly in time whichever step dominates (a large raw disk copied back,
 * or a large memory image read back).
 */
import type { Snapshot } from './types.js';

/** What a disk put back in place (an image's own snapshot) or a boot without memory weighs, in bytes. */
const NOMINAL_BYTES = 4 * 1024 * 1024;

/**
 * The percentages an apply has reached after each step, weighed by the bytes each step moves: the
 * copies of the disks put back, and the memory image read back (about the guest's memory); stopping
 * the system and the definition are small fixed parts. The resume runs from `definition` to 99 as
 * the image is read.
 */
export function applyWeights(snap: Pick<Snapshot, 'state' | 'stateFile' | 'disks' | 'config'>): { stopped: number; disks: number; definition: number } {
  const disks = snap.disks.reduce((n, d) => n + (d.method === 'copy' ? Math.max(d.bytes, NOMINAL_BYTES) : NOMINAL_BYTES), 0);
  const memory = snap.state === 'stopped' ? 0 : snap.stateFile ? snap.config.memoryMiB * 1024 * 1024 : NOMINAL_BYTES;
  const stopped = 5;
  const span = 93;
  const diskPart = disks + memory > 0 ? (span * disks) / (disks + memory) : span;
  return { stopped, disks: stopped + diskPart, definition: stopped + diskPart + 1 };
}

/** Bytes as a reader takes them in at a glance: KiB, MiB or GiB. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${Math.ceil(bytes / 1024 ** 2)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}
