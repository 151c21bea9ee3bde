/**
 * Replacing a disk (same vdev) or an interface (same MAC) of a running domain: the old device is
 * recorded, xl unplugs it and plugs the new one, then the definition takes the new one. A server
 * dying between the two xl calls (here: the plug hangs while a second driver starts on the same
 * data directory, as a restarted server would) keeps the old device in the definition and plugs
 * it back into the domain: never a system left without the device.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { createTestBackend, xlBehindTheBack, type TestBackend } from '../../support/xl-backend.js';

describe('xl driver: replacing a disk or an interface of a running domain', function () {
  this.timeout(30_000);
  let dir: string;
  let b: TestBackend;
  const others: XlDriver[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-replace-'));
    b = createTestBackend(dir, { refreshIntervalMs: 60_000, longTimeoutMs: 5_000 }); // a hung attach is killed soon after the test
    await b.driver.init();
    for (const f of ['d.img', 'd2.img']) writeFileSync(join(dir, f), '');
    await b.driver.define({
      name: 'd', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: join(dir, 'd.img'), vdev: 'xvda' }],
      nics: [{ mac: '00:16:3e:00:00:01', bridge: 'xenbr0' }],
    });
    await b.driver.start('d');
  });
  afterEach(async () => {
    await Promise.all([b.driver.close(), ...others.splice(0).map((o) => o.close())]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  const hang = (command: string) => writeFileSync(join(b.stateDir, 'faults.json'), JSON.stringify({ rules: [{ command, mode: 'hang' }] }));
  const until = async (command: string) => {
    for (let i = 0; i < 300 && !b.xl.log.some((a) => a[0] === command); i++) await new Promise((r) => setTimeout(r, 10));
  };
  /** A second driver on the same data directory: what a restarted server finds and does. */
  const restart = async (): Promise<XlDriver> => {
    const after = createTestBackend(dir, { refreshIntervalMs: 60_000 }).driver;
    others.push(after);
    await after.init();
    return after;
  };

  it('unplugs and plugs, and the definition takes the new device', async () => {
    await b.driver.replaceDisk('d', 'xvda', { target: join(dir, 'd2.img'), vdev: 'xvda', readOnly: true });
    await b.driver.replaceInterface('d', '00:16:3e:00:00:01', { bridge: 'xenbr1' });
    const calls = b.xl.log.filter((a) => /^(block|network)-/.test(a[0]!)).map((a) => a[0]);
    expect(calls).to.deep.equal(['block-detach', 'block-attach', 'network-detach', 'network-attach']);
    const def = b.driver.store.get('d')!;
    expect(def.replacing).to.equal(undefined);
    expect(def.config.disks.map((x) => `${x.vdev}:${x.target}:${x.readOnly === true}`)).to.deep.equal([`xvda:${join(dir, 'd2.img')}:true`]);
    expect(def.config.nics.map((n) => `${n.mac}@${n.bridge}`)).to.deep.equal(['00:16:3e:00:00:01@xenbr1']);
  });

  it('a server dying between unplugging a disk and plugging its replacement: the restart keeps the old disk and plugs it back', async () => {
    hang('block-attach');
    void b.driver.replaceDisk('d', 'xvda', { target: join(dir, 'd2.img'), vdev: 'xvda' }).catch(() => {});
    await until('block-attach');
    expect((await xlBehindTheBack(dir, 'block-list', 'd')).stdout).to.not.match(/\b51712\b/); // unplugged
    const after = await restart();
    const def = after.store.get('d')!;
    expect(def.config.disks.map((x) => `${x.vdev}:${x.target}`)).to.deep.equal([`xvda:${join(dir, 'd.img')}`]);
    expect(def.replacing).to.equal(undefined);
    expect((await xlBehindTheBack(dir, 'block-list', 'd')).stdout).to.match(/\b51712\b/); // xvda plugged back
  });

  it('a server dying between unplugging an interface and plugging its replacement: the restart keeps the old one and plugs it back', async () => {
    hang('network-attach');
    void b.driver.replaceInterface('d', '00:16:3e:00:00:01', { bridge: 'xenbr1' }).catch(() => {});
    await until('network-attach');
    const after = await restart();
    const def = after.store.get('d')!;
    expect(def.config.nics.map((n) => `${n.mac}@${n.bridge}`)).to.deep.equal(['00:16:3e:00:00:01@xenbr0']);
    expect((await xlBehindTheBack(dir, 'network-list', 'd')).stdout).to.match(/00:16:3e:00:00:01/);
  });
});
