/**
 * A device change on a running domain is xl's (block-/network-attach, -detach) and then the
 * definition's. When the definition cannot be stored (a full disk, the store closed because the
 * server is stopping), the call fails: the running domain must then be as it was, not carry a
 * device its definition does not know (gone at the next start) or miss one it still lists.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { createTestBackend, failNextPatch, xlBehindTheBack } from '../../support/xl-backend.js';

describe('xl driver: a device change whose definition cannot be stored is undone on the running domain', () => {
  let dir: string;
  let driver: XlDriver;

  const blocks = async (): Promise<string> => (await xlBehindTheBack(dir, 'block-list', 'd')).stdout;
  const vifs = async (): Promise<string> => (await xlBehindTheBack(dir, 'network-list', 'd')).stdout;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-devstore-'));
    driver = createTestBackend(dir, { refreshIntervalMs: 60_000 }).driver;
    await driver.init();
    writeFileSync(join(dir, 'd.img'), '');
    writeFileSync(join(dir, 'extra.img'), '');
    await driver.define({
      name: 'd', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: join(dir, 'd.img'), vdev: 'xvda' }],
      nics: [{ mac: '00:16:3e:00:00:01', bridge: 'xenbr0' }],
    });
    await driver.start('d');
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('attachDisk: the disk xl plugged in is unplugged again', async () => {
    failNextPatch(driver);
    const e = await driver.attachDisk('d', { target: join(dir, 'extra.img'), vdev: 'xvdb' }).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    expect(await blocks()).to.not.match(/\b51728\b/); // xvdb
    driver.invalidate();
    expect((await driver.get('d')).config.disks.map((x) => x.vdev)).to.deep.equal(['xvda']);
  });

  it('attachInterface: the interface xl plugged in is unplugged again', async () => {
    failNextPatch(driver);
    const e = await driver.attachInterface('d', { mac: '00:16:3e:00:00:02', bridge: 'xenbr0' }).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    expect(await vifs()).to.not.include('00:16:3e:00:00:02');
    driver.invalidate();
    expect((await driver.get('d')).config.nics.map((x) => x.mac)).to.deep.equal(['00:16:3e:00:00:01']);
  });

  it('detachDisk: the disk xl unplugged is plugged in again', async () => {
    await driver.attachDisk('d', { target: join(dir, 'extra.img'), vdev: 'xvdb' });
    failNextPatch(driver);
    const e = await driver.detachDisk('d', 'xvdb').then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    expect(await blocks()).to.match(/\b51728\b/);
    driver.invalidate();
    expect((await driver.get('d')).config.disks.map((x) => x.vdev)).to.deep.equal(['xvda', 'xvdb']);
  });

  it('detachInterface: the interface xl unplugged is plugged in again, with its rate', async () => {
    await driver.attachInterface('d', { mac: '00:16:3e:00:00:02', bridge: 'xenbr0', rate: { bytesPerSecond: 1_250_000, intervalUs: 20_000 } });
    failNextPatch(driver);
    const e = await driver.detachInterface('d', '00:16:3e:00:00:02').then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    expect(await vifs()).to.include('00:16:3e:00:00:02');
    driver.invalidate();
    const nic = (await driver.get('d')).config.nics.find((x) => x.mac === '00:16:3e:00:00:02');
    expect(nic?.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
  });
});
