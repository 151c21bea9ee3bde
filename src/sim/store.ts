// State directory: state.json (atomic writes: temp file, fsync, rename) and a lock file
// taken with O_EXCL so that many concurrent xl-sim processes stay consistent.
// The lock is only ever held for the few milliseconds a command (or, within one process, a
// group of concurrent commands: group-commit.ts) needs to read, change and write the state:
// commands that wait (shutdown -w, slow/hang faults, xentop -d) release it.
import {
  closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync,
  unlinkSync, utimesSync, writeFileSync, writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { sleepMs } from './io.js';
import { settleHandover } from './handover.js';
import { freshHost, type HostConfig, type HostState } from './host-state.js';

export const STATE_FILE = 'state.json';
const LOCK_FILE = 'lock';
const LOCK_TIMEOUT_MS = 60_000;
const STALE_MS = 30_000; // a live holder never keeps the lock this long

/** XL_SIM_STATE, or ./var/xl-sim relative to the working directory. */
export function stateDirFromEnv(): string {
  return resolve(process.env.XL_SIM_STATE || join(process.cwd(), 'var', 'xl-sim'));
}

export function hasState(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE));
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function readText(path: string): string | null {
  try { return readFileSync(path, 'utf8'); } catch { return null; }
}

/** Is the lock file left behind by a dead or stuck process? */
function lockIsStale(path: string): string | null {
  const text = readText(path);
  if (text === null) return null;
  const [pidStr] = text.split(' ');
  let age = 0;
  try { age = Date.now() - statSync(path).mtimeMs; } catch { return null; }
  if (age > STALE_MS) return text;
  // Locks are created with their content (link of a written temp file), so an unreadable
  // pid only happens for foreign files: leave those to the age rule above.
  if (!/^[0-9]+$/.test(pidStr ?? '')) return null;
  return pidAlive(Number(pidStr)) ? null : text;
}

/**
 * The temp files a dead lock holder left (a state write or a lock attempt cut short by kill -9):
 * `<file>.tmp.<pid>.<rand>` and `lock.<pid>.<rand>`. Only looked for when its stale lock is broken.
 */
function sweepLeftovers(dir: string, pidStr: string): void {
  if (!/^[0-9]+$/.test(pidStr) || pidAlive(Number(pidStr))) return;
  const mark = `.${pidStr}.`;
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    if (n.startsWith(LOCK_FILE + mark) || n.includes('.tmp' + mark)) { try { unlinkSync(join(dir, n)); } catch { /* raced */ } }
  }
}

/** Break a stale lock safely: a second O_EXCL "breaker" file makes the check-and-unlink atomic. */
function breakStale(dir: string, staleText: string): void {
  const lock = join(dir, LOCK_FILE);
  const breaker = join(dir, LOCK_FILE + '.break');
  let fd: number;
  try { fd = openSync(breaker, 'wx'); } catch {
    try { if (Date.now() - statSync(breaker).mtimeMs > 5000) unlinkSync(breaker); } catch { /* raced */ }
    return;
  }
  try {
    if (readText(lock) === staleText) {
      try { unlinkSync(lock); } catch { /* gone */ }
      sweepLeftovers(dir, staleText.split(' ')[0] ?? '');
    }
  } finally {
    closeSync(fd);
    try { unlinkSync(breaker); } catch { /* ignore */ }
  }
}

export interface Lock {
  dir: string;
  release(): void;
  /** Held for long (a group of changes that keeps growing): the lock file is touched so that no one takes it for stale. */
  refresh(): void;
}

let lockWanted: ((dir: string | null) => void) | undefined;
/**
 * Called before the lock of a directory is taken: this process may hold it already for a group
 * of changes not yet written (group-commit.ts), which are then written first and the lock let go;
 * and with null before waiting for a lock another process holds: nothing this process holds may
 * then be kept across the wait (the other process may be waiting for it).
 */
export function onLockWanted(hook: (dir: string | null) => void): void {
  lockWanted = hook;
}

export function acquireLock(dir: string): Lock {
  lockWanted?.(dir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const token = `${process.pid} ${Date.now()} ${Math.random().toString(36).slice(2)}`;
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let wait = 1;
  // The lock appears atomically *with* its owner's pid: write a private temp file, then
  // link() it to the lock name (fails with EEXIST while someone holds the lock). The temp file
  // exists only around each attempt, so a caller killed while it waits leaves nothing behind.
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const cleanupTmp = () => { try { unlinkSync(tmp); } catch { /* ignore */ } };
  for (;;) {
    writeFileSync(tmp, token);
    let linked = false;
    try {
      linkSync(tmp, path);
      linked = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') { cleanupTmp(); throw e; }
    }
    cleanupTmp();
    if (linked) {
      let released = false;
      return {
        dir,
        release() {
          if (released) return;
          released = true;
          if (readText(path) === token) { try { unlinkSync(path); } catch { /* ignore */ } }
        },
        refresh() {
          if (released || readText(path) !== token) return;
          const now = new Date();
          try { utimesSync(path, now, now); } catch { /* gone meanwhile */ }
        },
      };
    }
    const stale = lockIsStale(path);
    if (stale !== null) { breakStale(dir, stale); continue; }
    lockWanted?.(null);
    if (Date.now() > deadline) throw new Error(`xl-sim: timed out waiting for lock ${path}`);
    sleepMs(wait + Math.floor(Math.random() * wait));
    wait = Math.min(wait * 2, 20);
  }
}

/** Lock several state dirs in a fixed (path) order so two migrations cannot deadlock. */
export function acquireLocks(dirs: string[]): Lock[] {
  const uniq = [...new Set(dirs.map((d) => resolve(d)))].sort();
  return uniq.map((d) => acquireLock(d));
}

export function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readHostJson(dir: string): Partial<HostConfig> {
  const text = readText(join(dir, 'host.json'));
  if (text === null) return {};
  try { return JSON.parse(text) as Partial<HostConfig>; } catch {
    throw new Error(`xl-sim: cannot parse ${join(dir, 'host.json')}`);
  }
}

/**
 * Load the host (creating a fresh one, Domain-0 only, for a new directory). Lock must be held.
 * `reuse`: a state this process holds with the file text it came from; when the file still has
 * that text, that state is the host (no parse).
 */
export function loadState(dir: string, now: number, reuse?: { state: HostState; text: string }): { state: HostState; created: boolean; text: string | null } {
  const text = readText(join(dir, STATE_FILE));
  if (text === null) return { state: freshHost(readHostJson(dir), now), created: true, text };
  if (reuse && reuse.text === text) return { state: reuse.state, created: false, text };
  return { state: JSON.parse(text) as HostState, created: false, text };
}

/**
 * loadState for a caller holding the lock of `dir`: a hand-over a killed `xl migrate` left is
 * finished first (handover.ts), so no transaction sees a domain on both hosts or on neither.
 */
export function loadHeldState(dir: string, now: number, reuse?: { state: HostState; text: string }): ReturnType<typeof loadState> {
  const r = loadState(dir, now, reuse);
  if (r.created) return r;
  let text = r.text;
  const moved = settleHandover(dir, r.state, now, (st) => {
    text = JSON.stringify(st);
    atomicWrite(join(dir, STATE_FILE), text);
  }, (target) => join(target, STATE_FILE));
  return moved ? { ...r, text } : r;
}

export function saveState(dir: string, s: HostState): void {
  atomicWrite(join(dir, STATE_FILE), JSON.stringify(s));
}
