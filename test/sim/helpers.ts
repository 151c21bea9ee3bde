// Test helpers: run xl-sim in this process (runXl, the same code as bin/xl-sim) or as a child
// process (argument arrays, never a shell) in a throw-away state directory, and read the
// reference samples.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runXl } from '../../src/sim/run-xl.js';

export const XL_SIM = fileURLToPath(new URL('../../../bin/xl-sim', import.meta.url));
export const SAMPLES = fileURLToPath(new URL('../../../test/data/xl-samples/', import.meta.url));
export const INPUTS = join(SAMPLES, 'inputs');

export interface RunResult { stdout: string; stderr: string; code: number }

export interface RunOpts {
  state: string;
  /** Working directory (default: the sample inputs, so that `web01.cfg` names a sample). */
  cwd?: string;
  /** XL_SIM_HOSTS: the file naming other hosts for migrate. */
  hostsFile?: string;
  /** The caller kills xl after this long (code -1). */
  timeout?: number;
}

/** xl-sim in this process. */
export async function xl(args: string[], o: RunOpts): Promise<RunResult> {
  const r = await runXl(args, {
    stateDir: o.state, cwd: o.cwd ?? INPUTS, signal: AbortSignal.timeout(o.timeout ?? 30_000),
    ...(o.hostsFile !== undefined ? { hostsFile: o.hostsFile } : {}),
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.exitCode ?? -1 };
}

/** bin/xl-sim as a child process (or `exe`, e.g. a link to it named xentop). */
export async function xlProcess(args: string[], o: RunOpts & { exe?: string }): Promise<RunResult> {
  const r = await execa(o.exe ?? XL_SIM, args, {
    cwd: o.cwd ?? INPUTS,
    env: { XL_SIM_STATE: o.state, ...(o.hostsFile !== undefined ? { XL_SIM_HOSTS: o.hostsFile } : {}) },
    reject: false,
    stripFinalNewline: false,
    timeout: o.timeout ?? 30_000,
  });
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), code: r.exitCode ?? -1 };
}

const dirs: string[] = [];
export function tempDir(prefix = 'xl-sim-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}

/** A state dir with an optional host.json. */
export function newHost(host?: Record<string, unknown>, parent?: string, name?: string): string {
  const d = parent ? join(parent, name ?? 'host') : tempDir();
  mkdirSync(d, { recursive: true });
  // The sample configurations plug vifs into xenbr0 and xenbr1 (and tests into xenbr2): the sample host has them.
  writeFileSync(join(d, 'host.json'), JSON.stringify({ bridges: ['xenbr0', 'xenbr1', 'xenbr2'], ...host }));
  return d;
}

export function sample(name: string): string {
  return readFileSync(join(SAMPLES, name), 'utf8');
}

/** web01's second nic gets a random MAC on create; pin it to the sample's so output is exact. */
export const WEB01_VIF = "vif=['mac=00:16:3e:5a:01:01, bridge=xenbr0, rate=10Mb/s@20ms', 'mac=00:16:3e:2c:9d:47, bridge=xenbr1, ip=192.168.10.21']";

/** The sample host: Domain-0, web01 (PV) running, win01 (HVM) paused (xl-samples/INDEX.md). */
export async function sampleHost(host?: Record<string, unknown>): Promise<string> {
  const st = newHost(host);
  let r = await xl(['create', 'web01.cfg', WEB01_VIF], { state: st });
  if (r.code !== 0) throw new Error(`create web01: ${r.stderr}`);
  r = await xl(['create', '-p', 'win01.cfg'], { state: st });
  if (r.code !== 0) throw new Error(`create win01: ${r.stderr}`);
  return st;
}

export function writeJson(path: string, v: unknown): void {
  writeFileSync(path, JSON.stringify(v));
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Replace "%8.1f"-style CPU times (which legitimately differ) keeping the column width. */
export function normTimes(s: string): string {
  return s.replace(/ +\d+\.\d(?= |$|\n)/gm, (m) => ' '.repeat(m.length - 1) + 'T');
}
