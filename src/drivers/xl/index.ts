/** The xl driver's public face: the factory and what wiring code may need. */
import { detectXl } from './detect.js';
import type { XlExecutor } from './runner.js';
import { XlDriver, type XlDriverOptions } from './xl-driver.js';

export { XlDriver, type XlDriverOptions } from './xl-driver.js';
export { XlRunner, type XlExecutor, type RunOptions, type RunResult } from './runner.js';
export { detectXl, isXenControlDomain, simulatorPath, type XlChoice } from './detect.js';
export { DefinitionStore, type StoredDefinition } from './definition-store.js';

export interface CreateXlDriverOptions {
  /** Explicit xl binary; when absent, detectXl() chooses the real xl or xl-sim. */
  xlPath?: string;
  dataDir: string;
  env?: Record<string, string>;
  executor?: XlExecutor;
  snapshotTtlMs?: number;
  lockTimeoutMs?: number;
  commandTimeoutMs?: number;
  xentopPath?: string;
  xentopArgs?: string[];
}

export function createXlDriver(opts: CreateXlDriverOptions): XlDriver {
  const base: XlDriverOptions = { xlPath: opts.xlPath ?? '', dataDir: opts.dataDir };
  if (!opts.xlPath) {
    const choice = detectXl({ dataDir: opts.dataDir });
    base.xlPath = choice.xlPath;
    base.env = { ...choice.env, ...(opts.env ?? {}) };
    if (choice.xentopPath) base.xentopPath = choice.xentopPath;
    if (choice.xentopArgs) base.xentopArgs = choice.xentopArgs;
  } else if (opts.env) base.env = opts.env;
  if (opts.executor) base.executor = opts.executor;
  if (opts.snapshotTtlMs !== undefined) base.snapshotTtlMs = opts.snapshotTtlMs;
  if (opts.lockTimeoutMs !== undefined) base.lockTimeoutMs = opts.lockTimeoutMs;
  if (opts.commandTimeoutMs !== undefined) base.commandTimeoutMs = opts.commandTimeoutMs;
  if (opts.xentopPath !== undefined) base.xentopPath = opts.xentopPath;
  if (opts.xentopArgs !== undefined) base.xentopArgs = opts.xentopArgs;
  return new XlDriver(base);
}
