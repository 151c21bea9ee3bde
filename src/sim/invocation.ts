// What one xl invocation sees of "its process": where stdout and stderr go, the working
// directory that relative paths in its arguments resolve against, and the signal that kills
// it. A child process has exactly one of each; in-process runs (run-xl.ts) are many at once
// on one event loop, so the current one is carried by AsyncLocalStorage across every await
// of the command instead of living in process globals.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Invocation {
  /** Working directory of the invocation. */
  cwd: string;
  /** Appends to stdout (fd 1) or stderr (fd 2), in the order the command writes. */
  write(fd: 1 | 2, text: string): void;
  /** Aborting it is the caller killing xl: waits end at once and the command stops there. */
  signal?: AbortSignal;
}

const current = new AsyncLocalStorage<Invocation>();
/**
 * The process entry's one invocation: a process runs exactly one, so it needs no
 * AsyncLocalStorage, whose promise tracking slows every await (module loading included: about a
 * quarter of a short command's CPU).
 */
let sole: Invocation | undefined;

export function runSoleInvocation<T>(inv: Invocation, fn: () => Promise<T>): Promise<T> {
  sole = inv;
  return fn();
}

export function runInvocation<T>(inv: Invocation, fn: () => Promise<T>): Promise<T> {
  return current.run(inv, fn);
}

export function invocation(): Invocation {
  const inv = current.getStore() ?? sole;
  if (!inv) throw new Error('xl-sim: no invocation in progress');
  return inv;
}
