/**
 * The façade providers use. It wraps one HypervisorDriver and owns what is hypervisor-neutral:
 * the system locks (lock.ts: every change runs under them, here, never in the driver), compound
 * changes with their rollback (resources.ts, definitions.ts), state requests planned once
 * (state-change.ts), admission with its ledger (ledger.ts), jobs, pools and advertised capacity.
 * No raw physical figure leaves it. docs/state-model.md is the maintainer's map.
 */
import { DEFAULT_CAPACITY_POLICY, type Capacity, type CapacityPolicy } from './capacity.js';
import type { ResourceChange, ResourceChangeResult, SettingsChange, StateChange, StateChangeOptions } from './changes.js';
import { defineSystem, deleteSystem, modifySystemSettings } from './definitions.js';
import { IdentityClaims } from './claims.js';
import type { DriverFreshness, DriverMetrics, HypervisorDriver, ReconcileReport } from './driver.js';
import { VirtError, toVirtError } from './errors.js';
import { ModelEvents } from './events.js';
import { JobManager } from './jobs.js';
import { Admission, type Picture } from './ledger.js';
import { KeyedLock } from './lock.js';
import type { Model } from './model.js';
import { MetricsSampler, DEFAULT_METRICS_INTERVAL_MS } from './metrics.js';
import { NetworkManager } from './networks/manager.js';
import { MemoryNetworkStore, type NetworkStore } from './networks/types.js';
import { poolsOf, type Pool } from './pools.js';
import { changeResources, type ResourceChangeOptions } from './resources.js';
import {
  checkPortable, expectIncoming, incomingReasons, migrateSystem, migrationReasons, type MigrationOptions, type SourceHooks, type MigrationPeer, type PortableDefinition,
} from './migration.js';
import type { Job } from './jobs.js';
import { begin, perform, requestStateChange } from './state-change.js';
import { SwitchUse, defineSwitch, destroySwitch } from './switches.js';
import { isActive, type TargetState } from './states.js';
import type { Log } from './steps.js';
import { SnapshotService, recoverSnapshots, type SnapshotRecovery, type SnapshotServiceOptions } from './snapshots/index.js';
import type { ObservedStateChange, VirtualSwitch, VirtualSystem, VirtualSystemSpec } from './types.js';

export interface VirtManagerOptions {
  capacityPolicy?: CapacityPolicy;
  /** How long a change waits for a system's lock held by another short change (then busy). */
  lockTimeoutMs?: number;
  /** How long admission waits for the host lock. */
  hostLockTimeoutMs?: number;
  /** Default wait for a clean shutdown to complete. */
  shutdownTimeoutMs?: number;
  pollIntervalMs?: number;
  jobs?: JobManager;
  /** Where the model's own lines go: lost systems, undo failures. */
  log?: Log;
  /** Metrics sampling interval (metrics.ts); 0 disables it. Started by metrics.start(). */
  metricsIntervalMs?: number;
  /** Snapshot limits per system (and test hooks): virt/snapshots. */
  snapshots?: SnapshotServiceOptions;
  /** Where virtual networks are kept (the server wires a file store); default: memory only. */
  networkStore?: NetworkStore;
}

/** Options of requestState. */
export interface RequestStateOptions {
  /** Wait at most this long for a clean shutdown to end (0 = return once the guest acknowledged). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Abstracted host description: no serial number, CPU model, MAC or raw free memory. */
export interface HostSummary {
  name: string;
  hypervisor: string;
  hypervisorVersion: string;
  scheduler: string;
  processors: number;
  /** Advertised guest memory capacity (capacity.ts), not installed RAM. */
  memoryCapacityMiB: number;
}

export class VirtManager {
  readonly jobs: JobManager;
  /** One sample of every system per interval (metrics.ts); reads never ask the hypervisor. */
  readonly metrics: MetricsSampler;
  /** Every change of a system or a job, whoever caused it (events.ts). */
  readonly events: ModelEvents;
  /** Snapshots (virt/snapshots), when the driver can take them. */
  readonly snapshots: SnapshotService | undefined;
  /** What start-up found of snapshot operations cut short (init()). */
  snapshotRecovery: SnapshotRecovery | undefined;
  /** Virtual networks: topologies of systems, switches and links, driven as a whole (networks/). */
  readonly networks: NetworkManager;
  private readonly model: Model;
  private readonly admission: Admission;
  private readonly observers = new Set<(c: ObservedStateChange) => void>();

  // The driver stays private: its host facts are raw (free memory...), only abstractions leave.
  constructor(private readonly driver: HypervisorDriver, opts: VirtManagerOptions = {}) {
    this.jobs = opts.jobs ?? new JobManager();
    const log = opts.log ?? (() => {});
    this.admission = new Admission((fresh) => this.picture(fresh), opts.capacityPolicy ?? DEFAULT_CAPACITY_POLICY, opts.hostLockTimeoutMs ?? 60_000);
    this.model = {
      driver,
      locks: new KeyedLock(opts.lockTimeoutMs ?? 30_000),
      admission: this.admission,
      claims: new IdentityClaims(),
      switchUse: new SwitchUse(),
      jobs: this.jobs,
      log,
      shutdownTimeoutMs: opts.shutdownTimeoutMs ?? 120_000,
      pollMs: opts.pollIntervalMs ?? 250,
      // `events` is made below; the model reports through it once running.
      element: (e) => this.events.element(e),
    };
    this.metrics = new MetricsSampler({
      // A fresh picture per sample: CPU-time deltas need the time they were read at. Taken
      // without invalidate(), which would make every read meanwhile wait for the listing (at
      // 10,000 systems a GetInstance waited 100–170 ms every 10 s).
      systems: () => (driver.listFresh ? driver.listFresh() : this.listSystems()),
      capacity: () => this.capacity(),
      pools: () => this.pools(),
      ...(driver.statistics ? { counters: () => driver.statistics!() } : {}),
    }, { intervalMs: opts.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS, log });
    this.events = new ModelEvents(() => driver.list(), { immutable: driver.immutableSystems === true });
    this.events.subscribe((e) => {
      if (e.type !== 'system') return;
      const was = e.previous?.name ?? e.name;
      if (!e.current || !isActive(e.current.state) || e.current.name !== was) this.metrics.forget(was);
    });
    this.snapshots = driver.snapshots
      ? new SnapshotService(this.model, driver.snapshots, { ...opts.snapshots, changed: () => void this.events.refresh() })
      : undefined;
    this.networks = new NetworkManager(this.model, opts.networkStore ?? new MemoryNetworkStore(), () => driver.hostFacts(), (p) => this.settled(p));
    this.jobs.onChange((j) => {
      this.events.job(j);
      // a job's state change is also a system's: compare once it has moved
      if (j.state !== 'new') void this.events.refresh();
    });
    driver.onObserved((c) => {
      if (c.lost) this.events.lost(c.name, c.lost, c.from, c.at);
      void this.events.refresh();
      if (c.lost) {
        log(`virtual system '${c.name}' was found ${c.lost === 'vanished' ? 'gone from the hypervisor' : 'crashed'} at ${new Date(c.at).toISOString()} although it was expected to run (was ${c.from})`);
      }
      for (const l of this.observers) {
        try {
          l(c);
        } catch {
          // a listener's failure must not break the reads that noticed the change
        }
      }
    });
  }

  async init(): Promise<ReconcileReport> {
    const report = await this.driver.init();
    if (this.snapshots) this.snapshotRecovery = await recoverSnapshots(this.model, this.snapshots);
    const networks = await this.networks.init();
    // Moved away by a migration while the server was down: they leave their networks now.
    for (const line of report.moved ?? []) {
      const name = line.split(' -> ')[0]!;
      await this.networks.systemMoved(name).catch((e: unknown) => this.model.log(`'${name}' moved away, and could not leave its virtual network: ${String(e)}`));
    }
    // what recovery found is the starting picture, not a change
    await this.events.baseline();
    return { ...report, networks };
  }

  /** Report what a change did once it has settled (success or failure: a failure may have undone part). */
  private settled<T>(p: Promise<T>): Promise<T> {
    return p.finally(() => void this.events.refresh());
  }

  /** The driver's counters (hypervisor tool calls, snapshot refreshes): for benchmarks and tests, never for CIM. */
  driverMetrics(): DriverMetrics {
    return this.driver.metrics();
  }

  /**
   * How current the picture of the host is that reads are served from (undefined when the driver
   * cannot tell). A stale picture means the hypervisor tools are late or failing.
   */
  freshness(): DriverFreshness | undefined {
    return this.driver.freshness?.();
  }

  /** Someone subscribes to changes (true) or no longer does (false): see HypervisorDriver.watchChanges. */
  watchChanges(prompt: boolean): void {
    this.driver.watchChanges?.(prompt);
  }

  /** State changes noticed that nobody asked us for (a crash, a vanished domain). */
  onStateObserved(listener: (c: ObservedStateChange) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  // ---------------------------------------------------------------- reads

  listSystems(): Promise<VirtualSystem[]> {
    return this.driver.list();
  }

  getSystem(name: string): Promise<VirtualSystem> {
    return this.driver.get(name);
  }

  /** Capacity from the current picture, reservations still pending (a start under way) counted as reserved. */
  async capacity(): Promise<Capacity> {
    return this.admission.capacityOf(await this.picture(false));
  }

  async hostInfo(): Promise<HostSummary> {
    const p = await this.picture(false);
    return {
      name: p.host.hostname,
      hypervisor: p.host.hypervisor,
      hypervisorVersion: p.host.hypervisorVersion,
      scheduler: p.host.scheduler,
      processors: p.host.nrCpus,
      memoryCapacityMiB: this.admission.capacityOf(p).memory.capacityMiB,
    };
  }

  async pools(): Promise<Pool[]> {
    const [p, switches] = await Promise.all([this.picture(false), this.driver.switches()]);
    return poolsOf(p.systems, this.admission.capacityOf(p), switches);
  }

  /** The host's virtual switches (bridges), whether or not an interface is plugged into them. */
  switches(): Promise<VirtualSwitch[]> {
    return this.driver.switches();
  }

  /** Create a virtual switch (a bridge on Xen), up and without ports. */
  defineSwitch(name: string): Promise<VirtualSwitch> {
    return this.settled(defineSwitch(this.model, name));
  }

  /** Remove a virtual switch no system has an interface on. */
  destroySwitch(name: string): Promise<void> {
    return this.settled(Promise.resolve().then(() => this.networks.guardSwitchDestroy(name)).then(() => destroySwitch(this.model, name)));
  }

  private async picture(fresh: boolean): Promise<Picture> {
    if (fresh) this.driver.invalidate();
    const [host, systems] = await Promise.all([this.driver.hostFacts(), this.driver.list()]);
    return { host, systems };
  }

  // ---------------------------------------------------------------- changes

  /** Define a system; refused (no_memory, with the figures) when its guarantees could never fit this host. */
  defineSystem(spec: VirtualSystemSpec): Promise<VirtualSystem> {
    return this.settled(defineSystem(this.model, spec, () => this.capacity()));
  }

  /**
   * Remove a system; an active one is powered off first (hard), under one lock. With a signal
   * (a job's), aborting it kills the power-off; as a job the lock refuses other changes at once.
   * The system then leaves its virtual network, and its snapshots go with it.
   */
  deleteSystem(name: string, opts: { signal?: AbortSignal; asJob?: boolean } = {}): Promise<void> {
    return this.settled((async () => {
      const uuid = this.snapshots ? (await this.driver.get(name).catch(() => undefined))?.uuid : undefined;
      await deleteSystem(this.model, name, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.asJob ? { mode: 'job' as const } : {}) });
      await this.networks.systemDeleted(name);
      if (uuid) await this.snapshots!.forgetSystem(uuid).catch((e: unknown) => this.model.log(`the snapshots of '${name}' could not all be removed: ${String(e)}`));
    })());
  }

  /**
   * Resource changes over one or several systems, all-or-nothing (resources.ts). With a signal (a
   * job's), aborting it kills the hypervisor call under way and undoes what was done.
   */
  changeResources(changes: readonly ResourceChange[], opts: ResourceChangeOptions = {}): Promise<ResourceChangeResult> {
    return this.settled(Promise.resolve().then(() => this.networks.guardResourceChanges(changes)).then(() => changeResources(this.model, changes, opts)));
  }

  /** Rename and/or change policies, all-or-nothing (definitions.ts). */
  modifySystemSettings(name: string, change: SettingsChange): Promise<VirtualSystem> {
    return this.settled(modifySystemSettings(this.model, name, change).then(async (s) => {
      if (s.name !== name) await this.networks.systemRenamed(name, s.name);
      return s;
    }));
  }

  /**
   * Drive a system towards a target state: looked up once, planned once, refused (invalid_state,
   * busy, no_memory) before anything starts; "already there" is a success with nothing done;
   * otherwise the operation runs as a job that holds the system's lock (cancel it to stop it).
   */
  requestStateChange(name: string, target: TargetState, opts: StateChangeOptions = {}): Promise<StateChange> {
    return this.settled(requestStateChange(this.model, name, target, opts));
  }

  // ---------------------------------------------------------------- migration (migration.ts)

  /** Why `name` cannot move to the peer now (empty: it could); nothing changes anywhere. */
  migrationReasons(name: string, peer: MigrationPeer): Promise<string[]> {
    return migrationReasons(this.model, name, peer, this.migrationHooks);
  }

  /** Move a system to the peer as a job (refused with every reason before it starts). */
  migrateSystem(name: string, peer: MigrationPeer, opts: MigrationOptions = {}): Promise<Job<string>> {
    return this.settled(migrateSystem(this.model, name, peer, opts, this.migrationHooks));
  }

  /**
   * What this host keeps of a system that cannot go with it (its snapshots: the move is refused),
   * and what follows it once it has gone (it leaves its virtual network, as a deleted system does).
   */
  private readonly migrationHooks: SourceHooks = {
    kept: (system) => ({ snapshots: this.snapshots?.store.tree(system.uuid).snapshots.length ?? 0 }),
    moved: (name) => this.networks.systemMoved(name),
  };

  /** Destination side: why this host (named hostLabel in the reasons) could not take the system described (empty: it could). */
  async incomingReasons(def: PortableDefinition, hostLabel?: string): Promise<string[]> {
    def = checkPortable(def);
    const [p, switches] = await Promise.all([this.picture(false), this.driver.switches()]);
    return incomingReasons(def, {
      systems: p.systems, host: p.host, switches, capacity: this.admission.capacityOf(p), ...(hostLabel ? { label: hostLabel } : {}),
    });
  }

  /** Destination side: keep the definition of a system about to arrive (refused with the reasons). */
  expectIncoming(def: PortableDefinition, ttlMs: number, hostLabel?: string): Promise<void> {
    return expectIncoming(this.model, def, ttlMs, (d) => this.incomingReasons(d, hostLabel));
  }

  /**
   * Destination side: the source says the system of this UUID has arrived. A fresh picture adopts
   * it with the definition handed over, so every read from now on lists it; false if it is not seen.
   */
  async confirmIncoming(uuid: string): Promise<boolean> {
    this.driver.invalidate();
    const systems = await this.driver.list();
    void this.events.refresh();
    return systems.some((s) => s.uuid === uuid);
  }

  /** Destination side: the source gave up; forget the definition it handed over. */
  async forgetIncoming(uuid: string): Promise<void> {
    await this.driver.forgetIncoming?.(uuid);
  }

  /** Start every autostart system that is off, highest priority first; failures do not stop the rest. */
  async autostart(): Promise<{ started: string[]; failed: { name: string; error: VirtError }[] }> {
    const due = (await this.listSystems())
      .filter((s) => s.config.autostart && s.state === 'defined')
      .sort((a, b) => b.config.priority - a.config.priority || a.name.localeCompare(b.name));
    const out: { started: string[]; failed: { name: string; error: VirtError }[] } = { started: [], failed: [] };
    for (const s of due) {
      try {
        await this.settled(this.driveTo(s.name, 'running', {}));
        out.started.push(s.name);
      } catch (err) {
        out.failed.push({ name: s.name, error: toVirtError(err, `autostart of ${s.name}`) });
      }
    }
    return out;
  }

  /** A state change run here and now (no job), waiting its turn for the lock like a short change. */
  private async driveTo(name: string, target: TargetState, opts: RequestStateOptions): Promise<VirtualSystem> {
    const b = await begin(this.model, name, target, {}, 'change');
    if (b.kind === 'already') return b.system;
    return perform(this.model, b, opts.signal, opts.timeoutMs);
  }

  /**
   * Drive a system to a target state and wait for it (a clean shutdown: until it is off, unless
   * timeoutMs is 0), for callers inside the server (demo seeding, autostart, tests) that wait
   * anyway. Planned by the same path as requestStateChange; waits its turn for the lock like any
   * short change instead of being refused busy.
   */
  requestState(name: string, target: TargetState, opts: RequestStateOptions = {}): Promise<VirtualSystem> {
    return this.settled(this.driveTo(name, target, opts));
  }
}

