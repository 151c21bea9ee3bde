/** Small real disk images for snapshot tests, made and read with qemu-img and qemu-io (Debian qemu-utils). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A 1 MiB qcow2 image whose first 4 KiB hold the byte `fill`. */
export function qcow2(dir: string, name: string, fill: number): string {
  const p = join(dir, `${name}.qcow2`);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', p, '1M']);
  execFileSync('qemu-io', ['-c', `write -P ${fill} 0 4k`, p], { stdio: 'ignore' });
  return p;
}

/** Whether the first 4 KiB of a qcow2 image hold `fill`. */
export function qcow2Holds(p: string, fill: number): boolean {
  try {
    const out = execFileSync('qemu-io', ['-c', `read -P ${fill} 0 4k`, p], { encoding: 'utf8' });
    return !/Pattern verification failed/.test(out);
  } catch {
    return false;
  }
}

/** The names of the internal snapshots of a qcow2 image. */
export function qcow2Tags(p: string): string[] {
  const out = execFileSync('qemu-img', ['snapshot', '-l', p], { encoding: 'utf8' });
  return out.split('\n').slice(2).filter(Boolean).map((l) => l.split(/\s+/)[1]!);
}

