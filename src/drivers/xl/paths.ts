/**
 * Where the files xl opens for a guest may be. On a real host xl runs as root in dom0: a disk
 * path hands that file to the guest (`/etc/shadow` as a disk), and a bootloader is executed as
 * root. So every disk, kernel, ramdisk and bootloader path must lie in a configured directory:
 * - disks: in an image directory;
 * - kernels and ramdisks: in an image or a boot directory;
 * - bootloaders (executed): in a boot directory only.
 * Paths are compared after normalisation: `..` is refused earlier (validate.ts), and symbolic
 * links are resolved as far as the path exists, so a link inside an allowed directory that
 * points outside it is refused too.
 */
import { realpath } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import type { BootSpec, DiskSpec } from '../../virt/types.js';

export interface PathPolicy {
  /** Directories disks (and kernels, ramdisks) may be in. */
  imageDirs: string[];
  /** Directories kernels, ramdisks and bootloaders may be in. */
  bootDirs: string[];
}

/** Defaults for a Debian Xen 4.17 host; the data directory's own `images` folder is added by the caller. */
export const DEFAULT_IMAGE_DIRS = ['/var/lib/xen/images'];
export const DEFAULT_BOOT_DIRS = ['/usr/lib/xen-4.17/boot', '/usr/lib/xen-4.17/bin', '/boot'];

/** The path with every symbolic link resolved as far as it exists (the rest appended as given). */
async function real(path: string): Promise<string> {
  const abs = resolve(path);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    if (parent === abs) return abs;
    return join(await real(parent), basename(abs));
  }
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

async function allowed(path: string, dirs: readonly string[]): Promise<boolean> {
  const candidates = [resolve(path), await real(path)];
  const roots = await Promise.all(dirs.map(async (d) => [resolve(d), await real(d)]));
  // Both the path as given and as resolved must be inside (a link may neither lead out nor in).
  return candidates.every((c) => roots.some((r) => r.some((d) => inside(c, d))));
}

async function require(what: string, path: string, dirs: readonly string[], flag: string): Promise<void> {
  if (await allowed(path, dirs)) return;
  const list = dirs.length ? dirs.join(', ') : '(none configured)';
  throw new VirtError('invalid_argument', `${what} ${JSON.stringify(path)} is outside the allowed directories (${list}); the server's ${flag} option allows more`);
}

/** Refuses (invalid_argument) a disk or boot path outside the policy's directories; no policy: anything. */
export async function checkPaths(policy: PathPolicy | undefined, boot: BootSpec | undefined, disks: readonly DiskSpec[]): Promise<void> {
  if (!policy) return;
  for (const d of disks) if (d.target) await require('disk', d.target, policy.imageDirs, '--image-dir');
  const either = [...policy.imageDirs, ...policy.bootDirs];
  if (boot?.kernel !== undefined) await require('kernel', boot.kernel, either, '--image-dir or --boot-dir');
  if (boot?.ramdisk !== undefined) await require('ramdisk', boot.ramdisk, either, '--image-dir or --boot-dir');
  if (boot?.bootloader !== undefined) await require('bootloader', boot.bootloader, policy.bootDirs, '--boot-dir');
}
