/**
 * Disk, kernel, ramdisk and bootloader paths are restricted to configured directories before
 * anything reaches xl (xl opens them, and runs the bootloader, as root in dom0).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths, type PathPolicy } from '../../../src/drivers/xl/paths.js';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import type { VirtualSystemSpec } from '../../../src/virt/types.js';
import { createTestBackend, simStateDir, type TestBackend } from '../../support/xl-backend.js';

async function refusal(p: Promise<unknown>): Promise<VirtError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(VirtError.is(e, 'invalid_argument'), String(e)).to.equal(true);
  return e as VirtError;
}

describe('xl driver: disk and boot paths restricted to configured directories', () => {
  let dir: string;
  let images: string;
  let boot: string;
  let policy: PathPolicy;
  let b: TestBackend;
  let driver: XlDriver;

  const spec = (extra: Partial<VirtualSystemSpec> = {}): VirtualSystemSpec => ({
    name: 'p', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: join(boot, 'vmlinuz') },
    disks: [{ target: join(images, 'p.img'), vdev: 'xvda' }], ...extra,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-paths-'));
    images = join(dir, 'images');
    boot = join(dir, 'boot');
    for (const d of [images, boot, simStateDir(dir)]) mkdirSync(d, { recursive: true });
    writeFileSync(join(images, 'p.img'), '');
    writeFileSync(join(boot, 'vmlinuz'), '');
    policy = { imageDirs: [images], bootDirs: [boot] };
    b = createTestBackend(dir, { paths: policy, refreshIntervalMs: 60_000 });
    driver = b.driver;
    await driver.init();
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('accepts disks in an image directory and kernels in a boot or image directory', async () => {
    await driver.define(spec({ boot: { kernel: join(boot, 'vmlinuz'), ramdisk: join(images, 'initrd.img') } }));
    await driver.start('p');
    expect((await driver.get('p')).state).to.equal('running');
  });

  it('refuses /etc/shadow as a disk, naming the path and the allowed directories, with no xl call', async () => {
    const before = b.xl.log.length;
    const e = await refusal(driver.define(spec({ disks: [{ target: '/etc/shadow', vdev: 'xvda' }] })));
    expect(e.message).to.include('"/etc/shadow"').and.include(images).and.include('--image-dir');
    expect(b.xl.log.length).to.equal(before);
    expect(VirtError.is(await driver.get('p').then(() => undefined, (x: unknown) => x), 'not_found')).to.equal(true);
  });

  it('refuses a bootloader outside the boot directories (an image directory is not enough)', async () => {
    const e = await refusal(driver.define(spec({ boot: { bootloader: '/tmp/pygrub' } })));
    expect(e.message).to.include('bootloader "/tmp/pygrub"').and.include(boot);
    await refusal(driver.define(spec({ boot: { bootloader: join(images, 'pygrub') } })));
    await driver.define(spec({ boot: { bootloader: join(boot, 'pygrub') } }));
  });

  it('refuses a kernel or ramdisk outside both lists, and a disk attached later', async () => {
    await refusal(driver.define(spec({ boot: { kernel: '/etc/passwd' } })));
    await refusal(driver.define(spec({ boot: { kernel: join(boot, 'vmlinuz'), ramdisk: '/root/x' } })));
    await driver.define(spec());
    await driver.start('p');
    const before = b.xl.log.filter((a) => a[0] === 'block-attach').length;
    await refusal(driver.attachDisk('p', { target: '/etc/shadow', vdev: 'xvdb' }));
    expect(b.xl.log.filter((a) => a[0] === 'block-attach').length).to.equal(before);
    expect((await driver.get('p')).config.disks.map((d) => d.vdev)).to.deep.equal(['xvda']);
  });

  it('resolves symbolic links: a link inside an allowed directory that leads outside is refused', async () => {
    symlinkSync('/etc/hostname', join(images, 'escape.img'));
    const e = await refusal(driver.define(spec({ disks: [{ target: join(images, 'escape.img'), vdev: 'xvda' }] })));
    expect(e.message).to.include('escape.img');
  });

  it('refuses a directory name that only starts like an allowed one, and ".." (before the allow-list)', async () => {
    await refusal(driver.define(spec({ disks: [{ target: `${images}-evil/x.img`, vdev: 'xvda' }] })));
    await refusal(driver.define(spec({ disks: [{ target: `${images}/../../etc/shadow`, vdev: 'xvda' }] })));
  });

  it('accepts a path in a not yet existing file of an allowed directory, and anything without a policy', async () => {
    await checkPaths(policy, undefined, [{ target: join(images, 'new', 'disk.img'), vdev: 'xvda' }]);
    await checkPaths(undefined, { bootloader: '/tmp/x' }, [{ target: '/etc/shadow', vdev: 'xvda' }]);
  });

  it('refuses to start a stored definition whose paths are no longer allowed', async () => {
    await driver.close();
    const open = createTestBackend(dir, { refreshIntervalMs: 60_000 }).driver; // no policy
    await open.init();
    await open.define(spec({ name: 'old', disks: [{ target: '/srv/old.img', vdev: 'xvda' }] }));
    await open.close();
    driver = createTestBackend(dir, { paths: policy, refreshIntervalMs: 60_000 }).driver;
    await driver.init();
    const e = await refusal(driver.start('old'));
    expect(e.message).to.include('/srv/old.img');
    expect((await driver.get('old')).state).to.equal('defined');
  });
});
