/**
 * Jobs that save or restore a system follow the bytes of its memory image (the driver reports the
 * fraction written or read back): state requests to and from suspended, and a whole network parked
 * suspended and launched, where each member's restore under way counts for its fraction. The
 * simulated host writes and reads 256 MiB images at 256 MiB/s (about a second each).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileNetworkStore } from '../../src/drivers/xl/network-store.js';
import type { Job } from '../../src/virt/jobs.js';
import { VirtManager } from '../../src/virt/manager.js';
import { createTestBackend, simStateDir, TEST_BRIDGES, type TestBackend } from '../support/xl-backend.js';

/** The job's PercentComplete values until it ends. */
async function watch<T>(job: Job<T>): Promise<number[]> {
  const seen: number[] = [job.percentComplete];
  const timer = setInterval(() => { if (seen.at(-1) !== job.percentComplete) seen.push(job.percentComplete); }, 20);
  try {
    await job.done;
  } finally {
    clearInterval(timer);
  }
  if (seen.at(-1) !== job.percentComplete) seen.push(job.percentComplete);
  return seen;
}

describe('virt: saves and restores as jobs whose PercentComplete follows the image written or read back', function () {
  this.timeout(30_000);
  let dir: string;
  let backend: TestBackend;
  let vm: VirtManager;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virt-restore-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    writeFileSync(join(simStateDir(dir), 'host.json'), JSON.stringify({ bridges: TEST_BRIDGES, save_mib_per_sec: 256, restore_mib_per_sec: 256 }));
    backend = createTestBackend(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100 });
    vm = new VirtManager(backend.driver, { pollIntervalMs: 20, networkStore: new FileNetworkStore(dir) });
    await vm.init();
    for (const n of ['ra', 'rb']) await vm.defineSystem({ name: n, type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
  });
  afterEach(async () => {
    await backend.driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('state requests from running to suspended and back to running', async () => {
    await vm.requestState('ra', 'running');
    for (const target of ['suspended', 'running'] as const) {
      const change = await vm.requestStateChange('ra', target);
      if (change.kind !== 'job') throw new Error(change.kind);
      const seen = await watch(change.job);
      const during = seen.filter((p) => p > 1 && p < 100);
      expect(during.length, `${target}: ${seen.join(' ')}`).to.be.at.least(4);
      expect(during.every((p, i) => i === 0 || p > during[i - 1]!)).to.equal(true);
      expect(seen.at(-1)).to.equal(100);
      expect((await vm.getSystem('ra')).state).to.equal(target);
    }
  });

  it('a network parked suspended and launched: the members\' restores move it between their steps', async () => {
    await vm.networks.define({ name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }], links: [] });
    const park = await vm.networks.requestStateChange('wan', 'suspended');
    if (park.kind === 'job') await park.job.done;
    expect((await vm.getSystem('ra')).state).to.equal('suspended');
    const launch = await vm.networks.requestStateChange('wan', 'running');
    if (launch.kind !== 'job') throw new Error(launch.kind);
    const seen = await watch(launch.job);
    // Two members restored at once, one step each: without the bytes read it would show 1, 50, 100.
    const during = seen.filter((p) => p > 1 && p < 100);
    expect(during.length, seen.join(' ')).to.be.at.least(4);
    expect(during.every((p, i) => i === 0 || p > during[i - 1]!)).to.equal(true);
    expect(seen.at(-1)).to.equal(100);
    for (const n of ['ra', 'rb']) expect((await vm.getSystem(n)).state).to.equal('running');
  });
});
