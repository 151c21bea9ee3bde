/**
 * A save cut midway on a host whose xl really suspends the guest first (bin/xl-sim as a process,
 * killed at its deadline like xl): the guest is left suspended, which no xl command resumes. The
 * driver powers it off and says so, instead of a system shown suspending for ever that could be
 * neither started nor destroyed; a guest found suspended behind our back can be destroyed.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XlRunner, type XlExecutor } from '../../../src/drivers/xl/runner.js';
import { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { runXl } from '../../../src/sim/run-xl.js';
import { XL_SIM } from '../../sim/helpers.js';

/** Long enough for xl-sim to start and suspend the guest on a loaded machine, short of the save's 8 s. */
const SAVE_DEADLINE_MS = 3000;

describe('xl driver: a save cut after the guest was suspended', function () {
  this.timeout(30_000);
  let dir: string;
  let st: string;
  let driver: XlDriver;
  let runner: XlRunner;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-save-cut-'));
    st = join(dir, 'xl-sim');
    mkdirSync(st, { recursive: true });
    // 512 MiB at 64 MiB/s: eight seconds of writing, well past the save's deadline of SAVE_DEADLINE_MS
    // (only the save's: the other commands keep theirs, which a loaded machine needs).
    writeFileSync(join(st, 'host.json'), JSON.stringify({ save_mib_per_sec: 64 }));
    runner = new XlRunner({ xlPath: XL_SIM, env: { XL_SIM_STATE: st } });
    const shortSave: XlExecutor = {
      run: (args, o) => runner.run(args, args[0] === 'save' ? { ...o, timeoutMs: SAVE_DEADLINE_MS } : o),
      get calls() { return runner.calls; },
    };
    driver = new XlDriver({ dataDir: dir, xlPath: XL_SIM, executor: shortSave, refreshIntervalMs: 60_000 });
    await driver.init();
    await driver.define({ name: 's', type: 'pv', memoryMiB: 512, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
    await driver.start('s');
  });
  /**
   * Resolves once xl shows 's' suspended by a save (state `---ss-`), whatever the machine's load.
   * Asked of the simulator in this process (the same host state; a bin/xl-sim process per look
   * would cost more CPU than the save it watches).
   */
  const suspended = async (): Promise<void> => {
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      const line = (await runXl(['list'], { stateDir: st })).stdout.split('\n').find((l) => l.startsWith('s '));
      if (line?.split(/\s+/)[4]?.[3] === 's') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the save never suspended the guest');
  };

  /**
   * The state a fresh picture shows. A read waits at most 2 s for the picture a change asked for
   * (then it is served the last one, marked stale): on a loaded machine xl-sim's listing can take
   * longer, so the test waits for the state it expects, up to 20 s, and reports the last one seen.
   */
  const stateBecomes = async (want: string): Promise<string> => {
    driver.invalidate();
    let seen = (await driver.get('s')).state as string;
    for (const until = Date.now() + 20_000; seen !== want && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await driver.get('s')).state;
    }
    return seen;
  };

  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('killed at its deadline: the suspended guest is powered off, the error says so, and the system can start again', async () => {
    const err = await driver.save('s').then(() => undefined, (e: unknown) => e);
    expect(VirtError.is(err, 'timeout'), String(err)).to.equal(true);
    expect((err as Error).message).to.match(/killed; 's' had been suspended for the save, which no xl command resumes: it was powered off/);
    expect(await stateBecomes('defined')).to.equal('defined');
    expect((await runner.run(['list'])).stdout).to.not.match(/^s /m);
    await driver.start('s');
    expect(await stateBecomes('running')).to.equal('running');
  });

  it('a snapshot\'s checkpoint (save -c) cancelled while it writes: the guest it left suspended is powered off, and the error says so', async () => {
    const system = await driver.get('s');
    const into = join(dir, 'snap');
    mkdirSync(into);
    const cancel = new AbortController();
    const capture = driver.snapshots.capture(system, into, { memory: true, tag: 'xenwbem-0123456789ab', signal: cancel.signal }).then(() => undefined, (e: unknown) => e);
    await suspended();
    cancel.abort(new Error('job terminated'));
    const err = await capture;
    expect(String((err as Error)?.message)).to.match(/had been suspended for the save, which no xl command resumes: it was powered off/);
    expect(await stateBecomes('defined')).to.equal('defined');
  });

  it('a guest left suspended by a save behind our back is shown suspending and can be destroyed', async () => {
    const save = execa(XL_SIM, ['save', 's', join(dir, 'elsewhere.save')], { env: { XL_SIM_STATE: st }, reject: false });
    await suspended();
    save.kill('SIGKILL');
    await save;
    expect(await stateBecomes('suspending')).to.equal('suspending');
    await driver.destroy('s');
    expect(await stateBecomes('defined')).to.equal('defined');
  });
});
