/**
 * The model over the real xl driver and xl-sim (in-process): what only a real driver can show —
 * requested state and state times kept with the definition across a restart, a loss noticed behind
 * our back, capacity current after a stop, and a hung `xl create` that a cancel really kills.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtManager } from '../../src/virt/manager.js';
import type { StateChange } from '../../src/virt/changes.js';
import type { VirtualSystemSpec } from '../../src/virt/types.js';
import type { XlDriver } from '../../src/drivers/xl/xl-driver.js';
import { createTestDriver, xlBehindTheBack } from '../support/xl-backend.js';


describe('virt over the xl driver and xl-sim', function () {
  this.timeout(30_000);
  let dir: string;
  let simState: string;
  let logs: string[];

  const spec = (name: string, memoryMiB = 256): VirtualSystemSpec => ({ name, type: 'pv', memoryMiB, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
  let drivers: XlDriver[] = [];
  /** A (re)start of the server: the previous one stops first, as a real restart would. */
  const open = async (): Promise<VirtManager> => {
    await Promise.all(drivers.map((d) => d.close()));
    const driver = createTestDriver(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100, lossConfirmMs: 300 });
    drivers = [driver];
    const vm = new VirtManager(driver, { pollIntervalMs: 20, log: (l) => logs.push(l) });
    await vm.init();
    return vm;
  };
  const jobOf = (c: StateChange): NonNullable<Extract<StateChange, { kind: 'job' }>['job']> => {
    if (c.kind !== 'job') throw new Error(`expected a job, got ${c.kind}`);
    return c.job;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'virt-sim-'));
    simState = join(dir, 'xl-sim');
    mkdirSync(simState, { recursive: true });
    logs = [];
  });
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('keeps the requested state and the time of the last change with the definition, across a restart, and notices a loss', async () => {
    const vm = await open();
    const defined = await vm.defineSystem(spec('keep'));
    expect(defined.stateChangedAt).to.be.a('number');
    const t0 = Date.now();
    const running = await jobOf(await vm.requestStateChange('keep', 'running')).done;
    expect(running).to.deep.include({ state: 'running', requested: 'running' });
    expect(running.stateChangedAt).to.be.at.least(t0);

    const again = await open();
    const after = await again.getSystem('keep');
    expect(after).to.deep.include({ state: 'running', requested: 'running', stateChangedAt: running.stateChangedAt });

    // Destroyed behind our back: noticed by the driver's background refresh, recorded, logged.
    const t1 = Date.now();
    await xlBehindTheBack(dir, 'destroy', 'keep');
    await new Promise((r) => setTimeout(r, 150)); // longer than the refresh interval
    expect(await again.getSystem('keep')).to.deep.include({ state: 'defined', stateChangedAt: running.stateChangedAt });
    // Still gone a while later (not a guest restarting itself): lost, since it was first missed.
    // The background refresh notices it (polled: the machine may be busy).
    let lost = await again.getSystem('keep');
    for (let i = 0; i < 60 && !lost.vanished; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lost = await again.getSystem('keep');
    }
    const t2 = Date.now();
    expect(lost).to.deep.include({ state: 'defined', vanished: true, requested: 'running' });
    expect(lost.stateChangedAt).to.be.at.least(t1).and.below(t2);
    expect(logs.join('\n')).to.match(/'keep' was found gone from the hypervisor at \d{4}-\d\d-\d\dT[\d:.]+Z although it was expected to run/);

    const third = await open();
    expect(await third.getSystem('keep')).to.deep.include({ vanished: true, requested: 'running', stateChangedAt: lost.stateChangedAt });
    // Started again: no longer lost.
    expect(await jobOf(await third.requestStateChange('keep', 'running')).done).to.not.have.property('vanished');
  });

  it('shows current capacity right after a stop (host facts follow the domain list)', async () => {
    const vm = await open();
    const before = await vm.capacity();
    const big = Math.floor(before.memory.availableMiB * 0.8);
    await vm.defineSystem(spec('big', big));
    await jobOf(await vm.requestStateChange('big', 'running')).done;
    expect((await vm.capacity()).memory.availableMiB).to.be.lessThan(before.memory.availableMiB - big);
    await jobOf(await vm.requestStateChange('big', 'defined')).done;
    const after = await vm.capacity();
    expect(after.memory).to.deep.equal(before.memory);
    // ...so the same system is admitted again at once.
    expect((await jobOf(await vm.requestStateChange('big', 'running')).done).state).to.equal('running');
  });

  it('a hung xl create blocks no other start, and cancelling its job kills it and frees everything', async () => {
    const vm = await open();
    await vm.defineSystem(spec('stuck'));
    await vm.defineSystem(spec('other'));
    writeFileSync(join(simState, 'faults.json'), JSON.stringify({ rules: [{ command: 'create', mode: 'hang', count: 1 }] }));
    const stuck = jobOf(await vm.requestStateChange('stuck', 'running'));
    await new Promise((r) => setTimeout(r, 500));
    expect(stuck.state).to.equal('running');
    expect((await vm.getSystem('stuck')).state).to.equal('starting');
    // The host lock is not held across the hung create: another start goes through.
    expect((await jobOf(await vm.requestStateChange('other', 'running')).done).state).to.equal('running');
    // And the system itself refuses other changes at once.
    const busy = await vm.requestStateChange('stuck', 'defined').catch((e: unknown) => e);
    expect(busy).to.have.property('kind', 'busy');

    const t0 = Date.now();
    expect(stuck.cancel()).to.equal(true);
    await stuck.done.catch(() => {});
    expect(Date.now() - t0, 'the hung xl was killed at once').to.be.lessThan(3000);
    expect(stuck.state).to.equal('terminated');
    expect(stuck.error!.message).to.match(/xl create was cancelled/);
    expect((await vm.getSystem('stuck')).state).to.equal('defined');
    expect((await jobOf(await vm.requestStateChange('stuck', 'running')).done).state).to.equal('running');
  });
});
