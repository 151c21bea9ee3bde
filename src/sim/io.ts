// Output, paths and waiting for xl-sim commands, all through the current invocation
// (invocation.ts). Writes are synchronous and in order, so the stdout/stderr interleaving is
// exactly as the command produced it.
import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { invocation } from './invocation.js';

/** Thrown to end the command with an exit status (xl calls exit() from deep inside). */
export class Exit extends Error {
  constructor(public readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Thrown out of a wait when the invocation's signal aborts (the caller killed xl). */
export class Killed extends Error {
  constructor() {
    super('killed');
  }
}

export function out(text: string): void { if (text) invocation().write(1, text); }
export function err(text: string): void { if (text) invocation().write(2, text); }

/** A path from the command line, as the file system sees it (relative to the invocation's cwd). */
export function hostPath(p: string): string {
  return resolve(invocation().cwd, p);
}

/** Writes all of `text` to a file descriptor (the process entry's stdout and stderr). */
export function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      // A non-blocking pipe that is full: wait a little and retry.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { sleepMs(2); continue; }
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw e;
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/**
 * Synchronous sleep, for the state lock's retry only: the lock is held for milliseconds and
 * never across an await, so only another process can make us wait for it.
 */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** Waits `ms` without blocking other invocations; ends with Killed when the signal aborts. */
export function delay(ms: number): Promise<void> {
  const signal = invocation().signal;
  if (signal?.aborted) return Promise.reject(new Killed());
  return new Promise((res, rej) => {
    const onAbort = () => { clearTimeout(t); rej(new Killed()); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); res(); }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits forever (fault mode hang): only the caller's signal (or kill) ends it. */
export function hang(): Promise<never> {
  const signal = invocation().signal;
  if (signal?.aborted) return Promise.reject(new Killed());
  return new Promise((_, rej) => {
    signal?.addEventListener('abort', () => rej(new Killed()), { once: true });
  });
}
