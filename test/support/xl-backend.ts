/**
 * The xl driver over xl-sim in this process, for tests that need a real hypervisor backend but
 * not the process boundary: one line instead of createXlDriver({ dataDir, ... }) with bin/xl-sim.
 * The simulated host lives in <dataDir>/xl-sim, where createXlDriver would put it, so a
 * host.json written there sizes it and a second driver on the same dataDir sees the same host.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XlDriver, type XlDriverOptions } from '../../src/drivers/xl/xl-driver.js';
import { runXl, type XlSimResult } from '../../src/sim/run-xl.js';
import { VirtError } from '../../src/virt/errors.js';
import { InProcessXl } from './in-process-xl.js';

export type TestDriverOptions = Omit<XlDriverOptions, 'xlPath' | 'dataDir' | 'executor' | 'env' | 'xentopPath' | 'xentopArgs'> & {
  /** Other simulated hosts for `xl migrate` (a JSON file, as XL_SIM_HOSTS). */
  hostsFile?: string;
};

export interface TestBackend {
  driver: XlDriver;
  /** The executor: its `log` holds every xl call's arguments. */
  xl: InProcessXl;
  /** The simulated host's state directory. */
  stateDir: string;
}

/** The bridges of every simulated test host (a NIC on another bridge is refused). */
export const TEST_BRIDGES = ['xenbr0', 'xenbr1', 'xenbr2', 'br0', 'br1', 'br-a'];

/** The simulated host's state directory for a data directory (as detectXl chooses it). */
export function simStateDir(dataDir: string): string {
  return join(dataDir, 'xl-sim');
}

export function createTestBackend(dataDir: string, opts: TestDriverOptions = {}): TestBackend {
  const { hostsFile, ...driverOpts } = opts;
  const stateDir = simStateDir(dataDir);
  // A host created by this backend has the test bridges unless a host.json says otherwise.
  mkdirSync(stateDir, { recursive: true });
  const settings = join(stateDir, 'host.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ bridges: TEST_BRIDGES }));
  const xl = new InProcessXl({
    stateDir, ...(hostsFile !== undefined ? { hostsFile } : {}), defaultTimeoutMs: opts.commandTimeoutMs ?? 120_000,
  });
  const driver = new XlDriver({ ...driverOpts, dataDir, xlPath: 'xl-sim (in-process)', executor: xl });
  return { driver, xl, stateDir };
}

/** An XlDriver over the in-process simulator: the drop-in for createXlDriver({ dataDir, ...opts }) in tests. */
export function createTestDriver(dataDir: string, opts: TestDriverOptions = {}): XlDriver {
  return createTestBackend(dataDir, opts).driver;
}

/**
 * Runs xl on the simulated host of `dataDir` directly, as an administrator would behind the
 * driver's back; throws when xl fails.
 */
export async function xlBehindTheBack(dataDir: string, ...args: string[]): Promise<XlSimResult> {
  const r = await runXl(args, { stateDir: simStateDir(dataDir) });
  if (r.exitCode !== 0) throw new Error(`xl ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return r;
}

/** The driver's next definition write fails as a full disk would (ENOSPC); later ones work. */
export function failNextPatch(driver: XlDriver): void {
  const store = driver.store;
  const patch = store.patch.bind(store);
  store.patch = (async () => {
    store.patch = patch;
    throw new VirtError('failed', 'writing the definition failed: ENOSPC');
  }) as typeof store.patch;
}
