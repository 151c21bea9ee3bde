/** The xl driver's public face: the factory and what wiring code may need. */
import { detectXl } from './detect.js';
import { XlDriver, type XlDriverOptions } from './xl-driver.js';

export { XlDriver, type XlDriverOptions } from './xl-driver.js';
export { XlRunner, type XlExecutor, type RunOptions, type RunResult } from './runner.js';
export { detectXl, isXenControlDomain, simulatorPath, type XlChoice } from './detect.js';
export { DEFAULT_BOOT_DIRS, DEFAULT_IMAGE_DIRS, type PathPolicy } from './paths.js';
export { DEFAULT_DEADLINES } from './deadlines.js';
export { DefinitionStore, type StoredDefinition } from './definition-store.js';

/** The driver's options, with the xl binary optional: detectXl() chooses the real xl or xl-sim. */
export type CreateXlDriverOptions = Omit<XlDriverOptions, 'xlPath'> & { xlPath?: string };

export function createXlDriver(opts: CreateXlDriverOptions): XlDriver {
  if (opts.xlPath) return new XlDriver({ ...opts, xlPath: opts.xlPath });
  const choice = detectXl({ dataDir: opts.dataDir });
  return new XlDriver({ ...opts, xlPath: choice.xlPath, env: { ...choice.env, ...opts.env } });
}
