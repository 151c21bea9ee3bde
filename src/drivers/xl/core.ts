/**
 * What the parts of the xl driver share: the xl runner, the definition store, the cached snapshot,
 * the directories, the deadlines, and the record of changes under way.
 *
 * The driver takes no lock (virt/lock.ts: the caller, VirtManager, holds the system's lock).
 * `changing` only records which systems a call of ours is changing right now: a second change of
 * one of them is refused at once (busy: a caller that bypassed virt's lock), and the snapshot
 * observer leaves them alone (their outcome is recorded by the change itself).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import type { OperationOptions } from '../../virt/driver.js';
import { VirtError } from '../../virt/errors.js';
import type { SystemState } from '../../virt/states.js';
import { DefinitionStore } from './definition-store.js';
import { XlRunner, type RunOptions, type RunResult, type XlExecutor } from './runner.js';
import { CallsInFlight } from './calls-in-flight.js';
import { XenstoreClient } from './xenstore.js';
import type { DomainEventsOptions } from './events.js';
import { DEFAULT_DEADLINES, deadlineOf, type DeadlineOverrides } from './deadlines.js';
import type { PathPolicy } from './paths.js';
import { SnapshotCache } from './snapshot.js';
import type { SnapshotHooks } from './snapshot-options.js';
import { RecordDir, type IncomingRecord, type OutgoingRecord } from './migration-records.js';

export interface XlDriverOptions {
  xlPath: string;
  dataDir: string;
  /** Extra environment for xl (e.g. XL_SIM_STATE); the process environment passes through. */
  env?: Record<string, string>;
  /** Substitute runner (tests, benchmarks). */
  executor?: XlExecutor;
  /** How often the background refreshes the picture of the host (default 2 s). */
  refreshIntervalMs?: number;
  /** Former name of refreshIntervalMs. */
  snapshotTtlMs?: number;
  /**
   * Without a fixed interval the refresh is paced (refresh-pace.ts): a change made with xl behind
   * our back shows within this long (default 350 ms)...
   */
  detectWithinMs?: number;
  /** ...while the periodic listings take at most this share of one CPU (default 0.2); this bound wins. */
  refreshCpuShare?: number;
  /** The picture counts as stale once older than this (default: 3 intervals, at least 5 s). */
  staleAfterMs?: number;
  /** A read right after our own change waits at most this for the refresh (default 2 s). */
  readWaitMs?: number;
  /** Deadline of a quick xl command (list -v, pause, mem-set...; default in deadlines.ts). */
  commandTimeoutMs?: number;
  /** Deadline of every longer one (create, save, restore...; default per command in deadlines.ts). */
  longTimeoutMs?: number;
  /** iproute2's `ip` on a real host; without it `ip` runs as `<xlPath> ip ...` (the simulator's pseudo-command). */
  ipPath?: string;
  /** qemu-img for qcow2 disk snapshots (default `qemu-img` from PATH; checkpoint.ts). */
  qemuImgPath?: string;
  /** The multi-call `xenstore` of a Xen control domain; without it `<xlPath> xenstore ...` (the simulator's). */
  xenstorePath?: string;
  /** `ethtool` on a real host (the uplink's speed); without it `<xlPath> ethtool ...` (the simulator's). */
  ethtoolPath?: string;
  /** The physical interface behind the host's bridges whose speed link reservations are admitted against (default eth0). */
  uplinkInterface?: string;
  /** Where disks, kernels, ramdisks and bootloaders may be (paths.ts); absent: anywhere. */
  paths?: PathPolicy;
  /**
   * Domain events that trigger a refresh (events.ts): on a real Xen host,
   * `xenstore-watch @introduceDomain @releaseDomain`. Absent: the periodic refresh only.
   */
  domainEvents?: DomainEventsOptions;
  /** Driver log lines (a hung xl command, a stale picture). */
  log?: (level: 'info' | 'warn', message: string) => void;
  /** How long a system expected to run must stay gone before it counts as lost (observe.ts). */
  lossConfirmMs?: number;
  /** `xl migrate -s`: the command that reaches a destination's control domain (default: xl's own, `ssh`). */
  migrationSsh?: string;
}

export class XlCore {
  readonly exec: XlExecutor;
  /** Every tool call running now, whichever runner made it: a stop waits for them (calls-in-flight.ts). */
  readonly running = new CallsInFlight();
  readonly store: DefinitionStore;
  readonly cache: SnapshotCache;
  /** dom0's xenstore (live vif rates). */
  readonly xenstore: XenstoreClient;
  readonly cfgDir: string;
  readonly saveDir: string;
  readonly deadlines: DeadlineOverrides;
  readonly paths: PathPolicy | undefined;
  readonly log: (level: 'info' | 'warn', message: string) => void;
  readonly lossConfirmMs: number;
  /** Transitional states shown while an operation of ours runs (starting, suspending...). */
  readonly inflight = new Map<string, SystemState>();
  inflightVersion = 0;
  /** Systems a call of ours is changing now (see the module comment). */
  readonly changing = new Set<string>();
  /** Set once the start-up reconcile is done: from then on, unknown domains are adopted on sight. */
  ready = false;
  /** Migrations of ours under way (sender) and definitions handed over to us (receiver): migration-records.ts. */
  readonly outgoing: RecordDir<OutgoingRecord>;
  readonly incoming: RecordDir<IncomingRecord>;
  readonly migrationSsh: string | undefined;
  /**
   * The change a call of xl belongs to (change.ts): whether THIS change ran xl, which a global
   * call counter cannot tell while other systems change concurrently (a whole network launched).
   */
  readonly scope = new AsyncLocalStorage<{ ranXl: boolean }>();
  /** Changes inside `scope` now (change.ts switches it off when none is). */
  scopesOpen = 0;

  constructor(opts: XlDriverOptions, hooks: SnapshotHooks) {
    this.deadlines = {
      ...(opts.commandTimeoutMs !== undefined ? { quick: opts.commandTimeoutMs } : {}),
      ...(opts.longTimeoutMs !== undefined ? { long: opts.longTimeoutMs } : {}),
    };
    this.paths = opts.paths;
    this.log = opts.log ?? (() => {});
    this.lossConfirmMs = opts.lossConfirmMs ?? 1000;
    this.exec = this.running.track(opts.executor ?? new XlRunner({ xlPath: opts.xlPath, env: opts.env ?? {} }));
    this.store = new DefinitionStore(opts.dataDir);
    // A xenstore access is a quick query or write: the quick deadline.
    const quick = this.deadlines.quick ?? DEFAULT_DEADLINES.quick;
    this.xenstore = opts.xenstorePath
      ? new XenstoreClient(this.running.track(new XlRunner({ xlPath: opts.xenstorePath, defaultTimeoutMs: quick, tool: 'xenstore' })), [], quick)
      : new XenstoreClient(this.exec, ['xenstore'], quick);
    const fixed = opts.refreshIntervalMs ?? opts.snapshotTtlMs;
    const intervalMs = fixed ?? 2000;
    const withDeadlines: XlExecutor = { run: (args, o) => this.xl(args, o), get calls() { return 0; } };
    this.cache = new SnapshotCache(withDeadlines, {
      intervalMs,
      // Unless an interval is given: paced by what `xl list -v` costs (refresh-pace.ts).
      ...(fixed === undefined ? { detectWithinMs: opts.detectWithinMs ?? 350, maxCpuShare: opts.refreshCpuShare ?? 0.2 } : {}),
      staleAfterMs: opts.staleAfterMs ?? Math.max(3 * intervalMs, 5000),
      readWaitMs: opts.readWaitMs ?? 2000,
      log: this.log,
    }, hooks);
    this.cfgDir = join(opts.dataDir, 'cfg');
    this.saveDir = join(opts.dataDir, 'saves');
    this.outgoing = new RecordDir(join(opts.dataDir, 'migrations'));
    this.incoming = new RecordDir(join(opts.dataDir, 'incoming'));
    this.migrationSsh = opts.migrationSsh;
  }

  /**
   * Runs xl with the deadline of its command (deadlines.ts) unless the caller gives one; a command
   * killed at its deadline is logged once, with its whole command line.
   */
  async xl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = opts.timeoutMs ?? deadlineOf(args, this.deadlines);
    const scope = this.scope.getStore();
    if (scope) scope.ranXl = true;
    try {
      return await this.exec.run(args, { ...opts, timeoutMs });
    } catch (err) {
      if (VirtError.is(err, 'timeout')) {
        const line = `xl ${args.join(' ')}`;
        this.log('warn', `${line} hung: killed after ${timeoutMs} ms`);
        // The client's copy leaves out the operator's transport command (`xl migrate -s <ssh …>`).
        const shown = `xl ${args.map((a, i) => (i > 0 && args[i - 1] === '-s' && args[0] === 'migrate' ? '<ssh command>' : a)).join(' ')}`;
        const e = err as VirtError;
        throw new VirtError('timeout', e.message, e.detail ? `${shown}: ${e.detail}` : shown);
      }
      throw err;
    }
  }

  /** Run options of an operation: the caller's cancel signal (the deadline comes from the command). */
  runOptions(opts: OperationOptions): RunOptions {
    return opts.signal ? { signal: opts.signal } : {};
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
