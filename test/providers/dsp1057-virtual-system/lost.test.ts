/**
 * A system lost behind the server's back (destroyed with xl directly, or crashed) while its
 * definition says it should run: HealthState 20 Major Failure and OperationalStatus 6 Error
 * (DSP1057 §7.1), a log line that says when, and a start recovers it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import type { CimInstance } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { ROOT, type World, runTo, seed, world } from '../fixture.js';

describe('providers/dsp1057: a system lost behind our back', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => {
    w = await world();
    await seed(w);
  });
  afterEach(() => w.close());

  const xl = (...args: string[]) => execa(path.join(ROOT, 'bin', 'xl-sim'), args, { env: { XL_SIM_STATE: path.join(w.dir, 'xl-sim') } });
  const view = (c: CimInstance) => ({ enabled: c.get('EnabledState'), operational: c.get('OperationalStatus'), health: c.get('HealthState') });
  /** Reads the system until `done` holds (the loss is confirmed after it stays gone a moment). */
  async function until(name: string, done: (c: CimInstance) => boolean): Promise<CimInstance> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const c = await w.get(computerSystemName(name));
      if (done(c) || Date.now() > deadline) return c;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('destroyed with xl directly: Major Failure / Error, logged with the time; a start recovers it', async () => {
    expect(view(await w.get(computerSystemName('web')))).to.deep.equal({ enabled: 2, operational: [2], health: 5 });
    await xl('destroy', 'web');
    const c = await until('web', (x) => x.get('HealthState') !== 5);
    expect(view(c)).to.deep.equal({ enabled: 3, operational: [6], health: 20 });
    expect(c.get('RequestedState'), 'what was asked is kept').to.equal(2);
    expect(w.logs.join('\n')).to.match(/'web' was found gone from the hypervisor at \d{4}-\d\d-\d\dT[\d:.]+Z although it was expected to run/);
    // A system never asked to run is simply off, not lost.
    expect(view(await w.get(computerSystemName('db')))).to.deep.equal({ enabled: 3, operational: [15], health: 5 });

    expect((await w.rsc('web', 2)).returnValue).to.equal(0);
    expect(view(await w.get(computerSystemName('web')))).to.deep.equal({ enabled: 2, operational: [2], health: 5 });
  });

  it('crashed and kept by the hypervisor: Major Failure / Error, logged; a reset recovers it', async () => {
    // on_crash applies from the next start: a system defined with it.
    await w.virt.defineSystem({ name: 'keep', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' }, onCrash: 'preserve' });
    await runTo(w.virt, 'keep', 'running');
    writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ crash: ['keep'] }));
    const c = await until('keep', (x) => x.get('HealthState') !== 5);
    expect(view(c)).to.deep.equal({ enabled: 3, operational: [6], health: 20 });
    expect(w.logs.join('\n')).to.match(/'keep' was found crashed at \d{4}-/);
    await runTo(w.virt, 'keep', 'reset');
    expect(view(await w.get(computerSystemName('keep')))).to.deep.equal({ enabled: 2, operational: [2], health: 5 });
  });
});
