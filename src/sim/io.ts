// Output and process helpers for xl-sim. Everything is synchronous on purpose: each
// invocation is a short-lived process (like xl), and synchronous writes keep the
// stdout/stderr interleaving exactly as the command produced it.
import { writeSync } from 'node:fs';

/** Thrown to end the command with an exit status (xl calls exit() from deep inside). */
export class Exit extends Error {
  constructor(public readonly code: number) {
    super(`exit ${code}`);
  }
}

function writeAll(fd: number, text: string): void {
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

export function out(text: string): void { if (text) writeAll(1, text); }
export function err(text: string): void { if (text) writeAll(2, text); }

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Synchronous sleep; never called while the state lock is held. */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** Sleep "forever" (fault mode hang): the caller's timeout must kill us. */
export function hangForever(): never {
  for (;;) sleepMs(3_600_000);
}
