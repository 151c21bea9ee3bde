/**
 * The background refresh's pace (refresh-pace.ts): a change made with xl behind the server's back
 * is seen within the detection target while the periodic listings stay within their share of one
 * CPU; when a listing costs more than that share allows, the CPU bound wins (and it is logged).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtManager } from '../../../src/virt/manager.js';
import { createTestDriver, xlBehindTheBack } from '../../support/xl-backend.js';
import { SnapshotCache } from '../../../src/drivers/xl/snapshot.js';
import { listingCpuMs, RefreshPace } from '../../../src/drivers/xl/refresh-pace.js';
import type { RunOptions, RunResult, XlExecutor } from '../../../src/drivers/xl/runner.js';

const LIST = 'Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label\n' +
  'Domain-0                                     0  4096     2     r-----      10.0 00000000-0000-0000-0000-000000000000        -                -\n';

class TimedList implements XlExecutor {
  calls = 0;
  constructor(private readonly costMs: number) {}
  async run(args: string[], _opts?: RunOptions): Promise<RunResult> {
    this.calls++;
    await new Promise((r) => setTimeout(r, this.costMs));
    if (args[0] !== 'list') throw new Error(`unexpected xl ${args.join(' ')}`);
    return { stdout: LIST, stderr: '', exitCode: 0 };
  }
}

interface Opts { intervalMs: number; detectWithinMs?: number; maxCpuShare?: number }

async function refreshesIn(ms: number, costMs: number, opts: Opts, log: string[] = []): Promise<number> {
  const exec = new TimedList(costMs);
  // The listing runs in this process: its duration is its cost (no child CPU from other tests'
  // processes ending meanwhile).
  const cache = new SnapshotCache(exec, { ...opts, staleAfterMs: 60_000, readWaitMs: 1000, log: (_l, m) => log.push(m), childrenCpuMs: () => undefined });
  await cache.get();
  const before = exec.calls;
  cache.start();
  await new Promise((r) => setTimeout(r, ms));
  cache.stop();
  return exec.calls - before;
}

describe('xl driver: the pace of the background refresh', function () {
  this.timeout(10_000);

  describe('RefreshPace', () => {
    const pace = (wallMs: number, cpuMs: number, o: Partial<ConstructorParameters<typeof RefreshPace>[0]> = {}): RefreshPace => {
      const p = new RefreshPace({ detectWithinMs: 350, maxCpuShare: 0.2, maxIntervalMs: 2000, ...o });
      p.record(wallMs, cpuMs);
      return p;
    };

    it('a cheap listing is repeated so that a change shows within the target (one period and one listing)', () => {
      const p = pace(20, 15);
      expect(p.periodMs()).to.equal(330);
      expect(p.detectionMs()).to.equal(350);
      expect(p.withinTarget()).to.equal(true);
      expect(p.cpuShare()).to.be.closeTo(15 / 330, 1e-9);
      // The wait after a listing makes the period start to start.
      expect(p.delayAfter(20)).to.equal(310);
    });

    it('a listing whose CPU the share does not allow at that period is repeated less often: the CPU bound wins', () => {
      const p = pace(120, 100);
      expect(p.periodMs()).to.equal(500);
      expect(p.cpuShare()).to.be.closeTo(0.2, 1e-9);
      expect(p.detectionMs()).to.equal(620);
      expect(p.withinTarget()).to.equal(false);
    });

    it('never further apart than the longest interval, never back to back', () => {
      expect(pace(900, 800).periodMs()).to.equal(2000);
      const busy = pace(400, 10);
      expect(busy.delayAfter(400)).to.equal(25);
    });

    it('one slow listing only nudges the pace', () => {
      const p = pace(20, 15);
      p.record(300, 200);
      expect(p.periodMs()).to.be.within(330, 360);
    });

    it('says once when changes show late, at most once a minute, and when they show in time again', () => {
      const p = pace(120, 100);
      expect(p.report(0)).to.match(/show within 620 ms \(target 350 ms\)/);
      expect(p.report(1_000)).to.equal(undefined);
      for (let i = 0; i < 20; i++) p.record(20, 15);
      expect(p.report(30_000)).to.equal(undefined); // within the minute
      expect(p.report(61_000)).to.match(/within 350 ms again/);
      expect(p.report(200_000)).to.equal(undefined);
    });

    it('relaxed while nobody watches for changes: the longest interval and a twentieth of one CPU; prompt again when someone does', () => {
      const p = pace(20, 15);
      expect(p.setPrompt(false)).to.equal(true);
      expect(p.setPrompt(false)).to.equal(false);
      expect(p.periodMs()).to.equal(1980); // detection within the longest interval (2000 ms)
      const costly = pace(120, 150);
      costly.setPrompt(false);
      expect(costly.periodMs()).to.equal(2000); // 150 ms at 5 % would be 3 s: the longest interval caps it
      const mid = pace(40, 60);
      mid.setPrompt(false);
      expect(mid.cpuShare()).to.be.at.most(0.05 + 1e-9);
      expect(p.setPrompt(true)).to.equal(true);
      expect(p.periodMs()).to.equal(330);
    });

    it("a listing's CPU is xl's (bounded by its duration, or its duration when it cannot be told) plus ours", () => {
      expect(listingCpuMs(50, 40, 3)).to.equal(43);
      expect(listingCpuMs(50, 90, 3)).to.equal(53); // another call ended meanwhile
      expect(listingCpuMs(50, undefined, 3)).to.equal(53); // no /proc
      expect(listingCpuMs(50, 0, 3)).to.equal(53); // in-process xl, or under a tick
    });
  });

  it('a quick listing is repeated about every 350 ms; a fixed interval stays fixed', async () => {
    const [paced, fixed] = await Promise.all([
      refreshesIn(1300, 2, { intervalMs: 2000, detectWithinMs: 350 }),
      refreshesIn(1300, 2, { intervalMs: 2000 }),
    ]);
    expect(paced).to.be.within(3, 5);
    expect(fixed).to.equal(0);
  });

  it('a costly listing (100 ms) is repeated within its CPU share (every 500 ms at 20 %), and that is logged once', async () => {
    const log: string[] = [];
    const slow = await refreshesIn(2400, 100, { intervalMs: 2000, detectWithinMs: 350, maxCpuShare: 0.2 }, log);
    // About 4; never more often than the share allows (a loaded machine stretches the listing's wall time, its stand-in for CPU here).
    expect(slow).to.be.within(1, 5);
    expect(log.filter((l) => /behind the server's back show within/.test(l))).to.have.length(1);
  });

  it('with the default pace, a pause made with xl behind the driver\'s back (no domain event) is reported within the target, not seconds later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xl-pace-'));
    mkdirSync(join(dir, 'xl-sim'), { recursive: true });
    const driver = createTestDriver(dir, { commandTimeoutMs: 10_000 });
    try {
      const vm = new VirtManager(driver, { pollIntervalMs: 20 });
      await vm.init();
      await vm.defineSystem({ name: 'b', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
      await vm.requestState('b', 'running');
      const seen: string[] = [];
      driver.onObserved((c) => seen.push(`${c.name}:${c.to}`));
      const delays: number[] = [];
      for (const [cmd, state] of [['pause', 'paused'], ['unpause', 'running'], ['pause', 'paused']] as const) {
        await xlBehindTheBack(dir, cmd, 'b');
        const t0 = performance.now();
        while (!seen.includes(`b:${state}`)) {
          if (performance.now() - t0 > 5_000) expect.fail(`xl ${cmd} not reported within 5 s`);
          await new Promise((r) => setTimeout(r, 5));
        }
        delays.push(performance.now() - t0);
        seen.length = 0;
      }
      // 350 ms on a quiet machine; the bound leaves room for a loaded one, far below the 2 s of the longest interval.
      expect([...delays].sort((x, y) => x - y)[1]).to.be.below(1_000);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });
});
