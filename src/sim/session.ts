// One "transaction" on a host: lock, load, advance the model to now, apply armed crash
// faults, run the command's change. Transactions of one process that overlap in time share the
// lock, the state in memory and the write of the state file (group-commit.ts); the invocation
// ends once its change is on disk.
import { advance, guestShutdown } from './clock.js';
import { readFaults, writeFaults, freeMemoryFault, type Faults } from './faults.js';
import { discard, done, hold } from './group-commit.js';
import type { HostState } from './host-state.js';
import { Exit } from './io.js';
import { loadHeldState, saveState } from './store.js';

export interface Ctx {
  dir: string;
  state: HostState;
  now: number;
  faults: Faults | null;
  freeFaultMib: number | undefined;
  /** Set by commands that change the state so it gets written. */
  dirty: boolean;
}

/** Advance to now and apply crash faults (the caller holds the lock). */
function contextOf(dir: string, state: HostState, now: number, created: boolean): Ctx {
  // Persist when due guest shutdowns completed, so every caller sees the same outcome.
  const events = advance(state, now);
  const faults = readFaults(dir);
  const ctx: Ctx = { dir, state, now, faults, freeFaultMib: freeMemoryFault(faults), dirty: created || events > 0 };
  applyCrashFaults(ctx);
  return ctx;
}

/** Load + advance + crash faults from the file, without locking (caller holds the lock: store.acquireLocks). */
export function openCtx(dir: string): Ctx {
  const now = Date.now();
  const { state, created } = loadHeldState(dir, now);
  return contextOf(dir, state, now, created);
}

function applyCrashFaults(ctx: Ctx): void {
  const f = ctx.faults;
  if (!f || !Array.isArray(f.crash) || f.crash.length === 0) return;
  const remaining: string[] = [];
  for (const name of f.crash) {
    const d = ctx.state.domains.find((x) => x.name === name && x.domid !== 0 && x.shutdown_reason === null);
    if (!d) { remaining.push(name); continue; }
    guestShutdown(ctx.state, d, 3, ctx.now);
    ctx.dirty = true;
  }
  if (remaining.length !== f.crash.length) {
    f.crash = remaining;
    writeFaults(ctx.dir, f);
  }
}

/** Writes the state of a context opened with openCtx (synchronously). */
export function closeCtx(ctx: Ctx): void {
  if (ctx.dirty) saveState(ctx.dir, ctx.state);
}

export function withHost<T>(dir: string, fn: (ctx: Ctx) => T): T {
  const now = Date.now();
  const { h, created } = hold(dir, now);
  let ctx: Ctx;
  try {
    ctx = contextOf(dir, h.state, now, created);
  } catch (e) {
    discard(h, e);
    throw e;
  }
  let r: T;
  try {
    r = fn(ctx);
  } catch (e) {
    // An xl-level failure may still have changed the host (e.g. a failed create
    // consumed a domid): keep it. Programming errors leave the state on disk untouched.
    if (e instanceof Exit) done(h, ctx.dirty);
    else discard(h, e);
    throw e;
  }
  done(h, ctx.dirty);
  return r;
}
