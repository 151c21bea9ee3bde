/**
 * A change of a running domain's resources runs several xl commands (mem-set, mem-max, vcpu-set,
 * sched-credit[2]). When one of them fails, the call fails and changes nothing: the commands
 * that already ran are undone, so the domain does not keep half of a change its definition never
 * recorded (shown by reads as made behind our back, and lost at the next start).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { createTestBackend, failNextPatch, simStateDir, xlBehindTheBack } from '../../support/xl-backend.js';

describe('xl driver: a resource change that fails half-way is undone on the running domain', () => {
  let dir: string;
  let driver: XlDriver;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-modpart-'));
    driver = createTestBackend(dir, { refreshIntervalMs: 60_000 }).driver;
    await driver.init();
    await driver.define({ name: 'm', type: 'pv', memoryMiB: 512, maxMemoryMiB: 1024, vcpus: 1, maxVcpus: 2, boot: { kernel: '/boot/vmlinuz' } });
    await driver.start('m');
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('memory, vCPUs and weight asked together; the scheduler call fails: memory and vCPUs are as before', async () => {
    writeFileSync(join(simStateDir(dir), 'faults.json'), JSON.stringify({ rules: [{ command: 'sched-credit2', mode: 'fail', count: 1 }] }));
    const e = await driver.modify('m', { memoryMiB: 768, vcpus: 2, cpuWeight: 512 }).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    const row = (await xlBehindTheBack(dir, 'list', 'm')).stdout.split('\n')[1]!.trim().split(/\s+/);
    expect({ mem: Number(row[2]), vcpus: Number(row[3]) }).to.deep.equal({ mem: 512, vcpus: 1 });
    driver.invalidate();
    expect((await driver.get('m')).config).to.include({ memoryMiB: 512, vcpus: 1, cpuWeight: 256 });
  });

  it('the change ran but its definition cannot be stored: memory and weight are as before', async () => {
    failNextPatch(driver);
    const e = await driver.modify('m', { memoryMiB: 768, cpuWeight: 512 }).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    const row = (await xlBehindTheBack(dir, 'list', 'm')).stdout.split('\n')[1]!.trim().split(/\s+/);
    expect(Number(row[2])).to.equal(512);
    expect((await xlBehindTheBack(dir, 'sched-credit2', '-d', 'm')).stdout).to.match(/\nm +\d+ +256 +0\n$/);
    driver.invalidate();
    expect((await driver.get('m')).config).to.include({ memoryMiB: 512, cpuWeight: 256 });
  });
});
