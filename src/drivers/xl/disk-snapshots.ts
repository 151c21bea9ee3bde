/**
 * The disks of a snapshot. qcow2 images keep an internal snapshot of their own (`qemu-img
 * snapshot -c/-a/-d`, named `xenwbem-<id>`): nothing is copied, the image's path never changes
 * (so the definition needs no rewrite and any snapshot of the tree can be applied, not only the
 * tip of a backing chain). Raw images are copied whole into the snapshot's folder and copied back
 * (a temp file beside the image, fsynced, renamed over it); a copy is a reflink where the
 * filesystem makes them, else streamed and stopped by the job's cancel signal. Every path is checked against the
 * allow-list (paths.ts) before anything reads or writes it; qemu-img runs with an argument array
 * and a deadline. qemu-img 7.2's `snapshot` has no `-f`: `--image-opts driver=qcow2,...` names
 * the format so an image is never probed (validated paths hold no comma).
 *
 * On a real host the qdisk backend of a running guest holds its qcow2 image locked: qemu-img
 * then refuses ("Failed to get write lock") and the snapshot fails cleanly; raw images have no
 * such lock.
 */
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import type { OperationOptions } from '../../virt/driver.js';
import { VirtError } from '../../virt/errors.js';
import { type DiskCapture, sizeText } from '../../virt/snapshots/index.js';
import type { DiskFormat, DiskSpec } from '../../virt/types.js';
import { TEMP_SUFFIX, fsyncDir } from './atomic-file.js';
import { checkPaths, type PathPolicy } from './paths.js';
import { startTurn } from './spawn-turns.js';
import { validPath, validVdev } from './validate.js';

export const SNAPSHOT_DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2'];

/** qemu-img snapshot of a local image: metadata only, well under this. */
export const QEMU_IMG_DEADLINE_MS = 120_000;
const TAG = /^xenwbem-[0-9a-f]{12}$/;

export class DiskSnapshots {
  calls = 0;
  constructor(private readonly qemuImg: string, private readonly paths: PathPolicy | undefined) {}

  /** The disks a snapshot keeps: writable ones (read-only disks and CD-ROMs cannot change). */
  static kept(disks: readonly DiskSpec[]): DiskSpec[] {
    return disks.filter((d) => !d.readOnly && !d.cdrom);
  }

  async check(system: string, disks: readonly DiskSpec[]): Promise<void> {
    for (const d of DiskSnapshots.kept(disks)) {
      const format = d.format ?? 'raw';
      if (!SNAPSHOT_DISK_FORMATS.includes(format)) {
        throw new VirtError('invalid_argument', `disk ${d.vdev} of '${system}' is ${format}: snapshots keep ${SNAPSHOT_DISK_FORMATS.join(' and ')} images only`);
      }
      validPath(d.target, 'disk target');
      await checkPaths(this.paths, undefined, [d]);
      const st = await stat(d.target).catch(() => undefined);
      if (!st) throw new VirtError('invalid_argument', `disk ${d.vdev} of '${system}' (${d.target}) does not exist: a snapshot cannot keep it`);
      if (!st.isFile()) throw new VirtError('invalid_argument', `disk ${d.vdev} of '${system}' (${d.target}) is not an image file: snapshots keep image files only`);
    }
  }

  /** Bytes the copies of the raw disks take. */
  async copyBytes(disks: readonly DiskSpec[]): Promise<number> {
    let n = 0;
    for (const d of DiskSnapshots.kept(disks)) if ((d.format ?? 'raw') === 'raw') n += (await stat(d.target).catch(() => ({ size: 0 }))).size;
    return n;
  }

  async capture(disks: readonly DiskSpec[], into: string, tag: string, opts: OperationOptions, progress: (f: number) => void): Promise<DiskCapture[]> {
    if (!TAG.test(tag)) throw new VirtError('invalid_argument', `invalid disk snapshot name ${JSON.stringify(tag)}`);
    const kept = DiskSnapshots.kept(disks);
    const out: DiskCapture[] = [];
    for (const [i, d] of kept.entries()) {
      const format = d.format ?? 'raw';
      await checkPaths(this.paths, undefined, [d]);
      if (format === 'qcow2') {
        await this.qemu(['snapshot', '-c', tag, ...imageOpts(d.target)], opts);
        out.push({ vdev: d.vdev, target: d.target, format, method: 'internal', tag, bytes: 0 });
      } else {
        const copy = `disk-${validVdev(d.vdev)}.raw`;
        await copySynced(d.target, join(into, copy), opts.signal);
        out.push({ vdev: d.vdev, target: d.target, format, method: 'copy', copy, bytes: (await stat(join(into, copy))).size });
      }
      progress((i + 1) / kept.length);
    }
    return out;
  }

  /** Bytes free to us in the filesystem of `dir` (tests replace it: a full filesystem on demand). */
  freeBytes = async (dir: string): Promise<number> => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };

  /**
   * Refuses a revert that would fail half-way: a disk outside the allowed directories now
   * (invalid_argument), or a copy that would not fit beside its image (invalid_state): each copy
   * is written whole before it replaces the image (whose room is then freed), so the largest copy
   * per filesystem must fit. A filesystem that cannot be asked is no refusal.
   */
  async checkRevert(disks: readonly DiskCapture[], from: string): Promise<void> {
    for (const d of disks) await checkPaths(this.paths, undefined, [{ target: validPath(d.target, 'disk target'), vdev: d.vdev }]);
    for (const d of disks) {
      if (d.method !== 'copy') continue;
      const size = (await stat(join(from, basename(d.copy ?? ''))).catch(() => ({ size: d.bytes }))).size;
      const free = await this.freeBytes(dirname(d.target)).catch(() => Number.POSITIVE_INFINITY);
      if (size > free) {
        throw new VirtError('invalid_state', `putting disk ${d.vdev} back needs ${sizeText(size)} beside ${d.target}, and its filesystem has ${sizeText(free)} free: free some space first`);
      }
    }
  }

  async revert(disks: readonly DiskCapture[], from: string, opts: OperationOptions = {}): Promise<void> {
    for (const d of disks) {
      await checkPaths(this.paths, undefined, [{ target: validPath(d.target, 'disk target'), vdev: d.vdev }]);
      if (d.method === 'internal') {
        await this.qemu(['snapshot', '-a', tagOf(d), ...imageOpts(d.target)], opts);
      } else {
        const copy = join(from, basename(d.copy ?? ''));
        // One temp name per disk (the disk is its system's, under its lock): a copy cut by a kill
        // is replaced by the next attempt instead of staying beside the image for good.
        const tmp = join(dirname(d.target), `.${basename(d.target)}.xenwbem-revert${TEMP_SUFFIX}`);
        try {
          await copySynced(copy, tmp, opts.signal);
          await rename(tmp, d.target);
        } catch (err) {
          await unlink(tmp).catch(() => {});
          throw new VirtError('failed', `could not put disk ${d.vdev} (${d.target}) back: ${err instanceof Error ? err.message : String(err)}`);
        }
        await fsyncDir(dirname(d.target));
      }
    }
  }

  /** Drop the images' own snapshots; an image or snapshot already gone is fine. */
  async discard(disks: readonly { target: string; format: DiskFormat; method?: string; tag?: string }[]): Promise<void> {
    for (const d of disks) {
      if (d.format !== 'qcow2' || d.method !== 'internal' || !d.tag || !TAG.test(d.tag)) continue;
      if (!(await stat(d.target).then(() => true, () => false))) continue;
      await checkPaths(this.paths, undefined, [{ target: validPath(d.target, 'disk target'), vdev: 'xvda' }]);
      try {
        await this.qemu(['snapshot', '-d', d.tag, ...imageOpts(d.target)], {});
      } catch (err) {
        if (!/snapshot not found/.test(err instanceof VirtError ? `${err.message} ${err.detail ?? ''}` : String(err))) throw err;
      }
    }
  }

  private async qemu(args: string[], opts: OperationOptions): Promise<void> {
    this.calls++;
    if (!(await startTurn(opts.signal))) throw new VirtError('failed', `qemu-img ${args[0]} was cancelled`);
    const r = await execa(this.qemuImg, args, {
      reject: false, timeout: QEMU_IMG_DEADLINE_MS, killSignal: 'SIGKILL', stdin: 'ignore',
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    if (r.timedOut) throw new VirtError('timeout', `qemu-img ${args[0]} did not finish within ${QEMU_IMG_DEADLINE_MS} ms and was killed`, `qemu-img ${args.join(' ')}`);
    if (r.isCanceled) throw new VirtError('failed', `qemu-img ${args[0]} was cancelled`);
    if (r.exitCode !== 0) {
      const text = String(r.stderr ?? '').trim() || r.shortMessage || 'failed';
      throw new VirtError('failed', `qemu-img ${args.slice(0, 3).join(' ')} failed: ${text.split('\n')[0]}`, text);
    }
  }
}

function tagOf(d: DiskCapture): string {
  if (!d.tag || !TAG.test(d.tag)) throw new VirtError('failed', `disk ${d.vdev} has no valid snapshot name`);
  return d.tag;
}

/** The image named with its format, so qemu-img never probes it. */
function imageOpts(target: string): string[] {
  return ['--image-opts', `driver=qcow2,file.filename=${validPath(target, 'disk target').replace(/,/g, ',,')}`];
}

/**
 * A durable copy: a reflink where the filesystem makes them (at once), else the bytes, streamed so
 * that the job's cancel signal stops the copy of a large image as it kills xl or qemu-img (a
 * running guest stays paused while its disks are copied). What a failed copy wrote is removed.
 */
async function copySynced(from: string, to: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  try {
    try {
      await copyFile(from, to, constants.COPYFILE_FICLONE_FORCE);
    } catch {
      await pipeline(createReadStream(from, { highWaterMark: 1 << 20 }), createWriteStream(to), ...(signal ? [{ signal }] : []));
    }
    const fh = await open(to, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await unlink(to).catch(() => {});
    throw err;
  }
}

