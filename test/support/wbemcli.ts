/** Running the real sblim wbemcli from tests: it must be installed (CI installs it). */
import { execa } from 'execa';

export async function requireWbemcli(): Promise<void> {
  const r = await execa('sh', ['-c', 'command -v wbemcli'], { reject: false });
  if (r.exitCode !== 0) {
    throw new Error('wbemcli is not installed: install the Debian package sblim-wbemcli (.ci/run does this)');
  }
}

export async function wbemcli(...args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  const r = await execa('wbemcli', args, { reject: false, timeout: 30_000 });
  return { code: r.exitCode, out: r.stdout, err: r.stderr };
}
