/**
 * VSMS methods that run hypervisor calls answer 4096 with a job when the work outlasts the sync
 * budget (DSP1042 §8.2 with DSP1103): a hung `xl destroy` or hot-plug never keeps the client
 * waiting, and terminating the job kills the hung call and leaves the system as it was.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName, rasdName } from '../../../src/providers/shared/naming.js';
import { type World, seed, world } from '../fixture.js';

describe('providers/dsp1042: VSMS methods become jobs when they outlast the budget', function () {
  this.timeout(30_000);
  const BUDGET = 300;
  let w: World;
  const hang = (command: string) => writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command, mode: 'hang', count: 1 }] }));
  const stopJob = (ref: CimInstanceName) => w.extrinsic(ref, 'RequestStateChange', [{ name: 'RequestedState', value: 4 }]);

  beforeEach(async () => {
    w = await world({ syncBudgetMs: BUDGET });
    await seed(w);
  });
  afterEach(() => w.close());

  it('DestroySystem with a hung xl destroy answers 4096 within the budget; terminating the job kills it and keeps the system', async () => {
    hang('destroy');
    const t0 = Date.now();
    const r = await w.call('DestroySystem', { AffectedSystem: computerSystemName('web') });
    expect(r.returnValue).to.equal(4096);
    expect(Date.now() - t0).to.be.below(BUDGET + 1_500);
    const ref = r.out['Job'] as CimInstanceName;
    const job = await w.get(ref);
    expect(job.get('JobState'), 'running').to.equal(4);
    expect(String(job.get('Description'))).to.match(/deletion of web \(affects web\)/);
    // The system is busy with the job: a state change is refused at once.
    expect((await w.rsc('web', 9)).returnValue).to.equal(4099);

    const t1 = Date.now();
    expect((await stopJob(ref)).returnValue).to.equal(0);
    await w.jobs.get(ref.keyString('InstanceID')!)!.done.catch(() => undefined);
    expect(Date.now() - t1, 'the hung xl destroy was killed').to.be.below(3_000);
    expect((await w.get(ref)).get('JobState'), 'Terminated').to.equal(8);
    const sys = await w.get(computerSystemName('web'));
    expect(sys.get('EnabledState'), 'still running, still defined').to.equal(2);
    // Without the fault the same call completes synchronously (with the default budget: 300 ms
    // can pass on a loaded machine even for a destroy that does not hang).
    w.deps.syncBudgetMs = 5_000;
    expect((await w.call('DestroySystem', { AffectedSystem: computerSystemName('web') })).returnValue).to.equal(0);
  });

  it('a quick DestroySystem still completes before answering (0, no job)', async () => {
    w.deps.syncBudgetMs = 5_000; // quick, but not always within 300 ms on a loaded machine
    const before = w.jobs.list().length;
    expect((await w.call('DestroySystem', { AffectedSystem: computerSystemName('db') })).returnValue).to.equal(0);
    const jobs = w.jobs.list();
    expect(jobs.length).to.equal(before + 1);
    expect(jobs.at(-1)!.state).to.equal('completed');
  });

  it('RemoveResourceSettings with a hung hot-unplug answers 4096; terminating the job kills the unplug and keeps the interface', async () => {
    hang('network-detach');
    const web = await w.virt.getSystem('web');
    const mac = web.config.nics[0]!.mac;
    const r = await w.call('RemoveResourceSettings', { ResourceSettings: [rasdName('web', 'network', mac)] });
    expect(r.returnValue).to.equal(4096);
    const ref = r.out['Job'] as CimInstanceName;
    expect((await w.get(ref)).get('JobState')).to.equal(4);
    const t1 = Date.now();
    expect((await stopJob(ref)).returnValue).to.equal(0);
    await w.jobs.get(ref.keyString('InstanceID')!)!.done.catch(() => undefined);
    expect(Date.now() - t1, 'the hung xl network-detach was killed, not left to its deadline').to.be.below(3_000);
    expect((await w.get(ref)).get('JobState'), 'Terminated').to.equal(8);
    expect((await w.virt.getSystem('web')).config.nics.map((n) => n.mac)).to.deep.equal([mac]);
  });

  it('a refusal is still an error at once, not a job', async () => {
    const before = w.jobs.list().length;
    const bad = await w.call('RemoveResourceSettings', { ResourceSettings: [rasdName('web', 'network', '00:16:3e:99:99:99')] }).then(() => null, (e: unknown) => e);
    expect(String(bad)).to.match(/NOT_FOUND|does not exist/);
    expect(w.jobs.list().length).to.equal(before);
  });
});
