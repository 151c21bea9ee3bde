import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';
import { VirtManager } from '../../src/virt/manager.js';
import { StubDriver } from './stub-driver.js';
import { requestStateJob } from '../support/virt-shortcuts.js';
import { rejects } from '../support/virt-expect.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('virt state requests (planned once, jobs, admission ledger)', () => {
  let d: StubDriver;
  let vm: VirtManager;
  let logs: string[];
  beforeEach(() => {
    d = new StubDriver();
    logs = [];
    vm = new VirtManager(d, { pollIntervalMs: 1, log: (l) => logs.push(l) });
  });

  it('looks the system up once, plans once and returns the running job with the planned operation', async () => {
    d.add({ name: 'web' }, 'paused');
    const c = await vm.requestStateChange('web', 'running');
    expect(c.kind).to.equal('job');
    if (c.kind !== 'job') return;
    expect(c.operation).to.equal('unpause');
    const sys = await c.job.done;
    expect(sys).to.deep.include({ state: 'running', requested: 'running' });
    expect(c.job.state).to.equal('completed');
    // One look-up before the operation (the plan), one read of the outcome after it.
    expect(d.calls).to.deep.equal(['get web', 'setRequestedState web running', 'unpause web', 'get web']);
  });

  it('answers "already there" for the state a system is in: nothing done, the request recorded', async () => {
    d.add({ name: 'web' }, 'running');
    d.add({ name: 'off' });
    const c = await vm.requestStateChange('web', 'running');
    expect(c).to.deep.include({ kind: 'already' });
    expect(c.system).to.deep.include({ state: 'running', requested: 'running' });
    expect((await vm.requestStateChange('off', 'shut_down')).kind).to.equal('already');
    expect((await vm.requestStateChange('off', 'defined')).kind).to.equal('already');
    expect(vm.jobs.list()).to.deep.equal([]);
    expect(d.calls.filter((c2) => !/^(get|setRequestedState)/.test(c2))).to.deep.equal([]);
    // Reboot and reset are actions, never "already done".
    expect((await vm.requestStateChange('web', 'reboot')).kind).to.equal('job');
  });

  it('refuses an impossible transition, or an operation the caller does not accept, before any job exists', async () => {
    d.add({ name: 'off' });
    await rejects(vm.requestStateChange('off', 'suspended'), 'invalid_state', /cannot go from defined to suspended/);
    await rejects(vm.requestStateChange('off', 'paused', { operations: ['pause'] }), 'invalid_state', /it would start paused/);
    await rejects(vm.requestStateChange('ghost', 'running'), 'not_found');
    await rejects(vm.requestStateChange('off', 'flying' as never), 'invalid_argument');
    expect(vm.jobs.list()).to.deep.equal([]);
    expect(d.calls.filter((c) => !c.startsWith('get'))).to.deep.equal([]);
    // The lock was released each time.
    const c = await vm.requestStateChange('off', 'running');
    expect((await (c as { job: { done: Promise<unknown> } }).job.done)).to.deep.include({ state: 'running' });
  });

  it('refuses a conflicting request while a job runs on the system (busy at once), and any other change too', async () => {
    d.add({ name: 'web' }, 'running');
    const open = d.hold('save');
    const save = await vm.requestStateChange('web', 'suspended');
    await tick();
    const t0 = Date.now();
    await rejects(vm.requestStateChange('web', 'paused'), 'busy', /a state change to suspended is under way/);
    await rejects(vm.changeResources([{ system: 'web', action: 'patch', patch: { cpuWeight: 1 } }]), 'busy');
    await rejects(vm.deleteSystem('web'), 'busy');
    expect(Date.now() - t0).to.be.lessThan(200);
    expect(vm.jobs.list()).to.have.length(1);
    open();
    if (save.kind === 'job') await save.job.done;
    expect((await vm.requestStateChange('web', 'running')).kind).to.equal('job');
  });

  it('cancelling a job reaches the running operation through its signal; the job ends terminated and frees the lock and the room', async () => {
    d.add({ name: 'big', memoryMiB: 4096 });
    const free = (await vm.capacity()).memory.availableMiB;
    const open = d.hold('start');
    const c = await vm.requestStateChange('big', 'running');
    if (c.kind !== 'job') throw new Error('expected a job');
    await tick();
    expect((await vm.capacity()).memory.availableMiB, 'the start holds its reservation').to.be.lessThan(free - 4096);
    expect(c.job.cancel()).to.equal(true);
    await c.job.done.catch(() => {});
    open();
    expect(c.job.state).to.equal('terminated');
    expect(d.cancelled).to.deep.equal(['start big']);
    expect((await vm.getSystem('big')).state).to.equal('defined');
    expect((await vm.capacity()).memory.availableMiB).to.equal(free);
    // Nothing is left holding the system.
    const again = await vm.requestStateChange('big', 'running');
    if (again.kind === 'job') expect((await again.job.done).state).to.equal('running');
  });

  it('a job cancelled before its body ran still frees the lock it took', async () => {
    d.add({ name: 'web' });
    const start = vm.jobs.start.bind(vm.jobs);
    // Cancelled at once, before its body had a chance to run.
    vm.jobs.start = (name, target, body) => {
      const j = start(name, target, body);
      j.cancel();
      return j;
    };
    const c = await vm.requestStateChange('web', 'running');
    if (c.kind !== 'job') throw new Error('expected a job');
    vm.jobs.start = start;
    await c.job.done.catch(() => {});
    expect(c.job.state).to.equal('terminated');
    expect(d.calls.includes('start web')).to.equal(false);
    expect((await vm.requestStateChange('web', 'running')).kind).to.equal('job');
  });

  it('admission holds the host lock only around the check: a hung start delays no other start, and two never count the same room', async () => {
    const cap = await vm.capacity();
    const size = Math.floor(cap.memory.availableMiB / 2) - 100;
    for (const n of ['x', 'y', 'z']) d.add({ name: n, memoryMiB: size, maxMemoryMiB: size });
    const open = d.hold('start');
    const x = await vm.requestStateChange('x', 'running');
    // x is "hung" in its create: y is admitted meanwhile, z does not fit beside x and y.
    const y = await vm.requestStateChange('y', 'running');
    await rejects(vm.requestStateChange('z', 'running'), 'no_memory', /cannot admit 'z': needs \d+ MiB/);
    expect(d.calls.filter((c) => c.startsWith('start'))).to.deep.equal(['start x', 'start y']);
    open();
    for (const c of [x, y]) if (c.kind === 'job') await c.job.done;
    const after = await vm.capacity();
    expect(after.memory.reservedMiB).to.equal(2 * size);
    expect(after.memory.reservedMiB).to.be.at.most(after.memory.capacityMiB);
  });

  it('concurrent requests for the same room: exactly the ones that fit are admitted', async () => {
    const cap = await vm.capacity();
    const size = Math.floor(cap.memory.availableMiB / 3) - 50;
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const n of names) d.add({ name: n, memoryMiB: size, maxMemoryMiB: size });
    const results = await Promise.allSettled(names.map((n) => vm.requestStateChange(n, 'running')));
    const admitted = results.filter((r) => r.status === 'fulfilled');
    expect(admitted).to.have.length(3);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as VirtError).kind).to.equal('no_memory');
    for (const r of admitted) {
      const c = (r as PromiseFulfilledResult<Awaited<ReturnType<VirtManager['requestStateChange']>>>).value;
      if (c.kind === 'job') await c.job.done;
    }
    const after = await vm.capacity();
    expect(after.memory.reservedMiB).to.equal(3 * size);
    expect(after.memory.availableMiB).to.be.at.least(0);
  });

  it('waits for a clean shutdown to end, and a cancel stops the waiting at once', async () => {
    d.add({ name: 'web' }, 'running');
    // The guest acknowledges but takes its time: the stub leaves it shutting down.
    const realShutdown = d.shutdown.bind(d);
    d.shutdown = async (name, opts) => {
      await realShutdown(name, opts);
      d.systems.get(name)!.state = 'shutting_down';
    };
    const c = await vm.requestStateChange('web', 'shut_down', { timeoutMs: 60_000 });
    if (c.kind !== 'job') throw new Error('expected a job');
    await tick(20);
    expect(c.job.state).to.equal('running');
    const t0 = Date.now();
    c.job.cancel();
    await c.job.done.catch(() => {});
    expect(Date.now() - t0).to.be.lessThan(100);
    expect(c.job.state).to.equal('terminated');
    expect(c.job.error!.message).to.match(/stopped waiting for 'web' to shut down: cancelled/);
  });

  it('logs a system found lost (vanished or crashed) with when it was noticed, and tells listeners', async () => {
    d.add({ name: 'web' });
    const seen: string[] = [];
    vm.onStateObserved((c) => seen.push(`${c.name}:${c.from}->${c.to}:${c.lost ?? ''}`));
    const at = Date.UTC(2030, 0, 2, 3, 4, 5);
    d.emit({ name: 'web', from: 'running', to: 'defined', at, lost: 'vanished' });
    d.emit({ name: 'web', from: 'running', to: 'paused', at });
    expect(seen).to.deep.equal(['web:running->defined:vanished', 'web:running->paused:']);
    expect(logs).to.deep.equal([
      "virtual system 'web' was found gone from the hypervisor at 2030-01-02T03:04:05.000Z although it was expected to run (was running)",
    ]);
  });

  it('requestState and a state-change job plan through the same path', async () => {
    d.add({ name: 'web' });
    expect((await vm.requestState('web', 'running')).state).to.equal('running');
    expect((await vm.requestState('web', 'running')).state).to.equal('running');
    const job = await requestStateJob(vm, 'web', 'paused');
    expect((await job.done).state).to.equal('paused');
    await rejects(vm.requestState('web', 'shut_down'), 'invalid_state');
  });
});
