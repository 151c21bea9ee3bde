/** The data-directory lock, in-process: who may take a lock found in the directory. */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LOCK_FILE, acquireDataLock } from '../../src/data-lock.js';

describe('data-directory lock', () => {
  let dir: string;
  let gonePid: number;
  before(async () => { gonePid = Number((await execa(process.execPath, ['-e', 'console.log(process.pid)'])).stdout.trim()); });
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-lock-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records the owner\'s host; a lock of this host whose process is gone is taken over', () => {
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: gonePid, start: '1', since: 'then', host: hostname() }));
    const lock = acquireDataLock(dir);
    try {
      expect(JSON.parse(readFileSync(lock.file, 'utf8'))).to.include({ pid: process.pid, host: hostname() });
    } finally {
      lock.release();
    }
    expect(existsSync(lock.file)).to.equal(false);
  });

  it('a lock taken on another machine (a shared data directory, NFS) is never taken over: its process cannot be seen from here', () => {
    const theirs = JSON.stringify({ pid: gonePid, start: '1', since: '2026-12-06T10:00:00Z', host: 'dom0-b' });
    writeFileSync(path.join(dir, LOCK_FILE), theirs);
    expect(() => acquireDataLock(dir)).to.throw(`in use by a xen-wbem server on host dom0-b (pid ${gonePid}, since 2026-12-06T10:00:00Z)`);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).to.equal(theirs);
  });
});
