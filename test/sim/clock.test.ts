// CPU time and I/O counters advance with the wall clock for running domains only.
import { expect } from 'chai';
import { runXl } from '../../src/sim/run-xl.js';
import { cleanupTempDirs, newHost, xl } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two `xl list` outputs around a sleep, with the wall-time bounds of what the simulator could
 * have counted between them (timers fire late on a loaded machine: assert against what really
 * elapsed, not against the sleep asked for).
 */
async function listsAround(st: string, ms: number): Promise<{ before: string; after: string; minS: number; maxS: number }> {
  const s1 = Date.now();
  const before = (await xl(['list'], { state: st })).stdout;
  const e1 = Date.now();
  await sleep(ms);
  const s2 = Date.now();
  const after = (await xl(['list'], { state: st })).stdout;
  const e2 = Date.now();
  return { before, after, minS: (s2 - e1) / 1000, maxS: (e2 - s1) / 1000 };
}

function time(out: string, name: string): number {
  const l = out.split('\n').find((x) => x.startsWith(name + ' '))!;
  return Number(l.trim().split(/\s+/).pop());
}

describe('xl-sim clock', function () {
  this.timeout(30_000);
  after(() => cleanupTempDirs());

  it('CPU time grows by wall time × online vCPUs while running, not while paused', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });     // 2 vCPUs online
    await xl(['create', '-q', '-p', 'win01.cfg'], { state: st }); // paused
    const { before: t1, after: t2, minS, maxS } = await listsAround(st, 1000);
    const d = time(t2, 'web01') - time(t1, 'web01');
    // Two vCPUs: twice the wall time, give or take the one decimal `xl list` prints.
    expect(d).to.be.within(2 * minS - 0.2, 2 * maxS + 0.2);
    expect(time(t2, 'win01')).to.equal(0);
    await xl(['pause', 'web01'], { state: st });
    const t3 = (await xl(['list'], { state: st })).stdout;
    await sleep(500);
    const t4 = (await xl(['list'], { state: st })).stdout;
    expect(time(t4, 'web01')).to.equal(time(t3, 'web01'));
  });

  it('cap limits CPU time (percent of one pCPU)', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg', 'cap=50'], { state: st });
    const { before: t1, after: t2, minS, maxS } = await listsAround(st, 1000);
    // Half of one CPU, however many vCPUs: half the wall time, give or take one decimal.
    expect(time(t2, 'web01') - time(t1, 'web01')).to.be.within(0.5 * minS - 0.2, 0.5 * maxS + 0.2);
  });

  it('xentop -b -i 2 -d 1: CPU(%) is 0.0 first, then ~ vCPUs×100; counters grow', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    const r = await xl(['xentop', '-b', '-i', '2', '-d', '1'], { state: st });
    expect(r.code).to.equal(0);
    const lines = r.stdout.split('\n').filter((l) => /^\s+web01 /.test(l)).map((l) => l.trim().split(/\s+/));
    expect(lines).to.have.length(2);
    expect(lines[0]![3]).to.equal('0.0');
    expect(Number(lines[1]![3])).to.be.within(150, 250);
    expect(Number(lines[1]![10])).to.be.greaterThan(Number(lines[0]![10])); // NETTX(k)
    expect(r.stdout.split('\n').filter((l) => l.startsWith('      NAME  STATE'))).to.have.length(2);
  });

  it('xentop -h / -V print xentop\'s texts', async () => {
    const st = newHost();
    const h = await xl(['xentop', '-h'], { state: st });
    expect(h.code).to.equal(0);
    expect(h.stdout).to.match(/^Usage: \/usr\/lib\/xen-4\.17\/bin\/xentop \[OPTION\]\n/);
    const v = await xl(['xentop', '-V'], { state: st });
    expect(v.stdout).to.match(/^xentop 1\.0\n/);
    // Invoked under the name xentop (a link), the arguments are xentop's own.
    expect(await runXl(['-V'], { stateDir: st, invokedAs: '/usr/local/sbin/xentop' })).to.deep.equal({ stdout: v.stdout, stderr: '', exitCode: 0 });
  });
});
