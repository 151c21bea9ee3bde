/**
 * The xl driver contract runs against two backends: xl-sim in this process (fast, with the log
 * of every xl call; in-process.test.ts) and bin/xl-sim as a process per call (the process
 * boundary: argv, exit statuses, stdout/stderr apart, the environment; process.test.ts). The
 * cases (*.cases.ts) run on both unless the process boundary adds nothing to them.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createXlDriver } from '../../../../src/drivers/xl/index.js';
import type { XlDriver } from '../../../../src/drivers/xl/xl-driver.js';
import { runXl, type XlSimResult } from '../../../../src/sim/run-xl.js';
import { VirtError } from '../../../../src/virt/errors.js';
import { VirtManager } from '../../../../src/virt/manager.js';
import type { VirtualSystemSpec } from '../../../../src/virt/types.js';
import { createTestBackend, simStateDir, TEST_BRIDGES } from '../../../support/xl-backend.js';
import { REPO_ROOT } from '../samples.js';

export const XL_SIM = join(REPO_ROOT, 'bin', 'xl-sim');

export type BackendKind = 'in-process' | 'process';

export interface DriverOptions {
  commandTimeoutMs?: number;
  snapshotTtlMs?: number;
  /** Other simulated hosts for migrate (XL_SIM_HOSTS). */
  hostsFile?: string;
}

export interface Backend {
  kind: BackendKind;
  name: string;
  /** A driver on dataDir; `log` is the xl calls it makes (in-process only: processes keep none). */
  driver(dataDir: string, opts?: DriverOptions): { driver: XlDriver; log: string[][] | undefined };
  /** xl run on the simulated host of dataDir, as an administrator would behind the driver's back. */
  xl(dataDir: string, args: string[]): Promise<XlSimResult>;
}

export const BACKENDS: Backend[] = [
  {
    kind: 'in-process',
    name: 'xl-sim in-process',
    driver(dataDir, opts = {}) {
      const b = createTestBackend(dataDir, opts);
      return { driver: b.driver, log: b.xl.log };
    },
    xl: (dataDir, args) => runXl(args, { stateDir: simStateDir(dataDir) }),
  },
  {
    kind: 'process',
    name: 'bin/xl-sim processes',
    driver(dataDir, { hostsFile, ...opts } = {}) {
      return { driver: createXlDriver({ dataDir, ...opts, ...(hostsFile ? { env: { XL_SIM_HOSTS: hostsFile } } : {}) }), log: undefined };
    },
    async xl(dataDir, args) {
      const r = await execa(XL_SIM, args, { env: { XL_SIM_STATE: simStateDir(dataDir) }, reject: false, stripFinalNewline: false });
      return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? null };
    },
  },
];

export interface Env {
  backend: Backend;
  dir: string;
  simState: string;
  driver: XlDriver;
  vm: VirtManager;
  /** The xl calls of `driver` (in-process backend). */
  log: string[][] | undefined;
  /** A PV system with a disk (an empty file) and a NIC, 256 MiB of at most 512, 1 of 2 vCPUs. */
  spec(name: string, extra?: Partial<VirtualSystemSpec>): VirtualSystemSpec;
  /** A PV system with no devices, 512 MiB, 1 of 2 vCPUs. */
  bareSpec(name: string, extra?: Partial<VirtualSystemSpec>): VirtualSystemSpec;
  /** Writes the simulated host's faults.json. */
  faults(f: object): void;
  /** xl behind the driver's back; fails the test when xl fails. */
  xl(...args: string[]): Promise<XlSimResult>;
  /** Writes an xl configuration file in the data directory; returns its path. */
  cfg(name: string, lines: string[]): string;
  /** Another driver on the same data directory and host (a restart of the server). */
  another(opts?: DriverOptions): { driver: XlDriver; log: string[][] | undefined };
}

export interface Case {
  title: string;
  /** Default: both backends. 'in-process' where the process boundary adds nothing. */
  on?: 'both' | BackendKind;
  /** host.json of the simulated host (default: guests go down 0.2 s after a shutdown request). */
  host?: Record<string, unknown>;
  timeoutMs?: number;
  run(env: Env): Promise<void>;
}

async function createEnv(backend: Backend, host: Record<string, unknown>): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'xl-contract-'));
  const simState = simStateDir(dir);
  mkdirSync(simState, { recursive: true });
  writeFileSync(join(simState, 'host.json'), JSON.stringify({ bridges: TEST_BRIDGES, ...host }));
  const { driver, log } = backend.driver(dir, { commandTimeoutMs: 10_000 });
  const vm = new VirtManager(driver, { pollIntervalMs: 50 });
  await vm.init();
  return {
    backend, dir, simState, driver, vm, log,
    spec(name, extra = {}) {
      const disk = join(dir, `${name}.img`);
      writeFileSync(disk, '');
      return {
        name, type: 'pv', memoryMiB: 256, maxMemoryMiB: 512, vcpus: 1, maxVcpus: 2,
        boot: { kernel: '/boot/vmlinuz', cmdline: 'root=/dev/xvda1 console=hvc0' },
        disks: [{ target: disk, vdev: 'xvda' }], nics: [{ bridge: 'xenbr0' }], ...extra,
      };
    },
    bareSpec: (name, extra = {}) => ({ name, type: 'pv', memoryMiB: 512, vcpus: 1, maxVcpus: 2, boot: { kernel: '/boot/vmlinuz' }, ...extra }),
    faults: (f) => writeFileSync(join(simState, 'faults.json'), JSON.stringify(f)),
    async xl(...args) {
      const r = await backend.xl(dir, args);
      expect(r.exitCode, `xl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
      return r;
    },
    cfg(name, lines) {
      const file = join(dir, `${name}.cfg`);
      writeFileSync(file, lines.join('\n') + '\n');
      return file;
    },
    another: (opts = {}) => backend.driver(dir, opts),
  };
}

/** Registers the cases of each group that run on this backend, a fresh host and data directory each. */
export function contractSuite(kind: BackendKind, groups: Record<string, Case[]>): void {
  const backend = BACKENDS.find((b) => b.kind === kind)!;
  describe(`xl driver contract on ${backend.name}`, function () {
    this.timeout(30_000);
    const dirs: string[] = [];
    afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); });
    for (const [group, cases] of Object.entries(groups)) {
      const mine = cases.filter((c) => (c.on ?? 'both') === 'both' || c.on === kind);
      if (mine.length === 0) continue;
      describe(group, () => {
        for (const c of mine) {
          it(c.title, async function () {
            if (c.timeoutMs) this.timeout(c.timeoutMs);
            const env = await createEnv(backend, c.host ?? { shutdown_seconds: 0.2 });
            dirs.push(env.dir);
            await c.run(env);
          });
        }
      });
    }
  });
}

export async function rejects(p: Promise<unknown>, kind: string): Promise<VirtError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a VirtError').to.be.instanceOf(VirtError);
  expect((e as VirtError).kind, (e as VirtError).message).to.equal(kind);
  return e as VirtError;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
