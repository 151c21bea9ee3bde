/** The audit log file itself (in process): what a line left half-written by a killed server becomes. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultWrite, openAuditLog } from '../../src/audit-log.js';
import { SILENT } from '../../src/http/log.js';

const AUDIT_MODULE = new URL('../../src/audit-log.js', import.meta.url).href;
const LOG_MODULE = new URL('../../src/http/log.js', import.meta.url).href;

describe('audit log file', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-audit-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a line torn by a kill -9 stays alone on its line: the entries after it are whole lines', async () => {
    const file = path.join(dir, 'audit.log');
    const whole = JSON.stringify({ time: 't', kind: 'change', principal: 'a' });
    writeFileSync(file, `${whole}\n{"time":"t","kind":"cha`);
    const audit = openAuditLog(file, SILENT);
    audit.loginFailed({ user: 'bob', remote: '127.0.0.1', reason: 'wrong password' });
    await audit.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.equal(whole);
    expect(lines[1]).to.equal('{"time":"t","kind":"cha');
    expect(JSON.parse(lines[2]!)).to.include({ kind: 'login', user: 'bob' });
    expect(lines[3]).to.equal('');
  });

  it('a whole or new file gets no blank line', async () => {
    const file = path.join(dir, 'audit.log');
    for (let round = 0; round < 2; round++) {
      const audit = openAuditLog(file, SILENT);
      audit.loginFailed({ user: `u${round}`, remote: '::1', reason: 'unknown user' });
      await audit.close();
    }
    expect(readFileSync(file, 'utf8').split('\n').map((l) => (l ? (JSON.parse(l) as { user: string }).user : ''))).to.deep.equal(['u0', 'u1', '']);
  });

  it('an entry is in the file once change() returns: a kill -9 right after it loses nothing', () => {
    const file = path.join(dir, 'audit.log');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { openAuditLog } = await import(${JSON.stringify(AUDIT_MODULE)});
      const { SILENT } = await import(${JSON.stringify(LOG_MODULE)});
      const audit = openAuditLog(${JSON.stringify(file)}, SILENT);
      audit.change({ principal: 'alice', operation: 'DeleteInstance', namespace: 'root/virt', target: 'Xen_ComputerSystem.Name="vr-a"', result: 'ok' });
      process.kill(process.pid, 'SIGKILL');
    `], { encoding: 'utf8' });
    expect(child.signal).to.equal('SIGKILL');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).to.have.length(2);
    expect(JSON.parse(lines[0]!)).to.include({ kind: 'change', principal: 'alice', operation: 'DeleteInstance' });
  });

  it('a write that fails (disk full) is reported, and the entries after it are still written', async () => {
    const file = path.join(dir, 'audit.log');
    const errors: string[] = [];
    const log = { ...SILENT, error: (m: string, f?: object) => { errors.push(`${m} ${JSON.stringify(f)}`); } };
    let full = true;
    const audit = openAuditLog(file, log, { write: (fd, text) => { if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); return defaultWrite(fd, text); } });
    audit.loginFailed({ user: 'lost', remote: '127.0.0.1', reason: 'wrong password' });
    full = false;
    audit.loginFailed({ user: 'kept', remote: '127.0.0.1', reason: 'wrong password' });
    await audit.close();
    expect(errors.join('\n')).to.match(/audit log: cannot write.*ENOSPC/);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { user: string }).user)).to.deep.equal(['kept']);
  });

  it('a short write (disk filling up) leaves the torn text alone on its line', async () => {
    const file = path.join(dir, 'audit.log');
    let short = true;
    const audit = openAuditLog(file, SILENT, { write: (fd, text) => {
      if (short) { short = false; return defaultWrite(fd, text.slice(0, 10)); }
      return defaultWrite(fd, text);
    } });
    audit.loginFailed({ user: 'torn', remote: '127.0.0.1', reason: 'wrong password' });
    audit.loginFailed({ user: 'whole', remote: '127.0.0.1', reason: 'wrong password' });
    await audit.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.have.length(10);
    expect(JSON.parse(lines[1]!)).to.include({ user: 'whole' });
  });

  it('a file it cannot open is reported at once, and opened again at the next entry', async () => {
    const sub = path.join(dir, 'not-yet');
    const file = path.join(sub, 'audit.log');
    const errors: string[] = [];
    const audit = openAuditLog(file, { ...SILENT, error: (m: string) => { errors.push(m); } });
    expect(errors).to.deep.equal(['audit log: cannot open']);
    mkdirSync(sub);
    audit.loginFailed({ user: 'late', remote: '127.0.0.1', reason: 'unknown user' });
    await audit.close();
    expect(errors).to.have.length(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.include({ user: 'late' });
  });
});
