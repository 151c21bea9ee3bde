/**
 * A stop waits for the tool calls still running (calls-in-flight.ts): a background `xl list -v`
 * started just before the stop must not go on writing into the data directory after it.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import type { RunOptions, RunResult, XlExecutor } from '../../../src/drivers/xl/runner.js';
import { InProcessXl } from '../../support/in-process-xl.js';
import { simStateDir, TEST_BRIDGES } from '../../support/xl-backend.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The in-process simulator, with `list` held back `delayMs` once armed; records when each held call ended. */
class HeldList implements XlExecutor {
  delayMs = 0;
  readonly ended: number[] = [];
  constructor(private readonly xl: InProcessXl) {}
  get calls(): number {
    return this.xl.calls;
  }
  async run(args: string[], opts?: RunOptions): Promise<RunResult> {
    if (args[0] === 'list' && this.delayMs > 0) {
      await sleep(this.delayMs);
      const r = await this.xl.run(args, opts);
      this.ended.push(Date.now());
      return r;
    }
    return this.xl.run(args, opts);
  }
}

describe('xl driver: a stop waits for the tool calls still running', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-close-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    writeFileSync(join(simStateDir(dir), 'host.json'), JSON.stringify({ bridges: TEST_BRIDGES }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('close() returns only after a background listing under way has ended', async () => {
    const exec = new HeldList(new InProcessXl({ stateDir: simStateDir(dir) }));
    const driver = new XlDriver({ dataDir: dir, xlPath: 'xl-sim (in-process)', executor: exec, refreshIntervalMs: 30 });
    await driver.init();
    exec.delayMs = 400;
    await sleep(120); // the background's next listing is held now
    await driver.close();
    const closedAt = Date.now();
    expect(exec.ended.length, 'a held listing ended before close() returned').to.be.greaterThan(0);
    expect(exec.ended[0]).to.be.at.most(closedAt);
  });

  it('after close(), a change of ours ending late (a job the stop did not drain) starts no listing, and reads run no xl', async () => {
    const exec = new HeldList(new InProcessXl({ stateDir: simStateDir(dir) }));
    const driver = new XlDriver({ dataDir: dir, xlPath: 'xl-sim (in-process)', executor: exec, refreshIntervalMs: 60_000 });
    await driver.init();
    await driver.close();
    const calls = exec.calls;
    driver.invalidate(); // as at the end of that change
    await driver.list();
    await sleep(50);
    expect(exec.calls, 'xl ran after the stop').to.equal(calls);
  });
});
