// The hand-over of `xl migrate` across two state files (commands/migrate.ts). Both hosts' states
// change in one step under both locks, but they are two files: a process killed between the
// two writes would leave the domain on neither host, or on both. So the sender first records
// the hand-over here (HANDOVER_FILE in its own directory), then writes the target, then itself,
// then removes the record. The next transaction on the sender finds a record left by a killed
// migrate and finishes it: if the target's state was written (it lists the record's token among
// the hand-overs it received, or still holds the domain), the domain has moved and leaves the
// sender; if not, the domain stays. The token matters: the target may have destroyed, restarted
// or sent on the domain before the sender's next call, and it must not come back at the sender.
// Either way the domain is on exactly one host.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { recordEvent, type HostState } from './host-state.js';

export const HANDOVER_FILE = 'handover.json';
/** Tokens a target keeps: a sender killed mid-hand-over is settled by its next call, long before this many more arrive. */
const KEEP_TOKENS = 64;

export interface Handover {
  /** The domain's UUID. */
  uuid: string;
  /** The target's state directory. */
  dest: string;
  /** Written into the target's state with the domain (HostState.handovers_in). */
  token?: string;
}

export function newHandover(uuid: string, dest: string): Handover {
  return { uuid, dest, token: randomBytes(8).toString('hex') };
}

/** The target's side of the hand-over, written in the same state write as the domain it receives. */
export function noteReceived(target: HostState, h: Handover): void {
  if (h.token === undefined) return;
  const list = target.handovers_in ?? [];
  list.push(h.token);
  target.handovers_in = list.slice(-KEEP_TOKENS);
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
    const there = (typeof h.token === 'string' && Array.isArray(target?.handovers_in) && target.handovers_in.includes(h.token)) ||
      (Array.isArray(target?.domains) && target.domains.some((d) => d.uuid === h.uuid));
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
