/**
 * HypervisorDriver over xl: the parts put together. Reads come from one picture of the host kept
 * current in the background (snapshot.ts, view.ts): one `xl list -v` merged with the stored
 * definitions, whatever the number of systems; a read runs no xl; `xl list -l` runs at start-up (reconcile.ts) and when a domain we have no definition
 * for appears (observe.ts adopts it). Changes (lifecycle.ts, definitions.ts, modify.ts,
 * devices.ts) run under the caller's system lock (virt/lock.ts; this driver takes none), check the
 * transition table, run xl, and only then update the definition store. Host facts: host-facts.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  DriverFreshness, DriverMetrics, HypervisorDriver, IncomingDefinition, MigrateOptions, OperationOptions, ReconcileReport,
  StartOptions, SystemCounters,
} from '../../virt/driver.js';
import type { TargetState } from '../../virt/states.js';
import type { DiskSpec, HostFacts, VirtualSwitch, NicSpec, ObservedStateChange, Rate, SystemPatch, VirtualSystem, VirtualSystemSpec } from '../../virt/types.js';
import { XlCore, type XlDriverOptions } from './core.js';
import type { DefinitionStore } from './definition-store.js';
import { define, rename, setRequestedState, undefine } from './definitions.js';
import { attachDisk, attachInterface, detachDisk, detachInterface, replaceDisk, replaceInterface, setInterfaceRate, settleReplacing } from './devices.js';
import { BridgeSource } from './bridges.js';
import { pendingMigration } from './migration-pending.js';
import { XlSnapshots } from './checkpoint.js';
import { DEFAULT_DEADLINES } from './deadlines.js';
import { DomainEvents } from './events.js';
import { HostFactsSource } from './host-facts.js';
import * as life from './lifecycle.js';
import * as migration from './migrate.js';
import { modify } from './modify.js';
import { SnapshotObserver } from './observe.js';
import { reconcile } from './reconcile.js';
import { XentopStatistics } from './statistics.js';
import { XlRunner } from './runner.js';
import { UplinkSource } from './uplink.js';
import { SystemList, needsConfig, resolve } from './view.js';

export type { XlDriverOptions } from './core.js';

/** How long a stop waits for the tool calls still running (reads, once the jobs are drained: quick). */
const CLOSE_WAIT_MS = 2000;

export class XlDriver implements HypervisorDriver {
  readonly kind = 'xl';
  /** toSystem() freezes every system it makes: a change of one is a new object (virt/driver.ts). */
  readonly immutableSystems = true;
  private readonly core: XlCore;
  private readonly host: HostFactsSource;
  private readonly bridges: BridgeSource;
  private readonly observer: SnapshotObserver;
  private readonly systems: SystemList;
  private readonly events: DomainEvents | undefined;
  private readonly xentop: XentopStatistics;
  /** Snapshots: memory checkpoints and disks (checkpoint.ts), kept under `<dataDir>/snapshots`. */
  readonly snapshots: XlSnapshots;

  constructor(opts: XlDriverOptions) {
    this.core = new XlCore(opts, {
      needsConfig: (row) => needsConfig(this.core, row),
      onConfigs: (snap) => this.observer.adoptNew(snap),
      onSnapshot: async (snap, current, turn) => {
        await this.observer.observe(snap, current, turn);
        // The list of systems is built once per picture in the background, a slice at a time,
        // before the picture is served (not by the first reader).
        if (this.core.ready && current()) await this.systems.prepare(snap, turn);
      },
      onServed: (snap) => {
        if (this.core.ready) this.systems.of(snap);
        // What this picture showed changing is told once readers get it (observe.ts).
        this.observer.flush();
      },
    });
    // `ip link show` and `ethtool` are quick queries: the quick deadline (deadlines.ts).
    const ipDeadline = this.core.deadlines.quick ?? DEFAULT_DEADLINES.quick;
    const uplink = opts.ethtoolPath
      ? new UplinkSource(this.core.running.track(new XlRunner({ xlPath: opts.ethtoolPath, defaultTimeoutMs: ipDeadline, tool: 'ethtool' })), [], opts.uplinkInterface ?? 'eth0', ipDeadline)
      : new UplinkSource(this.core.exec, ['ethtool'], opts.uplinkInterface ?? 'eth0', ipDeadline);
    this.host = new HostFactsSource(this.core, uplink);
    this.bridges = opts.ipPath
      ? new BridgeSource(this.core.running.track(new XlRunner({ xlPath: opts.ipPath, defaultTimeoutMs: ipDeadline, tool: 'ip' })), [], ipDeadline)
      : new BridgeSource(this.core.exec, ['ip'], ipDeadline);
    this.observer = new SnapshotObserver(this.core);
    this.systems = new SystemList(this.core);
    if (opts.domainEvents) this.events = new DomainEvents(opts.domainEvents, () => this.core.cache.poke(), this.core.log);
    this.xentop = new XentopStatistics(this.core, opts.xlPath, opts.env);
    this.snapshots = new XlSnapshots(this.core, join(opts.dataDir, 'snapshots'), opts.qemuImgPath ?? 'qemu-img');
  }

  get store(): DefinitionStore {
    return this.core.store;
  }

  async init(): Promise<ReconcileReport> {
    const core = this.core;
    // The listing (xl's time) and reading the store (the disk's) do not depend on each other:
    // side by side, a restart costs the longer of the two, not their sum. Nothing reads the
    // listing before `ready` (observe.ts), so it may arrive before the store is loaded.
    const listing = core.cache.fresh(true);
    listing.catch(() => {}); // awaited below; a failure is reported there, not as unhandled
    const storeReport = await core.store.init();
    await mkdir(core.cfgDir, { recursive: true, mode: 0o700 });
    await mkdir(core.saveDir, { recursive: true, mode: 0o700 });
    await Promise.all([core.outgoing.load(), core.incoming.load()]);
    const rec = await reconcile(core.store, await listing, { incoming: core.incoming, outgoing: core.outgoing }, { saveDir: core.saveDir });
    await migration.resumePaused(core, await listing);
    await settleReplacing(core, await listing);
    core.ready = true;
    core.cache.start();
    this.events?.start();
    return { ...rec, ...storeReport };
  }

  async close(): Promise<void> {
    migration.stopWatching(this.core);
    this.events?.stop();
    this.core.cache.stop();
    // A refresh or a sample started just before the stop ends first (calls-in-flight.ts).
    const left = this.core.running.count;
    if (!(await this.core.running.settled(CLOSE_WAIT_MS))) {
      this.core.log('warn', `stopping: ${this.core.running.count} of ${left} tool calls still running after ${CLOSE_WAIT_MS} ms are left to end by themselves`);
    }
    await this.core.store.close();
  }

  freshness(): DriverFreshness {
    return this.core.cache.freshness();
  }

  watchChanges(prompt: boolean): void {
    this.core.cache.watchChanges(prompt);
  }

  metrics(): DriverMetrics {
    return { toolCalls: this.core.exec.calls, snapshotRefreshes: this.core.cache.refreshes, configLoads: this.core.cache.configLoads };
  }

  invalidate(): void {
    this.core.cache.invalidate();
    this.bridges.invalidate();
  }

  switches(): Promise<VirtualSwitch[]> {
    return this.bridges.switches();
  }

  createSwitch(name: string): Promise<VirtualSwitch> {
    return this.bridges.create(name);
  }

  deleteSwitch(name: string): Promise<void> {
    return this.bridges.remove(name);
  }

  onObserved(listener: (change: ObservedStateChange) => void): () => void {
    this.observer.listeners.add(listener);
    return () => this.observer.listeners.delete(listener);
  }

  // ------------------------------------------------------------------ reads

  /** Every system, from the last good picture (no xl call). The objects are shared by the readers of one snapshot: never mutate them. */
  async list(): Promise<VirtualSystem[]> {
    return this.systems.of(await this.core.cache.get());
  }

  /** A listing taken now (metrics samples); reads meanwhile keep the last picture (snapshot.ts sample()). */
  async listFresh(): Promise<VirtualSystem[]> {
    return this.systems.of(await this.core.cache.sample());
  }

  async get(name: string): Promise<VirtualSystem> {
    return resolve(this.core, name, await this.core.cache.get()).system;
  }

  hostFacts(): Promise<HostFacts> {
    return this.host.facts();
  }

  /** One xentop batch for every domain (statistics.ts). */
  statistics(): Promise<SystemCounters[]> {
    return this.xentop.read();
  }

  // ------------------------------------------------------------------ definitions

  define(spec: VirtualSystemSpec): Promise<VirtualSystem> {
    return define(this.core, spec);
  }

  undefine(name: string): Promise<void> {
    return undefine(this.core, name);
  }

  rename(name: string, newName: string): Promise<VirtualSystem> {
    return rename(this.core, name, newName);
  }

  modify(name: string, patch: SystemPatch, opts: OperationOptions = {}): Promise<VirtualSystem> {
    return modify(this.core, this.host, name, patch, opts);
  }

  setRequestedState(name: string, target: TargetState | undefined): Promise<void> {
    return setRequestedState(this.core, name, target);
  }

  // ------------------------------------------------------------------ life cycle

  start(name: string, opts?: StartOptions): Promise<void> {
    return life.start(this.core, name, opts);
  }

  shutdown(name: string, opts?: OperationOptions): Promise<void> {
    return life.shutdown(this.core, name, opts);
  }

  destroy(name: string, opts?: OperationOptions): Promise<void> {
    return life.destroy(this.core, name, opts);
  }

  reboot(name: string, opts?: OperationOptions): Promise<void> {
    return life.reboot(this.core, name, opts);
  }

  reset(name: string, opts?: OperationOptions): Promise<void> {
    return life.reset(this.core, name, opts);
  }

  pause(name: string, opts?: OperationOptions): Promise<void> {
    return life.pause(this.core, name, opts);
  }

  unpause(name: string, opts?: OperationOptions): Promise<void> {
    return life.unpause(this.core, name, opts);
  }

  save(name: string, opts?: OperationOptions & { progress?: (fraction: number) => void }): Promise<void> {
    return life.save(this.core, name, opts);
  }

  restore(name: string, opts?: OperationOptions & { paused?: boolean; progress?: (fraction: number) => void }): Promise<void> {
    return life.restore(this.core, name, opts);
  }

  // ------------------------------------------------------------------ migration (migrate.ts)

  migrate(name: string, opts: MigrateOptions): Promise<void> {
    return migration.migrate(this.core, name, opts);
  }

  migrationMoved(name: string): Promise<void> {
    return migration.migrationMoved(this.core, name);
  }

  migrationPending(uuid: string): string | undefined {
    return pendingMigration(this.core, uuid);
  }

  expectIncoming(def: IncomingDefinition): Promise<void> {
    return migration.expectIncoming(this.core, def);
  }

  forgetIncoming(uuid: string): Promise<void> {
    return migration.forgetIncoming(this.core, uuid);
  }

  // ------------------------------------------------------------------ devices

  attachDisk(name: string, disk: DiskSpec, opts: OperationOptions = {}): Promise<DiskSpec> {
    return attachDisk(this.core, name, disk, opts);
  }

  detachDisk(name: string, vdev: string, opts: OperationOptions = {}): Promise<void> {
    return detachDisk(this.core, name, vdev, opts);
  }

  attachInterface(name: string, nic: NicSpec, opts: OperationOptions = {}): Promise<NicSpec & { mac: string }> {
    return attachInterface(this.core, name, nic, opts);
  }

  detachInterface(name: string, mac: string, opts: OperationOptions = {}): Promise<void> {
    return detachInterface(this.core, name, mac, opts);
  }

  replaceDisk(name: string, vdev: string, disk: DiskSpec, opts: OperationOptions = {}): Promise<DiskSpec> {
    return replaceDisk(this.core, name, vdev, disk, opts);
  }

  replaceInterface(name: string, mac: string, nic: NicSpec, opts: OperationOptions = {}): Promise<NicSpec & { mac: string }> {
    return replaceInterface(this.core, name, mac, nic, opts);
  }

  setInterfaceRate(name: string, mac: string, rate: Rate | null): Promise<void> {
    return setInterfaceRate(this.core, name, mac, rate);
  }
}
