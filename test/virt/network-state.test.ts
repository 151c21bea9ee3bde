// Whole-network state changes over the stub driver: priority order, concurrency within a
// priority, the per-system paths, partial failure with every member's state read back.
import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';
import { VirtManager } from '../../src/virt/manager.js';
import { pathTo } from '../../src/virt/networks/launch.js';
import type { MemberOutcome } from '../../src/virt/networks/types.js';
import { rejects } from '../support/virt-expect.js';
import { StubDriver } from './stub-driver.js';

describe('virt: whole-network state (stub driver)', () => {
  let d: StubDriver;
  let vm: VirtManager;
  beforeEach(async () => {
    d = new StubDriver();
    vm = new VirtManager(d, { pollIntervalMs: 1 });
    await vm.init();
    d.add({ name: 'hi' }, 'defined');
    d.add({ name: 'mid1' }, 'paused');
    d.add({ name: 'mid2' }, 'suspended');
    d.add({ name: 'lo' }, 'running');
    await vm.networks.define({ name: 'n', members: [{ system: 'lo', priority: 0 }, { system: 'mid1', priority: 5 }, { system: 'mid2', priority: 5 }, { system: 'hi', priority: 9 }] });
  });

  it('paths: every state reaches every target through per-system requests', () => {
    expect(pathTo('defined', 'running')).to.deep.equal(['running']);
    expect(pathTo('suspended', 'paused')).to.deep.equal(['paused']);
    expect(pathTo('defined', 'suspended')).to.deep.equal(['paused', 'suspended']);
    expect(pathTo('crashed', 'running')).to.deep.equal(['defined', 'running']);
    expect(pathTo('running', 'stopped')).to.deep.equal(['shut_down']);
    expect(pathTo('paused', 'stopped')).to.deep.equal(['defined']);
    expect(pathTo('paused', 'paused')).to.deep.equal([]);
  });

  it('launch: higher priority first, equal priorities together, each from its own state; progress moves', async () => {
    const release = d.hold('unpause');
    const r = await vm.networks.requestStateChange('n', 'running');
    if (r.kind !== 'job') throw new Error('expected a job');
    const seen: number[] = [];
    vm.jobs.onChange((j) => { if (j.id === r.job.id) seen.push(j.percentComplete); });
    // hi (9) first; then mid1 and mid2 (5) together: restore runs while unpause is held
    await new Promise((res) => setTimeout(res, 30));
    const ops = d.calls.filter((c) => /^(start|unpause|restore) /.test(c));
    expect(ops).to.deep.equal(['start hi', 'unpause mid1', 'restore mid2']);
    release();
    const out = await r.job.done;
    expect(out).to.deep.equal([
      { system: 'lo', ok: true, state: 'running' }, { system: 'mid1', ok: true, state: 'running' },
      { system: 'mid2', ok: true, state: 'running' }, { system: 'hi', ok: true, state: 'running' },
    ]);
    expect(r.job.percentComplete).to.equal(100);
    expect(vm.networks.outcomes(r.job.id)).to.deep.equal(out);
    expect(seen.filter((p) => p > 1 && p < 100).length).to.be.greaterThan(0);
    expect((await vm.networks.get('n')).state).to.equal('running');
    expect((await vm.networks.get('n')).requested).to.equal('running');
    expect(await vm.networks.requestStateChange('n', 'running')).to.deep.equal({ kind: 'already', network: 'n' });
  });

  it('stop: lower priorities first, so the highest goes down last', async () => {
    d.systems.get('hi')!.state = 'running';
    d.systems.get('mid1')!.state = 'running';
    d.systems.get('mid2')!.state = 'running';
    const r = await vm.networks.requestStateChange('n', 'stopped');
    if (r.kind !== 'job') throw new Error('expected a job');
    await r.job.done;
    const order = d.calls.filter((c) => /^(shutdown|destroy) /.test(c)).map((c) => c.split(' ')[1]);
    expect(order[0]).to.equal('lo');
    expect(order.at(-1)).to.equal('hi');
    expect(order.slice(1, 3).sort()).to.deep.equal(['mid1', 'mid2']);
  });

  it('park paused: stopped members are created paused, running ones paused, saved ones restored paused (never running)', async () => {
    const r = await vm.networks.requestStateChange('n', 'paused');
    if (r.kind !== 'job') throw new Error('expected a job');
    const out = await r.job.done;
    expect(out.every((o) => o.ok && o.state === 'paused')).to.equal(true);
    expect(d.calls).to.include('start hi');
    expect(d.systems.get('hi')!.state).to.equal('paused');
    // mid2 was saved: one restore straight into paused, no unpause or pause around it.
    expect(d.calls.filter((c) => / mid2$/.test(c) && /^(restore|pause|unpause|start) /.test(c))).to.deep.equal(['restore mid2']);
  });

  it('a failed member whose state cannot be read back is reported in the state it was last seen, and the error says so', async () => {
    d.failNext('restore', new VirtError('failed', 'the image is damaged'), 'mid2');
    const get = d.get.bind(d);
    let thrown = false;
    d.get = async (name: string) => {
      if (name === 'mid2' && d.calls.includes('restore mid2') && !thrown) {
        thrown = true;
        throw new VirtError('timeout', 'xl list did not answer');
      }
      return get(name);
    };
    const r = await vm.networks.requestStateChange('n', 'running');
    if (r.kind !== 'job') throw new Error('expected a job');
    await r.job.done.catch(() => undefined);
    const mid2 = vm.networks.outcomes(r.job.id)!.find((o) => o.system === 'mid2')!;
    expect(mid2).to.deep.include({ ok: false, state: 'suspended' });
    expect(mid2.error).to.match(/the image is damaged; its state could not be read back \(.*xl list did not answer\), it was last seen suspended/);
  });

  it('partial failure: every member reported, the failed one with its error and the state it is in; a second change is busy meanwhile', async () => {
    d.failNext('restore', new VirtError('failed', 'the image is damaged'), 'mid2');
    const release = d.hold('start');
    const r = await vm.networks.requestStateChange('n', 'running');
    if (r.kind !== 'job') throw new Error('expected a job');
    await rejects(vm.networks.requestStateChange('n', 'stopped'), 'busy', /whole network to running/);
    await rejects(vm.networks.destroy('n'), 'busy');
    release();
    const err = await r.job.done.then(() => undefined, (e: unknown) => e);
    expect(String(err)).to.match(/1 of 4 members of network 'n' did not reach running: mid2 \(suspended: .*the image is damaged\)/);
    expect(r.job.state).to.equal('failed');
    const out: MemberOutcome[] = vm.networks.outcomes(r.job.id)!;
    const mid2 = out.find((o) => o.system === 'mid2')!;
    expect(mid2).to.deep.include({ ok: false, state: 'suspended' });
    expect(mid2.error).to.match(/the image is damaged/);
    expect(out.filter((o) => o.ok).map((o) => o.system)).to.deep.equal(['lo', 'mid1', 'hi']);
    expect((await vm.networks.get('n')).state).to.equal('mixed');
  });

  it('stop: running members shut down, paused and saved ones powered off', async () => {
    const r = await vm.networks.requestStateChange('n', 'stopped');
    if (r.kind !== 'job') throw new Error('expected a job');
    const out = await r.job.done;
    expect(out.map((o) => [o.system, o.ok, o.state])).to.deep.equal([['lo', true, 'defined'], ['mid1', true, 'defined'], ['mid2', true, 'defined'], ['hi', true, 'defined']]);
    expect(d.calls).to.include('shutdown lo');
    expect(d.calls).to.include('destroy mid1');
  });

  it('refuses an unknown target and an unknown network', async () => {
    await rejects(vm.networks.requestStateChange('n', 'flying' as never), 'invalid_argument', /unknown network state 'flying'/);
    await rejects(vm.networks.requestStateChange('x', 'running'), 'not_found', /'x'/);
  });
});
