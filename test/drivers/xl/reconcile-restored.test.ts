/**
 * Start-up reconcile of a saved system whose image was restored while the server was away: its
 * `xl restore` ran to the end after the server was killed (xl is not killed with it), or an
 * administrator restored it by hand. The domain runs; the definition must follow it and the saved
 * image, now stale, must never be offered for a restore again (it would roll the guest back over
 * newer disk contents).
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtManager } from '../../../src/virt/manager.js';
import { createTestDriver, xlBehindTheBack } from '../../support/xl-backend.js';

/** One data directory where each `fresh()` is a server (re)started on it: a new driver and manager. */
function restartedHost(prefix: string) {
  const opened: XlDriver[] = [];
  const host = {
    dir: '',
    open(): void {
      host.dir = mkdtempSync(join(tmpdir(), prefix));
    },
    async fresh(): Promise<{ driver: XlDriver; vm: VirtManager; report: Awaited<ReturnType<VirtManager['init']>> }> {
      const driver = createTestDriver(host.dir, { commandTimeoutMs: 10_000 });
      opened.push(driver);
      const vm = new VirtManager(driver, { pollIntervalMs: 50 });
      return { driver, vm, report: await vm.init() };
    },
    async close(): Promise<void> {
      for (const d of opened.splice(0)) await d.close().catch(() => {});
      rmSync(host.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
  return host;
}

describe('xl driver: start-up reconcile of a saved image restored while the server was away', function () {
  this.timeout(30_000);
  const host = restartedHost('xl-restored-');
  const fresh = host.fresh;

  beforeEach(() => host.open());
  afterEach(() => host.close());

  for (const paused of [false, true]) {
    it(`a ${paused ? 'paused' : 'running'} domain of a saved system: the definition follows it and the stale image goes`, async () => {
      const first = await fresh();
      const disk = join(host.dir, 'g1.img');
      writeFileSync(disk, '');
      const g = await first.vm.defineSystem({
        name: 'g1', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda' }],
      });
      await first.vm.requestState('g1', 'running');
      await first.vm.requestState('g1', 'suspended');
      const image = first.driver.store.get('g1')!.savedImage!;
      expect(existsSync(image)).to.equal(true);
      await first.driver.close();

      // The restore the server had started goes on without it.
      await xlBehindTheBack(host.dir, 'restore', ...(paused ? ['-p'] : []), image);

      const again = await fresh();
      expect(again.report.restored).to.deep.equal(['g1']);
      const s = await again.vm.getSystem('g1');
      expect(s).to.deep.include({ uuid: g.uuid, state: paused ? 'paused' : 'running' });
      expect(s.hasSavedImage ?? false).to.equal(false);
      const def = again.driver.store.get('g1')!;
      expect(def.savedImage).to.equal(undefined);
      expect(def.expected).to.equal(paused ? 'paused' : 'running');
      expect(existsSync(image)).to.equal(false);

      // The domain powered off behind our back: the system is defined, not suspended on a stale image.
      await xlBehindTheBack(host.dir, 'destroy', 'g1');
      const third = await fresh();
      expect((await third.vm.getSystem('g1')).state).to.equal('defined');
      expect(third.driver.store.get('g1')!.savedImage).to.equal(undefined);
    });
  }
});

describe('xl driver: start-up reconcile of a save that ended while the server was away', function () {
  this.timeout(30_000);
  const host = restartedHost('xl-saved-away-');
  const fresh = host.fresh;
  const running = async (): Promise<{ driver: XlDriver; vm: VirtManager; uuid: string }> => {
    const first = await fresh();
    const disk = join(host.dir, 's1.img');
    writeFileSync(disk, '');
    const s = await first.vm.defineSystem({
      name: 's1', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda' }],
    });
    await first.vm.requestState('s1', 'running');
    return { ...first, uuid: s.uuid };
  };

  beforeEach(() => host.open());
  afterEach(() => host.close());

  it('the image xl wrote at the system\'s save path is its saved state: suspended, and it restores', async () => {
    const first = await running();
    await first.driver.close();
    // The server was killed during its `xl save`, which went on to the end without it.
    const image = join(host.dir, 'saves', 's1.save');
    await xlBehindTheBack(host.dir, 'save', 's1', image);

    const again = await fresh();
    expect(again.report.vanished).to.deep.equal([]);
    const s = await again.vm.getSystem('s1');
    expect(s).to.deep.include({ uuid: first.uuid, state: 'suspended', hasSavedImage: true });
    expect(s.vanished ?? false).to.equal(false);
    expect(again.driver.store.get('s1')!.savedImage).to.equal(image);
    expect((await again.vm.requestState('s1', 'running')).state).to.equal('running');
    expect(existsSync(image)).to.equal(false);
  });

  it('an image older than the definition\'s last change is not taken: the system vanished', async () => {
    const first = await running();
    await first.driver.close();
    const image = join(host.dir, 'saves', 's1.save');
    await xlBehindTheBack(host.dir, 'save', 's1', image);
    const old = new Date(Date.parse(first.driver.store.get('s1')!.updatedAt) - 60_000);
    utimesSync(image, old, old);

    const again = await fresh();
    expect(again.report.vanished).to.deep.equal(['s1']);
    expect((await again.vm.getSystem('s1')).hasSavedImage ?? false).to.equal(false);
  });
});
