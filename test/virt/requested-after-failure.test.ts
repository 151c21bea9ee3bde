import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';
import { VirtManager } from '../../src/virt/manager.js';
import { StubDriver } from './stub-driver.js';

/**
 * CIM_EnabledLogicalElement.RequestStateChange: the requested state is placed into RequestedState
 * when the change is carried out or under way (return 0, 3 or 4096), not when it failed. A state
 * change that failed, or was terminated, leaves the request the system had before, so
 * RequestedState and EnabledState do not show a transition still pending after a failure.
 */
describe('virt: the recorded request after a state change that failed', () => {
  let d: StubDriver;
  let vm: VirtManager;
  beforeEach(() => {
    d = new StubDriver();
    vm = new VirtManager(d, { pollIntervalMs: 1 });
  });

  it('a failed start leaves the request as it was (none, here)', async () => {
    d.add({ name: 'web' });
    d.failNext('start', new VirtError('failed', 'disk /img/web.raw not found'), 'web');
    const c = await vm.requestStateChange('web', 'running');
    if (c.kind !== 'job') throw new Error('expected a job');
    await c.job.done.catch(() => {});
    expect(c.job.state).to.equal('failed');
    const s = await vm.getSystem('web');
    expect(s.state).to.equal('defined');
    expect(s.requested).to.equal(undefined);
  });

  it('a failed pause leaves the earlier request (running) in place', async () => {
    d.add({ name: 'web' }, 'running');
    await d.setRequestedState('web', 'running');
    d.failNext('pause', new VirtError('failed', 'xl pause failed'), 'web');
    const c = await vm.requestStateChange('web', 'paused');
    if (c.kind !== 'job') throw new Error('expected a job');
    await c.job.done.catch(() => {});
    expect((await vm.getSystem('web')).requested).to.equal('running');
  });

  it('a terminated job leaves the earlier request too; a completed one records the new request', async () => {
    d.add({ name: 'web' }, 'running');
    await d.setRequestedState('web', 'running');
    const open = d.hold('save');
    const c = await vm.requestStateChange('web', 'suspended');
    if (c.kind !== 'job') throw new Error('expected a job');
    await new Promise((r) => setTimeout(r, 5));
    expect((await vm.getSystem('web')).requested, 'recorded while under way (4096)').to.equal('suspended');
    c.job.cancel();
    await c.job.done.catch(() => {});
    open();
    expect((await vm.getSystem('web')).requested).to.equal('running');
    const p = await vm.requestStateChange('web', 'paused');
    if (p.kind !== 'job') throw new Error('expected a job');
    await p.job.done;
    expect((await vm.getSystem('web')).requested).to.equal('paused');
  });
});

describe('virt: a state change whose operation has taken effect completes', () => {
  it('a terminate that comes once the operation is done (while its outcome is read) does not make the job terminated', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' }, 'running');
    // The outcome read after the pause waits until the test lets it go.
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const get = d.get.bind(d);
    d.get = async (name: string) => {
      if (d.calls.includes('pause web')) await gate;
      return get(name);
    };
    const c = await vm.requestStateChange('web', 'paused');
    if (c.kind !== 'job') throw new Error('expected a job');
    for (let i = 0; i < 100 && !d.calls.includes('pause web'); i++) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 5));
    // Past its point of no return: the pause has happened, a terminate can no longer undo it.
    expect(c.job.cancel('terminated on request')).to.equal(false);
    open();
    const sys = await c.job.done;
    expect(c.job.state).to.equal('completed');
    expect(sys.state).to.equal('paused');
    expect((await vm.getSystem('web')).requested).to.equal('paused');
  });
});
