/**
 * A vif rate above what xl takes as a number (2^32 - 1 bytes/s, about 34 Gbit/s) reaches xl in a
 * form it accepts: the system starts with its interface limited as defined.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtManager } from '../../../src/virt/manager.js';
import { createTestBackend, createTestDriver, xlBehindTheBack, type TestBackend } from '../../support/xl-backend.js';

describe('xl driver: a 40 Gbit/s vif rate against xl-sim (in-process)', function () {
  this.timeout(30_000);
  let dir: string;
  let driver: XlDriver;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-rate-'));
    driver = createTestDriver(dir, { commandTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await driver.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('starts a system whose interface is limited to 5,000,000,000 bytes/s, and attaches one so', async () => {
    const vm = new VirtManager(driver, { pollIntervalMs: 50 });
    await vm.init();
    const disk = join(dir, 'fast.img');
    writeFileSync(disk, '');
    await vm.defineSystem({
      name: 'fast', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda' }],
      nics: [{ mac: '00:16:3e:00:00:01', bridge: 'xenbr0', rate: { bytesPerSecond: 5_000_000_000 } }],
    });
    expect((await vm.requestState('fast', 'running')).state).to.equal('running');
    await driver.attachInterface('fast', { mac: '00:16:3e:00:00:02', bridge: 'xenbr0', rate: { bytesPerSecond: 8_000_000_000 } });
    const [dom] = JSON.parse((await xlBehindTheBack(dir, 'list', '-l', 'fast')).stdout);
    const rates = dom.config.nics.map((n: { rate_bytes_per_interval: number; rate_interval_usecs: number }) => [n.rate_bytes_per_interval, n.rate_interval_usecs]);
    expect(rates).to.deep.equal([[250_000_000, 50_000], [400_000_000, 50_000]]);
  });
});

describe('xl driver: a vif rate changed live survives a reboot, ours or one the guest makes itself (xl-sim in-process)', function () {
  this.timeout(30_000);
  let dir: string;
  let driver: XlDriver;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-rate-reboot-'));
    driver = createTestDriver(dir, { commandTimeoutMs: 10_000, refreshIntervalMs: 50 });
  });
  afterEach(async () => {
    await driver.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  /**
   * A running system whose interface is defined at 125 MB/s and throttled live to 1.25 MB/s
   * (netback's xenstore key only: libxl's record keeps 125 MB/s); `before` is its domid.
   */
  const throttled = async (name: string): Promise<{ vm: VirtManager; before: number }> => {
    const vm = new VirtManager(driver, { pollIntervalMs: 50 });
    await vm.init();
    const disk = join(dir, `${name}.img`);
    writeFileSync(disk, '');
    const mac = '00:16:3e:00:00:07';
    await vm.defineSystem({
      name, type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda' }],
      nics: [{ mac, bridge: 'xenbr0', rate: { bytesPerSecond: 125_000_000 } }],
    });
    await vm.requestState(name, 'running');
    await driver.setInterfaceRate(name, mac, { bytesPerSecond: 1_250_000 });
    return { vm, before: (await vm.getSystem(name)).live!.domid };
  };

  it('xl rebuilds the rebooted domain from libxl\'s record (the attach-time rate): the definition\'s rate is set again', async () => {
    const { vm, before } = await throttled('thr');
    await driver.reboot('thr');
    const after = (await vm.getSystem('thr')).live!.domid;
    expect(after).to.not.equal(before);
    const rate = (await xlBehindTheBack(dir, 'xenstore', 'read', `/local/domain/0/backend/vif/${after}/0/rate`)).stdout;
    expect(rate).to.equal('62500,50000\n');
  });

  it('a domain rebuilt by xl behind our back (the guest rebooted itself) gets the definition\'s rate again', async () => {
    const { vm, before } = await throttled('g');
    await xlBehindTheBack(dir, 'reboot', 'g');
    // The background's pictures see the new domain, then its rate is set again.
    let rate = '';
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      const after = (await vm.getSystem('g')).live?.domid;
      if (after === undefined || after === before) continue;
      rate = (await xlBehindTheBack(dir, 'xenstore', 'read', `/local/domain/0/backend/vif/${after}/0/rate`)).stdout;
      if (rate === '62500,50000\n') break;
    }
    expect(rate).to.equal('62500,50000\n');
  });
});

describe('xl driver: a vif rate changed live survives a save and restore (xl-sim in-process)', function () {
  this.timeout(30_000);
  let dir: string;
  let backend: TestBackend;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-rate-restore-'));
    backend = createTestBackend(dir, { commandTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await backend.driver.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('restored from the definition\'s cfg, the vif comes up at the live rate, with no xenstore write or network-list after the restore', async () => {
    const { driver, xl } = backend;
    const vm = new VirtManager(driver, { pollIntervalMs: 50 });
    await vm.init();
    const disk = join(dir, 'r.img');
    writeFileSync(disk, '');
    const mac = '00:16:3e:00:00:09';
    await vm.defineSystem({
      name: 'r', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda' }],
      nics: [{ mac, bridge: 'xenbr0', rate: { bytesPerSecond: 125_000_000 } }],
    });
    await vm.requestState('r', 'running');
    await driver.setInterfaceRate('r', mac, { bytesPerSecond: 1_250_000 });
    await vm.requestState('r', 'suspended');
    xl.log.length = 0;
    await vm.requestState('r', 'running');
    const domid = (await vm.getSystem('r')).live!.domid;
    const rate = (await xlBehindTheBack(dir, 'xenstore', 'read', `/local/domain/0/backend/vif/${domid}/0/rate`)).stdout;
    expect(rate).to.equal('62500,50000\n');
    const restoreAt = xl.log.findIndex((a) => a[0] === 'restore');
    expect(restoreAt).to.be.at.least(0);
    expect(xl.log.slice(restoreAt).filter((a) => a[0] === 'xenstore' || a[0] === 'network-list')).to.deep.equal([]);
  });
});

describe('xl driver: an adopted system restored from its image gets its live rate written again (xl-sim in-process)', function () {
  this.timeout(30_000);
  let dir: string;
  let backend: TestBackend;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-rate-adopted-'));
    backend = createTestBackend(dir, { commandTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await backend.driver.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('xl restores it from the image\'s own configuration (the attach-time rate): the definition\'s rate is set again', async () => {
    const { driver } = backend;
    const mac = '00:16:3e:00:00:0a';
    const cfg = join(dir, 'outside.cfg');
    writeFileSync(cfg, `name = "outside"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\nvif = [ "mac=${mac},bridge=xenbr0,rate=125000000B/s@50000us" ]\n`);
    await xlBehindTheBack(dir, 'create', '-q', cfg);
    const vm = new VirtManager(driver, { pollIntervalMs: 50 });
    await vm.init();
    expect(driver.store.get('outside')?.origin).to.equal('adopted');
    await driver.setInterfaceRate('outside', mac, { bytesPerSecond: 1_250_000 });
    await vm.requestState('outside', 'suspended');
    await vm.requestState('outside', 'running');
    const domid = (await vm.getSystem('outside')).live!.domid;
    const rate = (await xlBehindTheBack(dir, 'xenstore', 'read', `/local/domain/0/backend/vif/${domid}/0/rate`)).stdout;
    expect(rate).to.equal('62500,50000\n');
  });
});
