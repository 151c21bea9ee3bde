/** The xl driver's public face: the factory and what wiring code may need. */
import { basename } from 'node:path';
import { detectXl, hostTools } from './detect.js';
import { XlDriver, type XlDriverOptions } from './xl-driver.js';

export { XlDriver, type XlDriverOptions } from './xl-driver.js';
export { XlRunner, type XlExecutor, type RunOptions, type RunResult } from './runner.js';
export { detectXl, findIp, isXenControlDomain, simulatorPath, type XlChoice } from './detect.js';
export { DEFAULT_BOOT_DIRS, DEFAULT_IMAGE_DIRS, type PathPolicy } from './paths.js';
export { DEFAULT_DEADLINES } from './deadlines.js';
export { DefinitionStore } from './definition-store.js';
export type { StoredDefinition } from './definition-types.js';
export { FileNetworkStore } from './network-store.js';

/** The driver's options, with the xl binary optional: detectXl() chooses the real xl or xl-sim. */
export type CreateXlDriverOptions = Omit<XlDriverOptions, 'xlPath'> & { xlPath?: string };

export function createXlDriver(opts: CreateXlDriverOptions): XlDriver {
  if (opts.xlPath) {
    // A given xl-sim answers `ip` itself; a given real xl goes with the host's iproute2.
    // ...and the host's xenstore and ethtool.
    const tools = basename(opts.xlPath) === 'xl-sim' ? {} : hostTools();
    return new XlDriver({ ...tools, ...opts, xlPath: opts.xlPath });
  }
  const choice = detectXl({ dataDir: opts.dataDir });
  const { xlPath, env, simulated: _simulated, ...tools } = choice;
  return new XlDriver({ ...tools, ...opts, xlPath, env: { ...env, ...opts.env } });
}
