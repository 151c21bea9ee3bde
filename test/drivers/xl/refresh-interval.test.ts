/**
 * The background refresh adapts to what `xl list -v` costs (snapshot.ts minIntervalMs): ten
 * times its duration, between the minimum and the interval. A small host is seen every few
 * hundred ms; a host whose listing is slow is listed less often.
 */
import { expect } from 'chai';
import { SnapshotCache } from '../../../src/drivers/xl/snapshot.js';
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

async function refreshesIn(ms: number, costMs: number, opts: { intervalMs: number; minIntervalMs?: number }): Promise<number> {
  const exec = new TimedList(costMs);
  const cache = new SnapshotCache(exec, { ...opts, staleAfterMs: 60_000, readWaitMs: 1000 });
  await cache.get();
  const before = exec.calls;
  cache.start();
  await new Promise((r) => setTimeout(r, ms));
  cache.stop();
  return exec.calls - before;
}

describe('xl driver: the refresh interval follows what xl list costs', function () {
  this.timeout(10_000);

  it('a quick listing is repeated at the minimum interval; a fixed interval stays fixed', async () => {
    const [adaptive, fixed] = await Promise.all([
      refreshesIn(1300, 2, { intervalMs: 2000, minIntervalMs: 250 }),
      refreshesIn(1300, 2, { intervalMs: 2000 }),
    ]);
    expect(adaptive).to.be.within(3, 6);
    expect(fixed).to.equal(0);
  });

  it('a slow listing (100 ms) is repeated about every second, never more than the interval apart', async () => {
    const slow = await refreshesIn(2400, 100, { intervalMs: 2000, minIntervalMs: 250 });
    expect(slow).to.be.within(1, 3);
  });
});
