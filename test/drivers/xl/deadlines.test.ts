/**
 * Every xl command the driver uses, under each fault the simulator injects (fail, slow, hang):
 * the call returns within the command's deadline with a clear error naming the command, the
 * system is left as it was, and nothing stays locked (the same call then goes through). Create
 * also through VirtManager, including the job's cancel reaching the hung xl.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DEADLINES, deadlineOf } from '../../../src/drivers/xl/deadlines.js';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { VirtManager } from '../../../src/virt/manager.js';
import type { SystemState } from '../../../src/virt/states.js';
import { createTestBackend, simStateDir } from '../../support/xl-backend.js';

const QUICK_MS = 300;
const LONG_MS = 600;
/** What a busy two-core machine may add to a deadline. */
const MARGIN_MS = 1500;

interface Case {
  command: string;
  from: 'defined' | 'running' | 'paused' | 'suspended';
  act(d: XlDriver): Promise<unknown>;
  /** State after a successful call (unchanged when absent). */
  after?: SystemState;
}

const CASES: Case[] = [
  { command: 'create', from: 'defined', act: (d) => d.start('s'), after: 'running' },
  { command: 'pause', from: 'running', act: (d) => d.pause('s'), after: 'paused' },
  { command: 'unpause', from: 'paused', act: (d) => d.unpause('s'), after: 'running' },
  { command: 'destroy', from: 'running', act: (d) => d.destroy('s'), after: 'defined' },
  { command: 'save', from: 'running', act: (d) => d.save('s'), after: 'suspended' },
  { command: 'restore', from: 'suspended', act: (d) => d.restore('s'), after: 'running' },
  { command: 'info', from: 'running', act: (d) => d.hostFacts() },
  { command: 'mem-set', from: 'running', act: (d) => d.modify('s', { memoryMiB: 192 }) },
  { command: 'block-attach', from: 'running', act: (d) => d.attachDisk('s', { target: '/srv/data.img', vdev: 'xvdb' }) },
  { command: 'vcpu-set', from: 'running', act: (d) => d.modify('s', { vcpus: 2 }) },
  // The guest acknowledges, then powers off / comes back: the state once it has.
  { command: 'shutdown', from: 'running', act: (d) => d.shutdown('s'), after: 'defined' },
  { command: 'reboot', from: 'running', act: (d) => d.reboot('s'), after: 'running' },
];

describe('xl driver: a deadline per xl command, under injected faults', function () {
  this.timeout(20_000);
  let dir: string;
  let driver: XlDriver;
  let logs: string[];

  const faults = (f: object): void => writeFileSync(join(simStateDir(dir), 'faults.json'), JSON.stringify(f));
  const state = async (): Promise<SystemState> => {
    driver.invalidate();
    return (await driver.get('s')).state;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-deadlines-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    // Guests go down within 50 ms: `xl reboot -w` waits for it, inside the 600 ms deadline.
    writeFileSync(join(simStateDir(dir), 'host.json'), JSON.stringify({ shutdown_seconds: 0.05 }));
    logs = [];
    driver = createTestBackend(dir, {
      commandTimeoutMs: QUICK_MS, longTimeoutMs: LONG_MS, refreshIntervalMs: 60_000, log: (l, m) => logs.push(`${l}: ${m}`),
    }).driver;
    await driver.init();
    await driver.define({ name: 's', type: 'pv', memoryMiB: 128, maxMemoryMiB: 256, vcpus: 1, maxVcpus: 2, boot: { kernel: '/boot/vmlinuz' } });
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  /** The state a call leads to; a guest powers off (or comes back) a moment after acknowledging. */
  async function settlesTo(want: SystemState): Promise<void> {
    const until = Date.now() + 5_000;
    let now = await state();
    while (now !== want && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      now = await state();
    }
    expect(now).to.equal(want);
  }

  async function reach(from: Case['from']): Promise<void> {
    if (from === 'defined') return;
    await driver.start('s');
    if (from === 'paused') await driver.pause('s');
    if (from === 'suspended') await driver.save('s');
    expect(await state()).to.equal(from);
  }

  it('gives each command a deadline that fits it: queries seconds, create and images longer but bounded', () => {
    expect(deadlineOf(['list', '-v'])).to.equal(DEFAULT_DEADLINES.quick);
    expect(deadlineOf(['pause', 'x'])).to.be.at.most(5_000);
    expect(deadlineOf(['info'])).to.be.at.most(5_000);
    expect(deadlineOf(['create', '/c.cfg'])).to.be.within(10_000, 5 * 60_000);
    // libxl waits up to 40 s for a device's hotplug script: xl must not be killed before it does.
    for (const cmd of ['block-attach', 'block-detach', 'network-attach', 'network-detach']) {
      expect(deadlineOf([cmd, 'x', 'y']), cmd).to.be.within(40_000, 2 * 60_000);
      expect(deadlineOf([cmd, 'x', 'y'], { quick: 300, long: 600 }), cmd).to.equal(600);
    }
    expect(deadlineOf(['save', 'x', '/f'])).to.be.within(10_000, 10 * 60_000);
    expect(deadlineOf(['pause', 'x'], { quick: 300 })).to.equal(300);
    expect(deadlineOf(['create', '/c.cfg'], { long: 600 })).to.equal(600);
  });

  for (const c of CASES) {
    const deadline = deadlineOf([c.command], { quick: QUICK_MS, long: LONG_MS });

    it(`xl ${c.command} hanging: a timeout within its deadline naming the command, nothing changed or locked`, async () => {
      await reach(c.from);
      faults({ rules: [{ command: c.command, mode: 'hang', count: 1 }] });
      const t0 = Date.now();
      const err = await c.act(driver).then(() => undefined, (e: unknown) => e);
      const took = Date.now() - t0;
      expect(VirtError.is(err, 'timeout'), String(err)).to.equal(true);
      const e = err as VirtError;
      expect(e.message).to.equal(`xl ${c.command} did not finish within ${deadline} ms and was killed`);
      expect(e.detail).to.match(new RegExp(`^xl ${c.command}\\b`));
      expect(took).to.be.within(deadline - 50, deadline + MARGIN_MS);
      expect(logs.filter((l) => l.startsWith(`warn: xl ${c.command} `) && l.includes('hung'))).to.have.length(1);
      expect(await state()).to.equal(c.from);
      await c.act(driver); // the rule was used up: the same call goes through
      await settlesTo(c.after ?? c.from);
    });

    it(`xl ${c.command} failing: a clear error, nothing changed`, async () => {
      await reach(c.from);
      faults({ rules: [{ command: c.command, mode: 'fail', count: 1 }] });
      const err = await c.act(driver).then(() => undefined, (e: unknown) => e);
      expect(VirtError.is(err), String(err)).to.equal(true);
      expect((err as VirtError).message).to.match(new RegExp(`xl ${c.command}|${c.command}`, 'i'));
      expect(await state()).to.equal(c.from);
      await c.act(driver);
      await settlesTo(c.after ?? c.from);
    });

    it(`xl ${c.command} slow but within its deadline: succeeds`, async () => {
      await reach(c.from);
      faults({ rules: [{ command: c.command, mode: 'slow', delay_ms: Math.floor(deadline / 3), count: 1 }] });
      await c.act(driver);
      await settlesTo(c.after ?? c.from);
    });
  }

  describe('through VirtManager', () => {
    let vm: VirtManager;
    beforeEach(() => {
      vm = new VirtManager(driver, { pollIntervalMs: 50 });
    });

    it('a hung create ends its job within the deadline; the system stays defined and can start', async () => {
      faults({ rules: [{ command: 'create', mode: 'hang', count: 1 }] });
      const t0 = Date.now();
      const change = await vm.requestStateChange('s', 'running');
      if (change.kind !== 'job') throw new Error(change.kind);
      const err = await change.job.done.then(() => undefined, (e: unknown) => e);
      expect(VirtError.is(err, 'timeout'), String(err)).to.equal(true);
      expect(Date.now() - t0).to.be.below(LONG_MS + MARGIN_MS);
      expect((await vm.getSystem('s')).state).to.equal('defined');
      expect((await vm.requestState('s', 'running')).state).to.equal('running');
    });

    it('cancelling the job of a hung create kills xl at once and releases every lock', async () => {
      // A long deadline: only the cancel can end it.
      const slowDriver = createTestBackend(dir, { commandTimeoutMs: 5_000, longTimeoutMs: 60_000, refreshIntervalMs: 60_000 }).driver;
      const m = new VirtManager(slowDriver, { pollIntervalMs: 50 });
      await m.init();
      try {
        faults({ rules: [{ command: 'create', mode: 'hang', count: 1 }] });
        const change = await m.requestStateChange('s', 'running');
        if (change.kind !== 'job') throw new Error(change.kind);
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        change.job.cancel();
        await change.job.done.then(() => undefined, () => undefined);
        expect(Date.now() - t0).to.be.below(MARGIN_MS);
        expect((await m.getSystem('s')).state).to.equal('defined');
        expect((await m.requestState('s', 'running')).state).to.equal('running');
      } finally {
        await slowDriver.close();
      }
    });
  });
});

describe('xl driver: host facts while xl info is late', function () {
  this.timeout(15_000);
  it('a hung xl info does not hold a read once an answer exists: the last one stands in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xl-info-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    const driver = createTestBackend(dir, { commandTimeoutMs: 4000, refreshIntervalMs: 60_000 }).driver;
    try {
      await driver.init();
      const first = await driver.hostFacts();
      await driver.define({ name: 'i', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
      await driver.start('i'); // the domain list changed: the next read asks xl info again
      writeFileSync(join(simStateDir(dir), 'faults.json'), JSON.stringify({ rules: [{ command: 'info', mode: 'hang', count: 1 }] }));
      const t0 = Date.now();
      const facts = await driver.hostFacts();
      expect(Date.now() - t0).to.be.below(1000 + MARGIN_MS);
      expect(facts.nrCpus).to.equal(first.nrCpus);
      expect(facts.totalMemoryMiB).to.equal(first.totalMemoryMiB);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });
});
