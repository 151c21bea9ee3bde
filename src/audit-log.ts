/**
 * The audit log, `DATA/audit.log`: one JSON object per line (mode 0600, appended), for every
 * change (who, what was asked, the real outcome), every job's end, and every failed or refused
 * login. Each entry is also one line of the process log.
 */
import { closeSync, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';
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

export function openAuditLog(file: string, log: Logger): AuditLog {
  // A torn last line is ended first, so that it never swallows the next entry into one bad line.
  let pending = endsTorn(file) ? '\n' : '';
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  out.on('error', (e) => log.error('audit log: cannot write', { file, error: e.message }));
  const write = (kind: string, fields: object): void => {
    out.write(`${pending}${JSON.stringify({ time: new Date().toISOString(), kind, ...fields })}\n`);
    pending = '';
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
    close: () => new Promise<void>((resolve) => out.end(resolve)),
  };
}
