/**
 * What one background listing is charged in the pace (refresh-pace.ts): our own CPU in reading
 * and observing it, once, and not what other work of the process did while the listing gave the
 * event loop its turns (requests answered between its slices).
 */
import { expect } from 'chai';
import { SnapshotCache } from '../../../src/drivers/xl/snapshot.js';
import type { RunOptions, RunResult, XlExecutor } from '../../../src/drivers/xl/runner.js';

const LIST = 'Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label\n' +
  'Domain-0                                     0  4096     2     r-----      10.0 00000000-0000-0000-0000-000000000000        -                -\n';

/** Spends `ms` of this process's CPU (user and system: reading the usage is a system call). */
function burn(ms: number): void {
  const used = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const end = used() + ms;
  while (used() < end) { /* CPU */ }
}

describe('xl driver: the CPU a background listing is charged', () => {
  it("counts the observer's CPU once, and not the CPU of other work run while it yields", async () => {
    const exec: XlExecutor = {
      calls: 0,
      async run(_args: string[], _o?: RunOptions): Promise<RunResult> {
        // Other work of the process (a request), run in the listing's turns.
        setImmediate(() => burn(60));
        return { stdout: LIST, stderr: '', exitCode: 0 };
      },
    } as XlExecutor;
    const cache = new SnapshotCache(exec, {
      intervalMs: 2000, detectWithinMs: 350, staleAfterMs: 60_000, readWaitMs: 1000, childrenCpuMs: () => undefined,
    }, {
      onSnapshot: async (_snap, _current, turn) => {
        burn(10);
        setImmediate(() => burn(60));
        await (turn ?? ((): Promise<void> => new Promise((r) => setImmediate(r))))();
        burn(10);
      },
    });
    await cache.get();
    const pace = (cache as unknown as { pace: { cpuMs: number; wallMs: number } }).pace;
    // The listing's own cost: xl's (its duration here) and our 20 ms, not the 120 ms of the rest.
    expect(pace.cpuMs - pace.wallMs).to.be.within(15, 45);
  });
});
