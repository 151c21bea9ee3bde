/**
 * An HVM guest without PV drivers (the simulated host's default): RequestStateChange 4 (Shut
 * Down) and 10 (Reboot) are advertised and work — the clean shutdown by the ACPI power button,
 * the reboot as a clean shutdown then a start, since Xen cannot send an HVM guest the ACPI
 * reset. DSP1057 §8.1.
 */
import { expect } from 'chai';
import type { CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { type World, runTo, seed, waitEnabled, world } from '../fixture.js';

describe('providers/dsp1057: HVM guests without PV drivers shut down and reboot', function () {
  this.timeout(30_000);
  let w: World;
  before(async () => {
    w = await world({ host: { hvm_pv_drivers: false, shutdown_seconds: 0.1 } });
    await seed(w);
    await runTo(w.virt, 'db', 'running');
  });
  after(() => w.close());

  /** Runs a request to its end: 0 at once, or 4096 and the job's final state. */
  async function settle(code: number): Promise<{ returnValue: number; jobState?: number; error?: unknown }> {
    const r = await w.rsc('db', code);
    if (r.returnValue !== 4096) return { returnValue: Number(r.returnValue) };
    const ref = r.out['Job'] as CimInstanceName;
    await w.jobs.get(ref.keyString('InstanceID')!)!.done.catch(() => undefined);
    const job = await w.get(ref);
    return { returnValue: 4096, jobState: job.get('JobState') as number, error: job.get('ErrorDescription') };
  }

  it('advertises 4 and 10 while running, and both work', async () => {
    const cs = await w.get(computerSystemName('db'));
    expect(cs.get('AvailableRequestedStates')).to.include.members([4, 10]);
    const domid = (await w.virt.getSystem('db')).live!.domid;

    const reboot = await settle(10);
    expect(reboot.returnValue, 'reboot is not refused').to.be.oneOf([0, 4096]);
    if (reboot.returnValue === 4096) expect(reboot.jobState, String(reboot.error)).to.equal(7);
    await waitEnabled(w, 'db', 2);
    const after = await w.virt.getSystem('db');
    expect(after.live!.domid, 'a new domain: powered off and started again').to.not.equal(domid);

    const shutdown = await settle(4);
    expect(shutdown.returnValue).to.equal(4096);
    expect(shutdown.jobState, String(shutdown.error)).to.equal(7);
    await waitEnabled(w, 'db', 3);
  });
});
