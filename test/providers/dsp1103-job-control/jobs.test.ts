import { expect } from 'chai';
import {
  CIM_ERR, CimDateTime, CimError, CimInstance, type CimValue, type ExtrinsicRequest, NameMap,
} from '../../../src/cim/index.js';
import { VirtError } from '../../../src/virt/index.js';
import { VIRT_NS, VSMS_CLASS, VSMS_NAME, computerSystemName, instanceIdName, serviceName } from '../../../src/providers/shared/naming.js';
import { type World, admin, associatorNames, seed, world } from '../fixture.js';

const JOB = 'Xen_ConcreteJob';
const jobRef = (id: string) => instanceIdName(JOB, id);

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => { open = r; });
  return { promise, open };
}

const params = (o: Record<string, CimValue>) => new NameMap<CimValue>(Object.entries(o));

describe('providers/dsp1103: jobs', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  const get = (id: string) => w.provider(JOB).getInstance!(w.ctx(), jobRef(id), { propertyList: null });

  it('maps a running then completed job: JobState 4 → 7, PercentComplete, times, TimeBeforeRemoval', async () => {
    const g = gate();
    const job = w.jobs.start('state change of web to paused', 'web', async (ctx) => { ctx.progress(40); await g.promise; return 1; });
    await new Promise((r) => setTimeout(r, 10));
    let i = await get(job.id);
    expect(i.get('JobState')).to.equal(4);
    expect(i.get('PercentComplete')).to.equal(40);
    expect(i.get('Name')).to.equal('state change of web to paused');
    expect(i.get('ErrorCode')).to.equal(null);
    expect(i.get('DeleteOnCompletion')).to.equal(true);
    expect(String(i.get('TimeBeforeRemoval'))).to.equal('00000000000500.000000:000');
    expect(i.get('TimeSubmitted')).to.be.instanceOf(CimDateTime);
    expect(i.get('StartTime')).to.be.instanceOf(CimDateTime);
    g.open();
    await job.done;
    i = await get(job.id);
    expect(i.get('JobState')).to.equal(7);
    expect(i.get('PercentComplete')).to.equal(100);
    expect(i.get('OperationalStatus')).to.deep.equal([2, 17]);
    expect((i.get('ElapsedTime') as CimDateTime).isInterval).to.equal(true);
    expect(i.get('ErrorDescription')).to.equal(null);
    // CIM_Job.ErrorCode: zero once the job completed without error; none while it runs.
    expect(i.get('ErrorCode')).to.equal(0);
  });

  it('a failed job is JobState 10 with ErrorCode/ErrorDescription, and GetError returns an embedded CIM_Error', async () => {
    const job = w.jobs.start('migration of web to nowhere', 'web', async () => { throw new VirtError('not_found', 'host nowhere unknown'); });
    await job.done.catch(() => {});
    const i = await get(job.id);
    expect(i.get('JobState')).to.equal(10);
    expect(i.get('ErrorCode')).to.equal(6);
    expect(i.get('ErrorDescription')).to.contain('host nowhere unknown');
    const r = await w.provider(JOB).invokeMethod!(w.ctx(), jobRef(job.id), 'GetError', new NameMap());
    expect(r.returnValue).to.equal(0);
    const err = r.out!['Error'] as CimInstance;
    expect(err.className).to.equal('CIM_Error');
    expect(err.get('Message')).to.contain('host nowhere unknown');
    expect(err.get('CIMStatusCode')).to.equal(6);

    // Through operations/: the OUT parameter is typed through the method declaration.
    const req: ExtrinsicRequest = { kind: 'extrinsic', method: 'GetErrors', target: jobRef(job.id), params: [], namespace: VIRT_NS, messageId: '1', protocolVersion: '1.0' };
    const res = await w.ops.extrinsic(req, { name: 'viewer', role: 'reader' });
    expect(res.returnValue).to.equal(0);
    expect((res.out[0]!.value as CimInstance[])[0]!.get('ErrorSourceFormat')).to.equal(2);
  });

  it('RequestStateChange: 4 Terminate cancels a running job; a finished one is 4097; 2 is 1; unknown is 5', async () => {
    const g = gate();
    const job = w.jobs.start('slow', 'web', async (ctx) => {
      await Promise.race([g.promise, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('aborted'))))]);
    });
    await new Promise((r) => setTimeout(r, 5));
    const p = w.provider(JOB);
    expect(p.methodRole!('RequestStateChange', JOB)).to.equal('operator');
    expect((await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 2 }))).returnValue).to.equal(1);
    expect((await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 99 }))).returnValue).to.equal(5);
    expect((await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 4 }))).returnValue).to.equal(0);
    await job.done.catch(() => {});
    expect((await get(job.id)).get('JobState')).to.equal(8);
    expect((await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 5 }))).returnValue).to.equal(4097);
    const timed = await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 4, TimeoutPeriod: CimDateTime.interval(1000) }));
    expect(timed.returnValue).to.equal(4098);
  });

  it('RequestStateChange 5 Kill ends the job Killed (JobState 9), not Terminated (CIM_ConcreteJob.JobState)', async () => {
    const job = w.jobs.start('slow', 'web', (ctx) => new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('aborted')))));
    await new Promise((r) => setTimeout(r, 5));
    const p = w.provider(JOB);
    expect((await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 5 }))).returnValue).to.equal(0);
    await job.done.catch(() => {});
    const i = await get(job.id);
    expect(i.get('JobState')).to.equal(9);
    expect(i.get('JobStatus')).to.equal('Killed on request');
    expect(i.get('ErrorDescription')).to.contain('killed on request (RequestStateChange 5)');
    // A kill that came after the job had ended changes nothing.
    expect((await p.invokeMethod!(w.ctx(), jobRef(job.id), 'RequestStateChange', params({ RequestedState: 4 }))).returnValue).to.equal(4097);
    expect((await get(job.id)).get('JobState')).to.equal(9);
  });

  it('stopping a job started by an admin-only method (a deletion, a resource change, a migration) needs the admin role', async () => {
    const operator = { ...w.ctx(), principal: { name: 'op', role: 'operator' as const } };
    const hang = (ctx: { signal: AbortSignal }) => new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('aborted'))));
    const p = w.provider(JOB);
    const deletion = w.jobs.start('deletion of web', 'web', hang, undefined, 'deletion');
    const resources = w.jobs.start('ModifyResourceSettings of web', 'web', hang, undefined, 'resource change');
    const state = w.jobs.start('state change of web to paused', 'web', hang, undefined, 'state change');
    const snapshot = w.jobs.start('snapshot of web', 'web', hang, undefined, 'snapshot');
    await new Promise((r) => setTimeout(r, 5));
    for (const j of [deletion, resources]) {
      const e = await p.invokeMethod!(operator, jobRef(j.id), 'RequestStateChange', params({ RequestedState: 4 })).then(() => undefined, (x: unknown) => x);
      expect(e, j.name).to.be.instanceOf(CimError);
      expect((e as CimError).code).to.equal(CIM_ERR.ACCESS_DENIED);
      expect((e as CimError).message).to.match(/requires the admin role/);
      expect(j.state, 'nothing was stopped').to.equal('running');
    }
    for (const j of [state, snapshot]) {
      expect((await p.invokeMethod!(operator, jobRef(j.id), 'RequestStateChange', params({ RequestedState: 4 }))).returnValue, j.name).to.equal(0);
    }
    expect((await p.invokeMethod!(w.ctx(), jobRef(deletion.id), 'RequestStateChange', params({ RequestedState: 5 }))).returnValue).to.equal(0);
    expect((await p.invokeMethod!(w.ctx(), jobRef(resources.id), 'RequestStateChange', params({ RequestedState: 4 }))).returnValue).to.equal(0);
    await Promise.all([deletion, resources, state, snapshot].map((j) => j.done.catch(() => {})));
  });

  it('DeleteInstance removes a finished job and refuses a running one', async () => {
    const g = gate();
    const running = w.jobs.start('slow', 'web', () => g.promise);
    const p = w.provider(JOB);
    const e = await p.deleteInstance!(w.ctx(), jobRef(running.id)).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('code', CIM_ERR.FAILED);
    g.open();
    await running.done;
    await p.deleteInstance!(w.ctx(), jobRef(running.id));
    const gone = await get(running.id).catch((x: unknown) => x);
    expect(gone).to.be.instanceOf(CimError).with.property('code', CIM_ERR.NOT_FOUND);
  });

  it('a job is found under its own class only: a Xen_ConcreteJob path naming a migration job is NOT_FOUND for every operation', async () => {
    const g = gate();
    const migration = w.jobs.start('migrate web to hostB', 'web', () => g.promise);
    const p = w.provider(JOB);
    const wrong = jobRef(migration.id);
    const notFound = async (x: Promise<unknown>) => expect(await x.catch((e: unknown) => e)).to.be.instanceOf(CimError).with.property('code', CIM_ERR.NOT_FOUND);
    await notFound(get(migration.id));
    await notFound(p.invokeMethod!(w.ctx(), wrong, 'RequestStateChange', params({ RequestedState: 4 })));
    await notFound(p.invokeMethod!(w.ctx(), wrong, 'GetError', new NameMap()));
    expect(migration.state).to.equal('running');
    g.open();
    await migration.done;
    await notFound(p.deleteInstance!(w.ctx(), wrong));
    expect(w.jobs.get(migration.id)).to.equal(migration);
  });

  it('a real state-change job: owned by the VSMS, affecting its virtual system', async () => {
    const change = await w.virt.requestStateChange('web', 'paused');
    if (change.kind !== 'job') throw new Error('web was expected to be running');
    const job = change.job;
    // Its kind, not its name, decides that an operator may stop it.
    expect(job.kind).to.equal('state change');
    await job.done;
    const owner = await associatorNames(w, jobRef(job.id), VIRT_NS, { AssocClass: 'CIM_OwningJobElement' });
    expect(owner.map((n) => n.local().identity())).to.deep.equal([serviceName(VSMS_CLASS, VSMS_NAME, 'testhost').identity()]);
    const affected = await associatorNames(w, jobRef(job.id), VIRT_NS, { AssocClass: 'CIM_AffectedJobElement' });
    expect(affected.map((n) => n.local().identity())).to.deep.equal([computerSystemName('web').identity()]);
    const jobsOfWeb = await associatorNames(w, computerSystemName('web'), VIRT_NS, { AssocClass: 'CIM_AffectedJobElement' });
    expect(jobsOfWeb.map((n) => n.keyString('InstanceID'))).to.include(job.id);
    // A job whose target is no system has no AffectedJobElement (its reference would dangle).
    const other = w.jobs.start('housekeeping', 'not-a-system', async () => 0);
    await other.done;
    const none = await associatorNames(w, jobRef(other.id), VIRT_NS, { AssocClass: 'CIM_AffectedJobElement' });
    expect(none).to.deep.equal([]);
    // A change over several systems (ModifyResourceSettings of web's and db's RASDs) affects each.
    const both = w.jobs.start('ModifyResourceSettings of web, db', 'web,db', async () => 0, ['web', 'db']);
    await both.done;
    const each = await associatorNames(w, jobRef(both.id), VIRT_NS, { AssocClass: 'CIM_AffectedJobElement' });
    expect(each.map((n) => n.local().identity()).sort()).to.deep.equal([computerSystemName('db').identity(), computerSystemName('web').identity()].sort());
    const jobsOfDb = await associatorNames(w, computerSystemName('db'), VIRT_NS, { AssocClass: 'CIM_AffectedJobElement' });
    expect(jobsOfDb.map((n) => n.keyString('InstanceID'))).to.include(both.id);
  });

  it('EnumerateInstanceNames of CIM_ConcreteJob through operations/ includes our jobs (subclass fan-out)', async () => {
    const r = await w.ops.intrinsic({
      kind: 'intrinsic', method: 'EnumerateInstanceNames', namespace: VIRT_NS, messageId: '1', protocolVersion: '1.0',
      params: new NameMap([['ClassName', { name: 'ClassName', value: { kind: 'className', className: 'CIM_ConcreteJob' } }]]),
    }, admin);
    if (r.result.kind !== 'instanceNames') throw new Error(r.result.kind);
    expect(r.result.names.length).to.equal(w.jobs.list().length);
  });
});
