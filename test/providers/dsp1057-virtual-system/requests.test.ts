/**
 * RequestStateChange against a job in progress: a conflicting request is refused busy (4099) at
 * once, and RequestStateChange 4/5 on the Xen_ConcreteJob really stops the operation (the
 * hypervisor tool is killed, the job ends Terminated and says why). DSP1057 §8.1, DSP1103.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { SYNC_BUDGET_MS, syncBudgetOf } from '../../../src/providers/shared/budget.js';
import { type World, runTo, seed, world } from '../fixture.js';

describe('providers/dsp1057: RequestStateChange while a job runs', function () {
  this.timeout(30_000);
  let w: World;
  const hang = (command: string) => writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command, mode: 'hang', count: 1 }] }));
  const cs = (name: string) => w.get(computerSystemName(name));
  const job = (ref: CimInstanceName) => w.get(ref);
  const stopJob = (ref: CimInstanceName, code: number) => w.extrinsic(ref, 'RequestStateChange', [{ name: 'RequestedState', value: code }]);

  beforeEach(async () => {
    w = await world();
    await seed(w);
  });
  afterEach(() => w.close());

  for (const [code, word, done, state] of [[4, 'Terminate', 'terminated', 8], [5, 'Kill', 'killed', 9]] as const) {
    it(`a conflicting request is 4099 at once; ${code} ${word} on the job kills the hung save and says so`, async () => {
      hang('save');
      const save = await w.rsc('web', 6);
      expect(save.returnValue, 'a save is a job').to.equal(4096);
      const ref = save.out['Job'] as CimInstanceName;
      expect((await job(ref)).get('JobState'), 'running').to.equal(4);

      const t0 = Date.now();
      expect((await w.rsc('web', 9)).returnValue, 'pause during the save').to.equal(4099);
      expect((await w.rsc('web', 3)).returnValue, 'hard stop during the save').to.equal(4099);
      expect(Date.now() - t0, 'refused at once, not queued').to.be.below(2_000);
      expect(w.jobs.list().filter((j) => j.target === 'web' && !j.finished), 'no second job').to.have.length(1);

      const t1 = Date.now();
      expect((await stopJob(ref, code)).returnValue).to.equal(0);
      await w.jobs.get(ref.keyString('InstanceID')!)!.done.catch(() => undefined);
      expect(Date.now() - t1, 'the xl call was killed, not left to its timeout').to.be.below(3_000);
      const j = await job(ref);
      expect(j.get('JobState'), '8 Terminated, 9 Killed').to.equal(state);
      expect(String(j.get('ErrorDescription'))).to.match(new RegExp(`^${done} on request \\(RequestStateChange ${code}\\)`));

      // The system is usable again: the lock is free and the save did not happen.
      expect((await cs('web')).get('EnabledState')).to.equal(2);
      expect((await w.rsc('web', 9)).returnValue).to.equal(0);
      await runTo(w.virt, 'web', 'running');
    });
  }

  it('a request whose change fails leaves RequestedState as it was (CIM_EnabledLogicalElement: set on 0, 3 or 4096 only)', async () => {
    // 'db' was defined and never asked for anything: 12 Not Applicable.
    expect((await cs('db')).get('RequestedState')).to.equal(12);
    writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'create', mode: 'fail', count: 1 }] }));
    await w.rsc('db', 2).then(() => { throw new Error('the failed start was answered as a success'); }, () => undefined);
    const db = await cs('db');
    expect([db.get('EnabledState'), db.get('RequestedState')]).to.deep.equal([3, 12]);
    // 'web' runs as requested (2); a pause that fails leaves 2.
    writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'pause', mode: 'fail', count: 1 }] }));
    await w.rsc('web', 9).then(() => { throw new Error('the failed pause was answered as a success'); }, () => undefined);
    const web = await cs('web');
    expect([web.get('EnabledState'), web.get('RequestedState')]).to.deep.equal([2, 2]);
    // The request that works is recorded.
    expect((await w.rsc('web', 9)).returnValue).to.equal(0);
    expect((await cs('web')).get('RequestedState')).to.equal(9);
  });

  it('a quick change that hangs answers 4096 within the sync budget, well before a client times out', async () => {
    // The shipped budget, used where a deployment sets none, is well under pywbem's 30 s default;
    // the request runs with a short one so as not to wait it out.
    expect(syncBudgetOf({ ...w.deps, syncBudgetMs: undefined })).to.equal(SYNC_BUDGET_MS);
    expect(SYNC_BUDGET_MS, 'well under pywbem\'s 30 s default').to.be.at.most(10_000);
    const budget = 400;
    w.deps.syncBudgetMs = budget;
    hang('pause');
    const t0 = Date.now();
    const r = await w.rsc('web', 9);
    const took = Date.now() - t0;
    expect(r.returnValue, 'the hung pause became a job').to.equal(4096);
    expect(took).to.be.within(budget - 100, budget + 2_000);
    const ref = r.out['Job'] as CimInstanceName;
    expect((await stopJob(ref, 5)).returnValue).to.equal(0);
    await w.jobs.get(ref.keyString('InstanceID')!)!.done.catch(() => undefined);
    expect((await cs('web')).get('EnabledState')).to.equal(2);
  });
});
