// Group commit of a host's state within one process. Each xl invocation's change is applied
// at once, under the host lock, to the state this process holds in memory; the state file is
// written (temp file, fsync, rename) once for every change made while the previous write was
// under way, and each invocation ends only once what it saw is on disk. So many concurrent
// calls on different domains (a whole network unpaused at once) proceed together, as xl
// pause/unpause of different domains do on a real host, instead of each loading, writing and
// fsyncing the whole host in turn. The lock is held from the first change until the last write
// has landed; a process that needs it some other way (store.acquireLock) first gets this
// process's pending changes written synchronously (flushHeld).
import { renameSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HostState } from './host-state.js';
import { invocation, type Invocation } from './invocation.js';
import { acquireLock, atomicWrite, loadHeldState, onLockWanted, STATE_FILE, type Lock } from './store.js';

/** A lock held this long while changes keep coming has its file touched, so no one breaks it as stale. */
const TOUCH_LOCK_MS = 5_000;

interface Waiter { version: number; resolve(): void; reject(e: unknown): void }

/** This process's hold on one host: the lock, the state in memory, what is on disk of it. */
export interface Held {
  readonly dir: string;
  readonly lock: Lock;
  readonly state: HostState;
  /** The file's text as last read or written by this process (null: none yet). */
  text: string | null;
  /** Count of changes applied in memory / of those on disk. */
  version: number;
  committed: number;
  /** The write under way (superseded when a synchronous flush overtook it). */
  writing: { version: number; text: string; superseded: boolean } | null;
  waiters: Waiter[];
  ended: boolean;
  touchedAt: number;
}

const held = new Map<string, Held>();
/** The state as last written or read by this process, with the file's text then (compared, not trusted: another process may have written since). */
const cache = new Map<string, { state: HostState; text: string }>();
/** Per invocation: the hosts it used and the version of each it saw. */
const seen = new WeakMap<Invocation, Map<Held, number>>();

function currentInvocation(): Invocation | undefined {
  try { return invocation(); } catch { return undefined; }
}

/**
 * The host held by this process (lock taken, state loaded) for one transaction. `created`: the
 * state did not exist on disk (a fresh host, to be written).
 */
export function hold(hostDir: string, now: number): { h: Held; created: boolean } {
  const dir = resolve(hostDir);
  const cur = held.get(dir);
  if (cur) return { h: cur, created: false };
  const lock = acquireLock(dir);
  let r: ReturnType<typeof loadHeldState>;
  try {
    const c = cache.get(dir);
    cache.delete(dir);
    r = loadHeldState(dir, now, c);
  } catch (e) {
    lock.release();
    throw e;
  }
  const h: Held = {
    dir, lock, state: r.state, text: r.text, version: 0, committed: 0, writing: null, waiters: [], ended: false, touchedAt: Date.now(),
  };
  held.set(dir, h);
  // Outside an invocation (a direct library call) nothing waits for the write: it is made before returning (see done()).
  if (currentInvocation()) setImmediate(() => void drain(h));
  return { h, created: r.created };
}

/** The transaction that ran on `h` is over; `changed`: it changed the state. */
export function done(h: Held, changed: boolean): void {
  if (changed) h.version++;
  const inv = currentInvocation();
  if (!inv) { flush(h); return; }
  let m = seen.get(inv);
  if (!m) seen.set(inv, (m = new Map()));
  m.set(h, h.version);
}

/**
 * A transaction failed in a way that may have left the state in memory half changed (not an xl
 * error, a fault of the simulator): what was written stays, changes after it are dropped and
 * the invocations that saw them fail.
 */
export function discard(h: Held, why: unknown): void {
  if (h.ended) return;
  const w = h.writing;
  if (w && !w.superseded) {
    w.superseded = true;
    try {
      atomicWrite(join(h.dir, STATE_FILE), w.text);
      h.committed = w.version;
    } catch { /* the file keeps its previous version */ }
  }
  settle(h);
  end(h, why);
  cache.delete(h.dir);
}

/** Waits until every host the current invocation used has on disk what it saw. */
export async function durable(): Promise<void> {
  const inv = currentInvocation();
  const m = inv && seen.get(inv);
  if (!m) return;
  seen.delete(inv);
  await Promise.all([...m].map(([h, v]) => (h.committed >= v ? undefined : new Promise<void>((resolve, reject) => {
    if (h.ended) { reject(new Error('xl-sim: the host state was not written')); return; }
    h.waiters.push({ version: v, resolve, reject });
  }))));
}

function settle(h: Held): void {
  const keep: Waiter[] = [];
  for (const w of h.waiters) if (w.version <= h.committed) w.resolve(); else keep.push(w);
  h.waiters = keep;
}

function end(h: Held, why?: unknown): void {
  h.ended = true;
  if (held.get(h.dir) === h) held.delete(h.dir);
  for (const w of h.waiters.splice(0)) w.reject(why ?? new Error('xl-sim: the host state was not written'));
  h.lock.release();
}

function remember(h: Held): void {
  if (h.text !== null) cache.set(h.dir, { state: h.state, text: h.text });
}

/** Writes what is pending now, synchronously, and lets the lock go (a write under way is overtaken). */
function flush(h: Held): void {
  if (h.ended) return;
  try {
    if (h.version > h.committed) {
      if (h.writing) h.writing.superseded = true;
      const text = JSON.stringify(h.state);
      atomicWrite(join(h.dir, STATE_FILE), text);
      commitStats.writes++;
      h.text = text;
      h.committed = h.version;
      remember(h);
    }
    settle(h);
    end(h);
  } catch (e) {
    cache.delete(h.dir);
    end(h, e);
    throw e;
  }
}

/** store.acquireLock's hook: this process's own hold on `dir` (null: on every host) ends first, its changes written. */
export function flushHeld(dir: string | null): void {
  if (dir === null) for (const h of [...held.values()]) flush(h);
  else {
    const h = held.get(resolve(dir));
    if (h) flush(h);
  }
}
onLockWanted(flushHeld);

async function writeTemp(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The group commit: write while there are changes not on disk, then let the lock go. */
async function drain(h: Held): Promise<void> {
  const path = join(h.dir, STATE_FILE);
  try {
    while (!h.ended && h.version > h.committed) {
      const w = { version: h.version, text: JSON.stringify(h.state), superseded: false };
      h.writing = w;
      const tmp = `${path}.tmp.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
      try {
        await writeTemp(tmp, w.text);
      } catch (e) {
        try { unlinkSync(tmp); } catch { /* never created */ }
        if (!w.superseded) throw e;
      }
      if (w.superseded) { try { unlinkSync(tmp); } catch { /* gone */ } return; }
      renameSync(tmp, path);
      commitStats.writes++;
      h.text = w.text;
      h.writing = null;
      h.committed = w.version;
      remember(h);
      settle(h);
      if (Date.now() - h.touchedAt > TOUCH_LOCK_MS) {
        h.touchedAt = Date.now();
        h.lock.refresh();
      }
    }
    if (!h.ended) { remember(h); end(h); }
  } catch (e) {
    if (!h.ended) { cache.delete(h.dir); end(h, e); }
  }
}

/** Writes of state files this process has made through here (tests and benchmarks count them). */
export const commitStats = { writes: 0 };

/** Is this process holding `dir` (its lock, changes being written) right now? */
export function isHeld(dir: string): boolean {
  return held.has(resolve(dir));
}
