import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { StubDriver } from './stub-driver.js';
import { rejects } from '../support/virt-expect.js';

/**
 * A reset builds the domain again from the definition: a definition that grew while the system
 * ran (memory past the maximum it booted with waits for the next start) takes what it asks for
 * then. Like a start, that is admitted first: refused (no_memory, with the figures) when the host
 * cannot hold it, before anything is powered off; otherwise it holds its room until it shows.
 */
describe('virt: a reset is admitted for what its definition asks beyond what the system holds', () => {
  it('refuses a reset whose grown definition no longer fits, before the system is touched; one that fits runs', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web', memoryMiB: 1024, maxMemoryMiB: 1024, memoryReservationMiB: 512 }, 'running');
    // Memory past the running maximum: for the next start (the domain keeps 1024 MiB meanwhile).
    await vm.changeResources([{ system: 'web', action: 'patch', patch: { memoryMiB: 8192, maxMemoryMiB: 8192 } }]);
    expect((await vm.getSystem('web')).live?.memoryMiB).to.equal(1024);
    // Another system takes most of what is left.
    const free = (await vm.capacity()).memory.availableMiB;
    d.add({ name: 'db', memoryMiB: free - 2048, maxMemoryMiB: free - 2048 });
    const db = await vm.requestStateChange('db', 'running');
    if (db.kind === 'job') await db.job.done;
    const before = (await vm.capacity()).memory;
    expect(before.reservedMiB).to.be.at.most(before.capacityMiB);

    await rejects(vm.requestStateChange('web', 'reset'), 'no_memory', /cannot grow 'web'/);
    expect(d.calls.filter((c) => c.startsWith('reset'))).to.deep.equal([]);
    expect((await vm.getSystem('web')).live?.memoryMiB).to.equal(1024);

    // Once there is room, it runs and the system holds what its definition asks.
    const stop = await vm.requestStateChange('db', 'defined');
    if (stop.kind === 'job') await stop.job.done;
    const r = await vm.requestStateChange('web', 'reset');
    if (r.kind === 'job') await r.job.done;
    expect((await vm.getSystem('web')).live?.memoryMiB).to.equal(8192);
    const after = (await vm.capacity()).memory;
    expect(after.reservedMiB).to.be.at.most(after.capacityMiB);
  });
});
