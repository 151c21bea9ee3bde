/**
 * A change made with xl behind the server's back reaches the event stream with the refresh that
 * noticed it — not one change late (the picture the comparison reads must already be the one
 * that showed the change).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../src/drivers/xl/xl-driver.js';
import type { ModelEvent } from '../../src/virt/events.js';
import { VirtManager } from '../../src/virt/manager.js';
import { createTestDriver, xlBehindTheBack } from '../support/xl-backend.js';

describe('virt events: changes behind the back, each reported with the refresh that noticed it', function () {
  this.timeout(30_000);
  let dir: string;
  let driver: XlDriver;
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('xl pause, then xl unpause: each arrives as its own modification before the next is made', async () => {
    dir = mkdtempSync(join(tmpdir(), 'virt-behind-'));
    mkdirSync(join(dir, 'xl-sim'), { recursive: true });
    driver = createTestDriver(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100 });
    const vm = new VirtManager(driver, { pollIntervalMs: 20 });
    await vm.init();
    for (const name of ['a', 'b', 'c']) {
      await vm.defineSystem({ name, type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
      await vm.requestState(name, 'running');
    }
    await vm.events.refresh();
    const seen: ModelEvent[] = [];
    vm.events.subscribe((e) => seen.push(e));
    const arrives = async (state: string): Promise<number> => {
      const t0 = Date.now();
      while (!seen.some((e) => e.type === 'system' && e.name === 'b' && e.state === state)) {
        if (Date.now() - t0 > 3_000) expect.fail(`no event for b ${state} within 3 s (saw ${JSON.stringify(seen.map((e) => e.type === 'system' && [e.name, e.state]))})`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return Date.now() - t0;
    };
    for (let i = 0; i < 3; i++) {
      await xlBehindTheBack(dir, 'pause', 'b');
      await arrives('paused');
      seen.length = 0;
      await xlBehindTheBack(dir, 'unpause', 'b');
      await arrives('running');
      seen.length = 0;
    }
  });
});
