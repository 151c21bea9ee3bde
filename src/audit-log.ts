/**
 * The audit log, `DATA/audit.log`: one JSON object per line (mode 0600, appended), for every
 * change (who, what was asked, the real outcome), every job's end, and every failed or refused
 * login. Each entry is also one line of the process log.
 *
 * An entry is written with one synchronous append before the call returns, so it is in the file
 * (the kernel's, if not yet the disk's) before the answer to the change goes out: a server killed
 * right after answering loses no entry. A write that fails (a full disk) is reported and the next
 * entry is tried again; one cut short leaves its text alone on its line.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { AuditEntry } from './operations/index.js';
import type { Logger } from './operations/provider.js';
import type { LoginFailure } from './http/index.js';

/** A job's end, correlated with the change that started it by the job's InstanceID. */
export interface JobEnd {
  job: string;
  name: string;
  target: string;
  state: 'completed' | 'failed' | 'terminated';
  error?: string;
}

export interface AuditLog {
  change(entry: AuditEntry): void;
  jobEnded(end: JobEnd): void;
  loginFailed(f: LoginFailure): void;
  close(): Promise<void>;
}

/** Whether the file ends inside a line: the last entry of a server killed while appending it. */
function endsTorn(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false;      // no file yet (or unreadable: the stream reports that)
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface AuditLogOptions {
  /** Writes text at the end of the open file and returns the bytes written (tests: a full disk). */
  write?: (fd: number, text: string) => number;
}

export const defaultWrite = (fd: number, text: string): number => writeSync(fd, text);

export function openAuditLog(file: string, log: Logger, opts: AuditLogOptions = {}): AuditLog {
  const append = opts.write ?? defaultWrite;
  let fd: number | undefined;
  let closed = false;
  // A torn last line is ended first, so that it never swallows the next entry into one bad line;
  // after a failed write the file is looked at again (part of the entry may have reached it).
  let recheck = true;
  let pending = '';
  // Opened now, so that a file the server cannot write is reported at start-up (and tried again
  // at each entry), not only at the first change.
  try {
    fd = openSync(file, 'a', 0o600);
  } catch (e) {
    log.error('audit log: cannot open', { file, error: (e as Error).message });
  }
  const write = (kind: string, fields: object): void => {
    const line = `${JSON.stringify({ time: new Date().toISOString(), kind, ...fields })}\n`;
    if (closed) {
      log.error('audit log: entry after close, not written', { file, entry: line.trimEnd() });
      return;
    }
    try {
      if (recheck) { pending = endsTorn(file) ? '\n' : ''; recheck = false; }
      fd ??= openSync(file, 'a', 0o600);
      const text = pending + line;
      const wrote = append(fd, text);
      if (wrote !== Buffer.byteLength(text)) throw new Error(`short write (${wrote} of ${Buffer.byteLength(text)} bytes)`);
      pending = '';
    } catch (e) {
      recheck = true;
      log.error('audit log: cannot write', { file, error: (e as Error).message, entry: line.trimEnd() });
    }
  };
  return {
    change(entry) {
      write('change', entry);
      const ok = entry.result === 'ok' || entry.result === 'job';
      (ok ? log.info : log.warn).call(log, 'change', { ...entry });
    },
    jobEnded(end) {
      write('job', end);
      if (end.state === 'completed') log.info('job completed', { ...end });
      else log.warn('job failed', { ...end });
    },
    loginFailed(f) {
      write('login', f);
    },
    close: () => {
      closed = true;
      if (fd !== undefined) {
        try { closeSync(fd); } catch { /* nothing left to lose */ }
        fd = undefined;
      }
      return Promise.resolve();
    },
  };
}
