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

  it('a lock naming this very process (same pid and start time after a reboot: a service started at the same point of boot) is stale, not another server', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, start, since: 'before the reboot', host: hostname() }));
    const lock = acquireDataLock(dir);
    try {
      expect(JSON.parse(readFileSync(lock.file, 'utf8'))).to.include({ pid: process.pid, host: hostname() }).and.not.include({ since: 'before the reboot' });
    } finally {
      lock.release();
    }
  });

  it('a lock written in an earlier boot of this host is stale, whoever has its pid now', () => {
    // pid 1 lives, and its start time is not looked at when the boot differs.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, start: '', since: 'then', host: hostname(), boot: '00000000-0000-0000-0000-000000000000' }));
    const lock = acquireDataLock(dir);
    try {
      expect(JSON.parse(readFileSync(lock.file, 'utf8'))).to.include({ pid: process.pid, boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() });
    } finally {
      lock.release();
    }
  });
});
