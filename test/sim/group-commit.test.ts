// Concurrent calls in one process share the host's lock and the write of its state (group
// commit): every change lands, each call returns only once its change is on disk, far fewer
// writes than calls, and whoever takes the lock another way (a fault rule, another process)
// still sees every change.
import { expect } from 'chai';
import { join } from 'node:path';
import { createDomainsBulk } from '../../src/sim/bulk.js';
import { commitStats, isHeld } from '../../src/sim/group-commit.js';
import { cleanupTempDirs, newHost, readJson, writeJson, xl, xlProcess } from './helpers.js';

const cfg = (name: string): string => [`name = "${name}"`, 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'memory = 64', 'vcpus = 1', ''].join('\n');

function pauseCounts(st: string): Map<string, number> {
  const s = readJson(join(st, 'state.json'));
  return new Map(s.domains.map((d: { name: string; pause_count: number }) => [d.name, d.pause_count]));
}

describe('xl-sim group commit', function () {
  this.timeout(60_000);
  after(() => cleanupTempDirs());

  it('50 concurrent unpauses of 50 domains: all land, each on disk when its call returns, in far fewer writes', async () => {
    const st = newHost({ total_memory_mib: 65536 });
    const names = Array.from({ length: 50 }, (_, i) => `d${i}`);
    createDomainsBulk(st, names.map((n) => ({ cfg: cfg(n), paused: true })));
    const before = commitStats.writes;
    const onDisk: boolean[] = [];
    const rs = await Promise.all(names.map((n, i) => xl(['unpause', n], { state: st }).then((r) => {
      onDisk[i] = pauseCounts(st).get(n) === 0;
      return r;
    })));
    for (const r of rs) expect(r).to.deep.equal({ stdout: '', stderr: '', code: 0 });
    expect(onDisk.every(Boolean)).to.equal(true);
    expect([...pauseCounts(st).values()].every((c) => c === 0)).to.equal(true);
    expect(commitStats.writes - before).to.be.within(1, 25);
    expect(isHeld(st)).to.equal(false);
  });

  it('a fault rule taking the lock while changes are being written, and a process in between, see every change', async () => {
    const st = newHost();
    createDomainsBulk(st, [{ cfg: cfg('a') }, { cfg: cfg('b') }]);
    writeJson(join(st, 'faults.json'), { rules: [{ command: 'list', mode: 'slow', delay_ms: 1, count: 5 }] });
    const rs = await Promise.all([
      ...Array.from({ length: 10 }, () => xl(['pause', 'a'], { state: st })),
      ...Array.from({ length: 5 }, () => xl(['list'], { state: st })),
      ...Array.from({ length: 10 }, () => xl(['pause', 'b'], { state: st })),
    ]);
    for (const r of rs) expect(r.code, r.stderr).to.equal(0);
    expect(pauseCounts(st).get('a')).to.equal(10);
    expect(pauseCounts(st).get('b')).to.equal(10);
    // Another process changes the host; this process's next call starts from that, not from memory.
    expect((await xlProcess(['pause', 'a'], { state: st })).code).to.equal(0);
    expect((await xl(['pause', 'a'], { state: st })).code).to.equal(0);
    // The lock is let go once the last change is written: nothing is held once the call has returned.
    expect(isHeld(st)).to.equal(false);
    expect(pauseCounts(st).get('a')).to.equal(12);
    expect((await xl(['list', 'a'], { state: st })).stdout).to.match(/^a\s+1\s+64\s+1\s+-.p---/m);
  });
});
