/**
 * What the parts of the xl driver share: the xl runner, the definition store, the cached snapshot,
 * the directories, the deadlines, and the record of changes under way.
 *
 * The driver takes no lock (virt/lock.ts: the caller, VirtManager, holds the system's lock).
 * `changing` only records which systems a call of ours is changing right now: a second change of
 * one of them is refused at once (busy: a caller that bypassed virt's lock), and the snapshot
 * observer leaves them alone (their outcome is recorded by the change itself).
 */
import { join } from 'node:path';
import type { OperationOptions } from '../../virt/driver.js';
import { VirtError } from '../../virt/errors.js';
import type { SystemState } from '../../virt/states.js';
import { DefinitionStore } from './definition-store.js';
import { XlRunner, type RunOptions, type RunResult, type XlExecutor } from './runner.js';
import { SnapshotCache, type SnapshotHooks } from './snapshot.js';

export interface XlDriverOptions {
  xlPath: string;
  dataDir: string;
  /** Extra environment for xl (e.g. XL_SIM_STATE); the process environment passes through. */
  env?: Record<string, string>;
  /** Substitute runner (tests, benchmarks). */
  executor?: XlExecutor;
  snapshotTtlMs?: number;
  /** Deadline of a quick xl command (list, pause, mem-set...). */
  commandTimeoutMs?: number;
  /** Deadline of a long one (create, save, restore). */
  longTimeoutMs?: number;
  /** iproute2's `ip` on a real host; without it `ip` runs as `<xlPath> ip ...` (the simulator's pseudo-command). */
  ipPath?: string;
  /** How long a system expected to run must stay gone before it counts as lost (observe.ts). */
  lossConfirmMs?: number;
}

export class XlCore {
  readonly exec: XlExecutor;
  readonly store: DefinitionStore;
  readonly cache: SnapshotCache;
  readonly cfgDir: string;
  readonly saveDir: string;
  readonly cmdTimeoutMs: number;
  readonly longTimeoutMs: number;
  readonly lossConfirmMs: number;
  /** Transitional states shown while an operation of ours runs (starting, suspending...). */
  readonly inflight = new Map<string, SystemState>();
  inflightVersion = 0;
  /** Systems a call of ours is changing now (see the module comment). */
  readonly changing = new Set<string>();
  /** Set once the start-up reconcile is done: from then on, unknown domains are adopted on sight. */
  ready = false;

  constructor(opts: XlDriverOptions, hooks: SnapshotHooks) {
    this.cmdTimeoutMs = opts.commandTimeoutMs ?? 120_000;
    this.longTimeoutMs = opts.longTimeoutMs ?? 30 * 60_000;
    this.lossConfirmMs = opts.lossConfirmMs ?? 1000;
    this.exec = opts.executor ?? new XlRunner({ xlPath: opts.xlPath, env: opts.env ?? {}, defaultTimeoutMs: this.cmdTimeoutMs });
    this.store = new DefinitionStore(opts.dataDir);
    this.cache = new SnapshotCache(this.exec, opts.snapshotTtlMs ?? 1000, hooks);
    this.cfgDir = join(opts.dataDir, 'cfg');
    this.saveDir = join(opts.dataDir, 'saves');
  }

  xl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.exec.run(args, { timeoutMs: this.cmdTimeoutMs, ...opts });
  }

  /** Run options of an operation: its deadline (quick or long) and the caller's cancel signal. */
  runOptions(opts: OperationOptions, long = false): RunOptions {
    const r: RunOptions = { timeoutMs: long ? this.longTimeoutMs : this.cmdTimeoutMs };
    if (opts.signal) r.signal = opts.signal;
    return r;
  }

  /** Mark systems as being changed by this call; busy if one already is (a caller bypassed virt's lock). */
  enter(names: readonly string[]): () => void {
    for (const n of names) {
      if (this.changing.has(n)) throw new VirtError('busy', `'${n}' is already being changed (changes of a system must be serialised by its lock)`);
    }
    for (const n of names) this.changing.add(n);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      for (const n of names) this.changing.delete(n);
    };
  }

  async withInflight<T>(name: string, state: SystemState, fn: () => Promise<T>): Promise<T> {
    this.inflight.set(name, state);
    this.inflightVersion++;
    try {
      return await fn();
    } finally {
      this.inflight.delete(name);
      this.inflightVersion++;
    }
  }
}
