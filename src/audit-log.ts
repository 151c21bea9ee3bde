/**
 * The audit log, `DATA/audit.log`: one JSON object per line (mode 0600, appended), for every
 * change (who, what was asked, the real outcome), every job's end, and every failed or refused
 * login. Each entry is also one line of the process log.
 */
import { createWriteStream } from 'node:fs';
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

export function openAuditLog(file: string, log: Logger): AuditLog {
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  out.on('error', (e) => log.error('audit log: cannot write', { file, error: e.message }));
  const write = (kind: string, fields: object): void => {
    out.write(`${JSON.stringify({ time: new Date().toISOString(), kind, ...fields })}\n`);
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
