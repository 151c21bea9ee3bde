/**
 * The raw disks of a snapshot are copied whole (into the snapshot's folder, and back beside the
 * image when applied). A terminated job's cancel signal stops such a copy as it stops qemu-img
 * and xl: the copy does not go on (its guest stays paused meanwhile), nothing half-made is left,
 * and the image is as it was.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSnapshots } from '../../../src/drivers/xl/disk-snapshots.js';
import { VirtError } from '../../../src/virt/errors.js';

describe('xl driver: raw disk copies of snapshots follow the cancel signal', () => {
  let dir: string;
  let image: string;
  let into: string;
  const disks = new DiskSnapshots('qemu-img', undefined);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-diskcopy-'));
    image = join(dir, 'data.img');
    writeFileSync(image, 'A'.repeat(64 * 1024));
    into = join(dir, 'snap');
    mkdirSync(into);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  const aborted = (): AbortSignal => {
    const c = new AbortController();
    c.abort(new VirtError('failed', 'job terminated'));
    return c.signal;
  };

  it('copies a raw disk into the snapshot and back (the signal not raised)', async () => {
    const caught = await disks.capture([{ target: image, vdev: 'xvdb' }], into, 'xenwbem-0123456789ab', { signal: new AbortController().signal }, () => {});
    expect(caught).to.have.length(1);
    expect(readFileSync(join(into, 'disk-xvdb.raw'), 'utf8')).to.equal('A'.repeat(64 * 1024));
    writeFileSync(image, 'B');
    await disks.revert(caught, into, { signal: new AbortController().signal });
    expect(readFileSync(image, 'utf8')).to.equal('A'.repeat(64 * 1024));
  });

  it('capture: a cancelled job copies nothing', async () => {
    const e = await disks.capture([{ target: image, vdev: 'xvdb' }], into, 'xenwbem-0123456789ab', { signal: aborted() }, () => {}).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(Error);
    expect(readdirSync(into)).to.deep.equal([]);
  });

  it('revert: a cancelled job leaves the image as it is, and no temp file beside it', async () => {
    const caught = await disks.capture([{ target: image, vdev: 'xvdb' }], into, 'xenwbem-0123456789ab', {}, () => {});
    writeFileSync(image, 'B');
    const e = await disks.revert(caught, into, { signal: aborted() }).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(Error);
    expect(readFileSync(image, 'utf8')).to.equal('B');
    expect(readdirSync(dir).sort()).to.deep.equal(['data.img', 'snap']);
    expect(existsSync(join(into, 'disk-xvdb.raw'))).to.equal(true);
  });
});
