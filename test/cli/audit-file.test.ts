/** The audit log file itself (in process): what a line left half-written by a killed server becomes. */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openAuditLog } from '../../src/audit-log.js';
import { SILENT } from '../../src/http/log.js';

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
});
