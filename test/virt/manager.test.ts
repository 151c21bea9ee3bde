import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { VirtError } from '../../src/virt/errors.js';
import { StubDriver } from './stub-driver.js';
import { requestStateJob } from '../support/virt-shortcuts.js';

describe('VirtManager façade', () => {
  let d: StubDriver;
  let vm: VirtManager;
  beforeEach(() => {
    d = new StubDriver();
    vm = new VirtManager(d, { pollIntervalMs: 1 });
  });

  it('drives requested states and refuses impossible ones', async () => {
    await vm.defineSystem({ name: 'a', type: 'pv', memoryMiB: 512, vcpus: 1, boot: { kernel: '/k' } });
    expect((await vm.requestState('a', 'running')).state).to.equal('running');
    expect((await vm.requestState('a', 'paused')).state).to.equal('paused');
    const err = await vm.requestState('a', 'shut_down').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VirtError).with.property('kind', 'invalid_state');
    expect((await vm.requestState('a', 'running')).state).to.equal('running');
    expect((await vm.requestState('a', 'suspended')).state).to.equal('suspended');
    const job = await requestStateJob(vm, 'a', 'running');
    const sys = await job.done;
    expect(sys.state).to.equal('running');
    expect(job.state).to.equal('completed');
    expect((await vm.requestState('a', 'shut_down', { timeoutMs: 1000 })).state).to.equal('defined');
  });

  it('autostarts systems by priority and reports the ones that do not fit', async () => {
    const cap = await vm.capacity();
    const big = cap.memory.availableMiB - 600;
    await vm.defineSystem({ name: 'low', type: 'pv', memoryMiB: 1024, vcpus: 1, autostart: true, priority: 1, boot: { kernel: '/k' } });
    await vm.defineSystem({ name: 'high', type: 'pv', memoryMiB: big, vcpus: 1, autostart: true, priority: 10, boot: { kernel: '/k' } });
    await vm.defineSystem({ name: 'manual', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' } });
    const r = await vm.autostart();
    expect(r.started).to.deep.equal(['high']);
    expect(r.failed.map((f) => [f.name, f.error.kind])).to.deep.equal([['low', 'no_memory']]);
    expect((await vm.getSystem('manual')).state).to.equal('defined');
  });

  it('never over-commits: admission refuses what capacity cannot hold, even when asked concurrently', async () => {
    const cap = await vm.capacity();
    const size = Math.floor(cap.memory.availableMiB / 2) - 100;
    for (const n of ['x', 'y', 'z']) await vm.defineSystem({ name: n, type: 'pv', memoryMiB: size, vcpus: 1, boot: { kernel: '/k' } });
    const results = await Promise.allSettled(['x', 'y', 'z'].map((n) => vm.requestState(n, 'running')));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).to.equal(2);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).to.be.instanceOf(VirtError).with.property('kind', 'no_memory');
    const after = await vm.capacity();
    expect(after.memory.reservedMiB).to.be.at.most(after.memory.capacityMiB);
  });

  it('exposes abstracted host info and pools', async () => {
    d.switchList = [{ name: 'br-a', up: true }];
    await vm.defineSystem({ name: 'p', type: 'pv', memoryMiB: 1024, vcpus: 2, cpuCap: 50, cpuReservationPercent: 25, boot: { kernel: '/k' }, nics: [{ bridge: 'br-a', rate: { bytesPerSecond: 1000 } }] });
    await vm.requestState('p', 'running');
    const info = await vm.hostInfo();
    expect(Object.keys(info).sort()).to.deep.equal(['hypervisor', 'hypervisorVersion', 'memoryCapacityMiB', 'name', 'processors', 'scheduler']);
    expect(info.memoryCapacityMiB).to.be.lessThan(d.totalMemoryMiB);
    const pools = await vm.pools();
    expect(pools.map((p) => p.id)).to.deep.equal(['processor/0', 'memory/0', 'disk/0', 'network/br-a']);
    expect(pools[0]!.reserved).to.equal(25);
    expect(pools[1]).to.deep.include({ reserved: 1024, available: info.memoryCapacityMiB - 1024 });
    expect(pools[3]!.reserved).to.equal(1000);
  });
});
