/** The process logger: JSON lines with time and level names for services, text at a terminal. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createLogger, textDestination } from '../../src/logger.js';

function capture(): { lines: string[]; write(s: string): void } {
  const lines: string[] = [];
  return { lines, write: (s: string) => { lines.push(...s.split('\n').filter(Boolean)); } };
}

describe('logger (pino)', () => {
  it('writes one JSON object per entry: ISO time, level name, message, fields; below the level nothing', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out });
    log.debug('hidden');
    log.info('request', { status: 200, cimStatus: 6 });
    log.child({ component: 'auth' }).warn('login failed', { user: 'x' });
    const entries = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).to.have.length(2);
    expect(entries[0]).to.include({ level: 'info', msg: 'request', status: 200, cimStatus: 6 });
    expect(String(entries[0]!.time)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(entries[1]).to.include({ level: 'warn', msg: 'login failed', component: 'auth', user: 'x' });
  });

  it('shows the same entries as text lines for a terminal', () => {
    const out = capture();
    const log = createLogger({ level: 'debug', destination: textDestination(out) });
    log.info('request', { remote: '127.0.0.1', status: 200 });
    log.error('unexpected error', { error: 'two words' });
    expect(out.lines[0]).to.match(/^\S+Z request remote=127\.0\.0\.1 status=200$/);
    expect(out.lines[1]).to.match(/^\S+Z \[error\] unexpected error error="two words"$/);
  });

  it('a text line stays one line and drives no terminal, whatever a client-given name holds', () => {
    const raw: string[] = [];
    const log = createLogger({ level: 'info', destination: textDestination({ write: (s: string) => raw.push(s) }) });
    log.info('indication filter f\n2026-12-06T00:00:00.000Z [error] forged\u001b[2J is ignored', { name: 'x\u001b]0;owned\u0007' });
    expect(raw).to.have.length(1);
    expect(raw[0]!.indexOf('\n')).to.equal(raw[0]!.length - 1);
    expect(raw[0]).to.not.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(raw[0]).to.contain('indication filter f\\n2026-12-06T00:00:00.000Z [error] forged\\x1b[2J is ignored name=x\\x1b]0;owned\\x07');
  });

  it('standard output that cannot be written (a log file on a full disk) costs log lines, never the process', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
        const { createLogger } = await import(${JSON.stringify(new URL('../../src/logger.js', import.meta.url).href)});
        const log = createLogger({ format: 'json' });
        log.info('request', { status: 200 });
        await new Promise((r) => setTimeout(r, 50));
        log.warn('again');
        await new Promise((r) => setTimeout(r, 50));
        process.stderr.write('still serving\\n');
      `], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(child.stderr).to.contain('still serving');
      expect(child.stderr).to.match(/ENOSPC.*log lines are lost/);
      expect(child.status).to.equal(0);
    } finally {
      closeSync(full);
    }
  });
});
