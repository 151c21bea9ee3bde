// The hand-over of `xl migrate` across two state files (commands/migrate.ts). Both hosts' states
// change in one step under both locks, but they are two files: a process killed between the
// two writes would leave the domain on neither host, or on both. So the sender first records
// the hand-over here (HANDOVER_FILE in its own directory), then writes the target, then itself,
// then removes the record. The next transaction on the sender finds a record left by a killed
// migrate and finishes it: if the target's state holds the domain, it has moved and leaves the
// sender; if not, the target was never written and the domain stays. Either way the domain is
// on exactly one host.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { recordEvent, type HostState } from './host-state.js';

export const HANDOVER_FILE = 'handover.json';

export interface Handover {
  /** The domain's UUID. */
  uuid: string;
  /** The target's state directory. */
  dest: string;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Finishes a hand-over a killed `xl migrate` left in `dir` (the caller holds the lock of `dir`;
 * the target's state is only read, by `stateFileOf`). `state` is the sender's state as loaded;
 * `save` writes it. True when the domain left `state`.
 */
export function settleHandover(
  dir: string, state: HostState, now: number, save: (s: HostState) => void, stateFileOf: (dir: string) => string,
): boolean {
  const path = join(dir, HANDOVER_FILE);
  if (!existsSync(path)) return false;
  const h = readJson(path) as Partial<Handover> | undefined;
  let moved = false;
  if (h && typeof h.uuid === 'string' && typeof h.dest === 'string') {
    const target = readJson(stateFileOf(h.dest)) as Partial<HostState> | undefined;
    const there = Array.isArray(target?.domains) && target.domains.some((d) => d.uuid === h.uuid);
    const here = state.domains.find((d) => d.uuid === h.uuid && d.domid !== 0);
    if (there && here) {
      state.domains = state.domains.filter((d) => d !== here);
      recordEvent(state, { domid: here.domid, kind: 'destroy', reason: -1, at_ms: now });
      save(state);
      moved = true;
    }
  }
  unlinkSync(path);
  return moved;
}
