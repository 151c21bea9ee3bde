/**
 * HypervisorDriver over xl. Reads come from one cached snapshot (snapshot.ts): one `xl list -v`
 * merged with the stored definitions, so a read costs one xl call whatever the number of systems;
 * `xl list -l` runs at start-up (reconcile) and when a domain we have no definition for appears
 * (it is adopted on first sight, then read from the store like the others). Every change
 * runs under the system's lock, reads the (invalidated-by-us) snapshot, checks the transition table, runs xl,
 * and only then updates the definition store (so a failed xl call leaves the definition intact).
 */
import { access, link, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import { KeyedLock } from '../../virt/lock.js';
import { applyPatch, normalizeNic, normalizeSpec } from '../../virt/spec.js';
import { TRANSITIONAL_STATES, checkTransition, isActive, type Operation, type SystemState } from '../../virt/states.js';
import type {
  DriverMetrics, HypervisorDriver, LongOperationOptions, MigrateOptions, ReconcileReport, StartOptions,
} from '../../virt/driver.js';
import type {
  DiskSpec, HostFacts, NicSpec, Rate, SystemPatch, SystemStatistics, VirtualSystem, VirtualSystemConfig, VirtualSystemSpec,
} from '../../virt/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { writeCfg, diskSpec, vifItems } from './cfg-writer.js';
import { DefinitionStore, type ExpectedState, type RunningSettings, type StoredDefinition, runningOf } from './definition-store.js';
import { configFromLive, foldRow, generateMac } from './live-config.js';
import { dom0MemoryFixed, infoNumber, parseInfo, type XlInfo } from './parse/info.js';
import { parseXentop, type XentopRow } from './parse/xentop.js';
import { adoptionOf, reconcile, unadoptableReason } from './reconcile.js';
import { XlRunner, type RunOptions, type XlExecutor } from './runner.js';
import { SnapshotCache, withPaused, type DomainView, type Snapshot } from './snapshot.js';
import { memArg, validHost, validMac, validName, validUuid, validVdev } from './validate.js';
import { isTransientName, stateOfDomain } from './xl-state.js';
import type { ListRow } from './parse/list.js';
import { randomUUID } from 'node:crypto';

/** How old `xl info` may be for reads (see xlInfo). */
const INFO_MAX_AGE_MS = 30_000;

export interface XlDriverOptions {
  xlPath: string;
  dataDir: string;
  /** Extra environment for xl (e.g. XL_SIM_STATE); the process environment passes through. */
  env?: Record<string, string>;
  /** Substitute runner (tests, benchmarks). */
  executor?: XlExecutor;
  snapshotTtlMs?: number;
  lockTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Long operations (save, restore, migrate, create). */
  longTimeoutMs?: number;
  /** xentop for network/disk counters; without it statistics come from the snapshot alone. */
  xentopPath?: string;
  /** Arguments before xentop's own (xl-sim runs it as the pseudo-command `xentop`). */
  xentopArgs?: string[];
}

interface Current {
  name: string;
  def: StoredDefinition | undefined;
  view: DomainView | undefined;
  system: VirtualSystem;
  /** Set by a change whose exact effect xl confirmed: the cached snapshot is updated, not dropped. */
  confirmed?: (row: ListRow) => ListRow;
}

export class XlDriver implements HypervisorDriver {
  readonly kind = 'xl';
  readonly store: DefinitionStore;
  private readonly exec: XlExecutor;
  private readonly cache: SnapshotCache;
  private readonly locks: KeyedLock;
  private readonly inflight = new Map<string, SystemState>();
  private inflightVersion = 0;
  /** The systems of one snapshot, reused while neither it, the store nor the in-flight states change. */
  private listMemo: { snap: Snapshot; storeVersion: number; inflightVersion: number; systems: VirtualSystem[] } | undefined;
  private readonly cpuSamples = new Map<string, { t: number; cpu: number }>();
  private readonly cfgDir: string;
  private readonly saveDir: string;
  private readonly xentop: XlExecutor | undefined;
  /** `xl info`, shared by concurrent readers (one call however many ask at once). */
  private info: { at: number; value: Promise<XlInfo> } | undefined;
  private readonly xentopArgs: string[];
  private top: { at: number; rows: Promise<Map<string, XentopRow>> } | undefined;
  private readonly cmdTimeout: number;
  private readonly ttlMs: number;
  private readonly longTimeout: number;
  /** Set once the start-up reconcile is done: from then on, unknown domains are adopted on sight. */
  private ready = false;

  constructor(opts: XlDriverOptions) {
    this.exec = opts.executor ?? new XlRunner({ xlPath: opts.xlPath, env: opts.env ?? {}, defaultTimeoutMs: opts.commandTimeoutMs ?? 120_000 });
    this.xentop = opts.xentopPath ? new XlRunner({ xlPath: opts.xentopPath, env: opts.env ?? {} }) : undefined;
    this.xentopArgs = opts.xentopArgs ?? [];
    this.store = new DefinitionStore(opts.dataDir);
    this.ttlMs = opts.snapshotTtlMs ?? 1000;
    this.cache = new SnapshotCache(this.exec, this.ttlMs, {
      needsConfig: (row) => this.needsConfig(row),
      onConfigs: (snap) => this.adoptNew(snap),
    });
    this.locks = new KeyedLock(opts.lockTimeoutMs ?? 30_000);
    this.cfgDir = join(opts.dataDir, 'cfg');
    this.saveDir = join(opts.dataDir, 'saves');
    this.cmdTimeout = opts.commandTimeoutMs ?? 120_000;
    this.longTimeout = opts.longTimeoutMs ?? 30 * 60_000;
  }

  async init(): Promise<ReconcileReport> {
    const storeReport = await this.store.init();
    await mkdir(this.cfgDir, { recursive: true, mode: 0o700 });
    await mkdir(this.saveDir, { recursive: true, mode: 0o700 });
    const rec = await reconcile(this.store, await this.cache.fresh(true));
    this.ready = true;
    return { ...rec, ...storeReport };
  }

  /** A domain we hold no definition for, that could become a virtual system: needs `xl list -l`. */
  private needsConfig(row: ListRow): boolean {
    if (!this.ready || row.domid === 0 || isTransientName(row.name)) return false;
    if (row.uuid !== undefined && this.store.findByUuid(row.uuid)) return false;
    if (this.store.get(row.name)) return false;
    try {
      validName(row.name);
    } catch {
      return false;
    }
    return true;
  }

  /**
   * Adoption on first sight (after start-up): a domain created outside us gets a stored definition
   * from its live configuration, so that later reads need only `xl list -v`. Runs inside the
   * snapshot refresh, before any reader sees the snapshot; a failed write only delays adoption.
   */
  private async adoptNew(snap: Snapshot): Promise<void> {
    if (!this.ready) return;
    for (const view of snap.domains) {
      const def = adoptionOf(this.store, view);
      if (!def) continue;
      try {
        await this.store.put(def);
      } catch {
        // Shown from its live configuration for now; the next snapshot tries again.
      }
    }
  }

  async close(): Promise<void> {}

  metrics(): DriverMetrics {
    return { toolCalls: this.exec.calls + (this.xentop?.calls ?? 0), snapshotRefreshes: this.cache.refreshes, configLoads: this.cache.configLoads };
  }

  invalidate(): void {
    this.cache.invalidate();
    this.info = undefined; // free memory changes with every start/stop: admission needs it fresh
  }

  // ------------------------------------------------------------------ reads

  /** Every system. The objects are shared by the readers of one snapshot: never mutate them. */
  async list(): Promise<VirtualSystem[]> {
    const snap = await this.cache.get();
    const m = this.listMemo;
    if (m && m.snap === snap && m.storeVersion === this.store.version && m.inflightVersion === this.inflightVersion) {
      return m.systems.slice();
    }
    const storeVersion = this.store.version;
    const inflightVersion = this.inflightVersion;
    const systems = this.systemsOf(snap);
    this.listMemo = { snap, storeVersion, inflightVersion, systems };
    return systems.slice();
  }

  async get(name: string): Promise<VirtualSystem> {
    const snap = await this.cache.get();
    return this.resolve(name, snap).system;
  }

  private systemsOf(snap: Snapshot): VirtualSystem[] {
    const out: VirtualSystem[] = [];
    const claimed = new Set<DomainView>();
    const names = new Set<string>();
    for (const def of this.store.list()) {
      const view = this.viewOf(def, snap);
      if (view) claimed.add(view);
      names.add(def.config.name);
      out.push(this.toSystem(def.config.name, def, view));
    }
    for (const view of snap.domains) {
      if (claimed.has(view) || names.has(view.row.name) || unadoptableReason(view)) continue;
      out.push(this.toSystem(view.row.name, undefined, view));
    }
    return out;
  }

  /** The live domain of a stored system: by uuid (identity survives reboots, §3.2), else by name. */
  private viewOf(def: StoredDefinition, snap: Snapshot): DomainView | undefined {
    const byUuid = snap.byUuid.get(def.config.uuid);
    if (byUuid) return byUuid;
    const byName = snap.byName.get(def.config.name);
    if (byName && byName.row.domid !== 0 && (byName.config?.uuid ?? byName.row.uuid) === undefined) return byName;
    return undefined;
  }

  private resolve(name: string, snap: Snapshot): Current {
    if (typeof name !== 'string') throw new VirtError('invalid_argument', 'a system name is required');
    const def = this.store.get(name);
    let view: DomainView | undefined;
    if (def) view = this.viewOf(def, snap);
    else {
      const v = snap.byName.get(name);
      if (v && !unadoptableReason(v)) view = v;
    }
    if (!def && !view) throw new VirtError('not_found', `no virtual system named '${name}'`);
    return { name, def, view, system: this.toSystem(name, def, view) };
  }

  private toSystem(name: string, def: StoredDefinition | undefined, view: DomainView | undefined): VirtualSystem {
    let config: VirtualSystemConfig;
    // Stored systems take their configuration from the store (our changes are stored as we make
    // them; drift made behind our back is folded in by the start-up reconcile), plus what
    // `xl list -v` shows live: the online vCPUs.
    if (def) config = view ? foldRow(def.config, view.row) : def.config;
    else config = configFromLive(view!.config!, view!.row, view!.config!.uuid!);
    let state: SystemState = view ? stateOfDomain(view) : def?.savedImage ? 'suspended' : 'defined';
    const inflight = this.inflight.get(name);
    if (inflight) state = inflight;
    const sys: VirtualSystem = { name, uuid: config.uuid, state, config, origin: def?.origin ?? 'adopted' };
    if (view) {
      // What the domain runs with where it can differ from the definition (a next-start change).
      const r = def?.running;
      sys.live = {
        domid: view.row.domid,
        memoryMiB: view.row.memMiB,
        targetMemoryMiB: r ? r.memoryMiB : config.memoryMiB,
        maxMemoryMiB: r ? r.maxMemoryMiB : config.maxMemoryMiB,
        onlineVcpus: view.row.vcpus,
        cpuWeight: r ? r.cpuWeight : config.cpuWeight,
        cpuCap: r ? r.cpuCap : config.cpuCap,
        cpuTimeSec: view.row.cpuTimeSec,
      };
    } else if (def?.vanished) sys.vanished = true;
    if (def?.savedImage) sys.hasSavedImage = true;
    return sys;
  }

  // ------------------------------------------------------------------ change plumbing

  private xl(args: string[], opts: RunOptions = {}): Promise<unknown> {
    return this.exec.run(args, { timeoutMs: this.cmdTimeout, ...opts });
  }

  /**
   * Lock, read, run, invalidate. The read may come from the cache: every change of ours
   * invalidates it before releasing its lock, so under this system's lock the snapshot already
   * reflects our own last change to it; only changes made outside us (the guest, an admin) can be
   * up to one TTL old, and xl refuses those itself. This keeps a change at one xl call; and a change
   * whose effect is exactly known (pause, unpause) updates the snapshot instead of dropping it, so
   * that reading the result back costs no call either.
   */
  private change<T>(name: string, fn: (cur: Current) => Promise<T>): Promise<T> {
    const n = validName(name);
    return this.locks.with(n, async () => {
      const cur = this.resolve(n, await this.cache.get());
      try {
        return await fn(cur);
      } finally {
        if (cur.confirmed && cur.view) this.cache.patch(cur.view.row.domid, cur.confirmed);
        else this.cache.invalidate();
      }
    });
  }

  private async withInflight<T>(name: string, state: SystemState, fn: () => Promise<T>): Promise<T> {
    this.inflight.set(name, state);
    this.inflightVersion++;
    try {
      return await fn();
    } finally {
      this.inflight.delete(name);
      this.inflightVersion++;
    }
  }

  /** A domain we only know from xl gets a stored definition before we change it. */
  private async ensureDef(cur: Current): Promise<StoredDefinition> {
    if (cur.def) return cur.def;
    cur.def = await this.store.put({
      config: cur.system.config,
      origin: 'adopted',
      expected: cur.system.state === 'paused' ? 'paused' : 'running',
      running: runningOf(cur.system.config),
    });
    return cur.def;
  }

  private async setExpected(cur: Current, expected: ExpectedState, extra: Partial<StoredDefinition> = {}): Promise<void> {
    const def = await this.ensureDef(cur);
    const next: StoredDefinition = { ...def, ...extra, expected, vanished: false };
    if (expected !== 'suspended') delete next.savedImage;
    await this.store.put(next);
  }

  /** Name xl knows the domain by right now (validated: it goes on xl's command line). */
  private liveName(cur: Current): string {
    if (!cur.view) throw new VirtError('invalid_state', `'${cur.name}' is not active`);
    return validName(cur.view.row.name);
  }

  private check(cur: Current, op: Operation): void {
    checkTransition(cur.name, cur.system.state, op);
  }

  private async createFrom(config: VirtualSystemConfig, paused: boolean): Promise<void> {
    const cfgPath = join(this.cfgDir, `${validName(config.name)}.cfg`);
    await writeFileAtomic(cfgPath, writeCfg(config));
    await this.xl(['create', ...(paused ? ['-p'] : []), cfgPath], { timeoutMs: this.longTimeout });
  }

  // ------------------------------------------------------------------ definitions

  async define(spec: VirtualSystemSpec): Promise<VirtualSystem> {
    const n = normalizeSpec(spec);
    validName(n.name);
    const config: VirtualSystemConfig = {
      ...n,
      uuid: n.uuid ? validUuid(n.uuid) : randomUUID(),
      nics: n.nics.map((nic) => ({ ...nic, mac: validMac(nic.mac ?? generateMac()) })),
    };
    writeCfg(config); // validates every value that will ever reach xl
    return this.locks.with(config.name, async () => {
      // The cached view, like every change (see change()): only a domain created outside us within
      // the last TTL could be missed, and xl itself refuses to create a second domain of that name.
      const snap = await this.cache.get();
      if (this.store.get(config.name) || snap.byName.has(config.name)) {
        throw new VirtError('conflict', `a virtual system named '${config.name}' already exists`);
      }
      const other = this.store.findByUuid(config.uuid) ?? (snap.byUuid.get(config.uuid) ? { config: { name: snap.byUuid.get(config.uuid)!.row.name } } : undefined);
      if (other) throw new VirtError('conflict', `UUID ${config.uuid} is already used by '${other.config.name}'`);
      const def = await this.store.put({ config, origin: 'defined', expected: 'stopped' });
      return this.toSystem(config.name, def, undefined);
    });
  }

  async undefine(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      if (cur.view || isActive(cur.system.state)) {
        throw new VirtError('invalid_state', `'${name}' is ${cur.system.state}; stop it before deleting its definition`);
      }
      if (cur.def?.savedImage) await unlink(cur.def.savedImage).catch(() => {});
      await unlink(join(this.cfgDir, `${cur.name}.cfg`)).catch(() => {});
      await this.store.remove(cur.name);
    });
  }

  /**
   * Rename (xl-reference §3.7): under the locks of both names (taken in name order, so two renames
   * cannot deadlock), `xl rename` while a domain exists, then the definition moves (new file
   * first, then the old one removed: store.move; reconcile copes with a crash in between). A saved
   * image is linked under the new name before the definition points at it. If storing fails after
   * xl renamed the domain, the domain is renamed back.
   */
  async rename(name: string, newName: string): Promise<VirtualSystem> {
    const from = validName(name);
    const to = validName(newName);
    if (from === to) return this.get(from);
    const [first, second] = from < to ? [from, to] : [to, from];
    await this.locks.with(first, () => this.locks.with(second, async () => {
      const snap = await this.cache.get();
      const cur = this.resolve(from, snap);
      try {
        const state = cur.system.state;
        if (TRANSITIONAL_STATES.includes(state)) throw new VirtError('busy', `'${from}' is ${state}`);
        const taken = snap.byName.get(to);
        if (this.store.get(to) || (taken && taken !== cur.view)) {
          throw new VirtError('conflict', `a virtual system named '${to}' already exists`);
        }
        const def = await this.ensureDef(cur);
        const live = cur.view ? this.liveName(cur) : undefined;
        if (live !== undefined) await this.xl(['rename', live, to]);
        let image: string | undefined;
        try {
          if (def.savedImage) {
            image = join(this.saveDir, `${to}.save`);
            await unlink(image).catch(() => {}); // a stale file of an earlier system of that name
            await link(def.savedImage, image);
          }
          const next: Omit<StoredDefinition, 'version' | 'updatedAt'> = { ...def, config: { ...def.config, name: to } };
          if (image) next.savedImage = image;
          await this.store.move(from, next);
        } catch (err) {
          if (!this.store.get(to)) {
            if (image) await unlink(image).catch(() => {});
            if (live !== undefined) await this.xl(['rename', to, live]).catch(() => {});
          }
          throw err;
        }
        if (def.savedImage) await unlink(def.savedImage).catch(() => {});
        await unlink(join(this.cfgDir, `${from}.cfg`)).catch(() => {});
      } finally {
        this.cache.invalidate();
      }
    }));
    return this.get(to);
  }

  async modify(name: string, patch: SystemPatch): Promise<VirtualSystem> {
    await this.change(name, async (cur) => {
      const state = cur.system.state;
      if (TRANSITIONAL_STATES.includes(state)) throw new VirtError('busy', `'${name}' is ${state}`);
      const def = await this.ensureDef(cur);
      const base = cur.system.config;
      const next = applyPatch(base, patch);
      const resourcesChanged = next.memoryMiB !== base.memoryMiB || next.maxMemoryMiB !== base.maxMemoryMiB || next.vcpus !== base.vcpus || next.maxVcpus !== base.maxVcpus;
      if (state === 'suspended' && resourcesChanged) {
        throw new VirtError('invalid_state', `'${name}' is suspended; its saved image fixes memory and vCPUs until it is restored`);
      }
      const running = cur.view ? await this.applyLive(cur, def.running ?? runningOf(base), next) : def.running;
      const stored: Omit<StoredDefinition, 'version' | 'updatedAt'> = { ...def, config: next };
      if (running) stored.running = running;
      await this.store.put(stored);
    });
    return this.get(name);
  }

  /**
   * Live part of modify: what xl can change on the running domain (§4.1-§4.3), from what it runs
   * with now (`was`); returns what it runs with afterwards. The rest stays a definition-only change
   * for the next start (the caller stores the definition either way):
   * - the memory maximum is fixed at boot for growth (a PV guest cannot use more than it booted with
   *   even if `xl mem-max` raises the limit, §4.1): raising it is for the next start; lowering it
   *   is live (`mem-max`, after the target came down to fit);
   * - the memory target is live (`mem-set`) when it fits the running maximum, else next start;
   * - online vCPUs (`vcpu-set`, within the maximum fixed at definition) and weight/cap
   *   (`sched-credit[2]`) are live.
   */
  private async applyLive(cur: Current, was: RunningSettings, next: VirtualSystemConfig): Promise<RunningSettings> {
    const live = this.liveName(cur);
    const now: RunningSettings = { ...was };
    const maxAfter = Math.min(was.maxMemoryMiB, next.maxMemoryMiB);
    if (next.memoryMiB !== was.memoryMiB && next.memoryMiB <= maxAfter) {
      await this.xl(['mem-set', live, memArg(next.memoryMiB)]);
      now.memoryMiB = next.memoryMiB;
    }
    if (maxAfter < was.maxMemoryMiB && now.memoryMiB <= maxAfter) {
      await this.xl(['mem-max', live, memArg(maxAfter)]);
      now.maxMemoryMiB = maxAfter;
    }
    if (next.vcpus !== cur.system.config.vcpus) await this.xl(['vcpu-set', live, String(next.vcpus)]);
    if (next.cpuWeight !== was.cpuWeight || next.cpuCap !== was.cpuCap) {
      const cmd = await this.schedCommand(cur.view);
      await this.xl([cmd, '-d', live, '-w', String(next.cpuWeight), '-c', String(next.cpuCap)]);
      now.cpuWeight = next.cpuWeight;
      now.cpuCap = next.cpuCap;
    }
    return now;
  }

  /** credit vs credit2 (§4.3): the pool's own scheduler, else the host default. */
  private async schedCommand(view: DomainView | undefined): Promise<string> {
    const sched = view?.config?.sched ?? (await this.xlInfo(Infinity))['xen_scheduler'];
    if (sched === 'credit') return 'sched-credit';
    if (sched === 'credit2') return 'sched-credit2';
    throw new VirtError('invalid_state', `scheduler '${sched ?? 'unknown'}' has no weight/cap`);
  }

  setMemory(name: string, memoryMiB: number): Promise<void> {
    return this.modify(name, { memoryMiB }).then(() => undefined);
  }

  setMaxMemory(name: string, maxMemoryMiB: number): Promise<void> {
    return this.modify(name, { maxMemoryMiB }).then(() => undefined);
  }

  setVcpus(name: string, vcpus: number): Promise<void> {
    return this.modify(name, { vcpus }).then(() => undefined);
  }

  setScheduler(name: string, params: { weight?: number; cap?: number }): Promise<void> {
    const patch: SystemPatch = {};
    if (params.weight !== undefined) patch.cpuWeight = params.weight;
    if (params.cap !== undefined) patch.cpuCap = params.cap;
    return this.modify(name, patch).then(() => undefined);
  }

  // ------------------------------------------------------------------ state changes

  async start(name: string, opts: StartOptions = {}): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, opts.paused ? 'start_paused' : 'start');
      const def = await this.ensureDef(cur);
      await this.withInflight(cur.name, 'starting', () => this.createFrom(def.config, !!opts.paused));
      await this.setExpected(cur, opts.paused ? 'paused' : 'running', { running: runningOf(def.config) });
    });
  }

  async shutdown(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'shutdown');
      await this.xl(['shutdown', this.liveName(cur)], { timeoutMs: 90_000 });
      await this.setExpected(cur, 'stopped');
    });
  }

  async destroy(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'destroy');
      if (cur.view) await this.xl(['destroy', this.liveName(cur)]);
      else if (cur.def?.savedImage) await unlink(cur.def.savedImage).catch(() => {});
      await this.setExpected(cur, 'stopped');
    });
  }

  async reboot(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'reboot');
      // The guest comes back with a new domid; we follow it by uuid (§3.2).
      await this.xl(['reboot', this.liveName(cur)], { timeoutMs: 90_000 });
    });
  }

  async reset(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'reset');
      const def = await this.ensureDef(cur);
      const config = cur.system.config;
      await this.withInflight(cur.name, 'rebooting', async () => {
        await this.xl(['destroy', this.liveName(cur)]);
        try {
          await this.createFrom(config, false);
        } catch (err) {
          await this.store.put({ ...def, config, expected: 'stopped' });
          const e = err as VirtError;
          throw new VirtError(e.kind ?? 'failed', `'${name}' was powered off but could not be started again: ${e.message}`, e.detail);
        }
      });
      await this.store.put({ ...def, config, expected: 'running', vanished: false, running: runningOf(config) });
    });
  }

  async pause(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'pause');
      await this.xl(['pause', this.liveName(cur)]);
      cur.confirmed = (row) => withPaused(row, true);
      await this.setExpected(cur, 'paused');
    });
  }

  async unpause(name: string): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'unpause');
      await this.xl(['unpause', this.liveName(cur)]);
      cur.confirmed = (row) => withPaused(row, false);
      await this.setExpected(cur, 'running');
    });
  }

  async save(name: string, opts: LongOperationOptions = {}): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'save');
      await this.ensureDef(cur);
      const image = join(this.saveDir, `${cur.name}.save`);
      await this.withInflight(cur.name, 'suspending', async () => {
        try {
          await this.xl(['save', this.liveName(cur), image], this.longOpts(opts));
        } catch (err) {
          await unlink(image).catch(() => {}); // xl resumed the domain; a partial image is useless
          throw err;
        }
      });
      await this.setExpected(cur, 'suspended', { savedImage: image, config: cur.system.config });
    });
  }

  async restore(name: string, opts: LongOperationOptions & { paused?: boolean } = {}): Promise<void> {
    await this.change(name, async (cur) => {
      this.check(cur, 'restore');
      const image = cur.def?.savedImage;
      if (!image || !(await access(image).then(() => true, () => false))) {
        throw new VirtError('not_found', `the saved image of '${name}' is missing`);
      }
      await this.withInflight(cur.name, 'resuming', () =>
        this.xl(['restore', ...(opts.paused ? ['-p'] : []), image], this.longOpts(opts)));
      await this.setExpected(cur, opts.paused ? 'paused' : 'running');
      // Restored: an old image must never be restored again over newer disk contents.
      await unlink(image).catch(() => {});
    });
  }

  async migrate(name: string, destination: string, opts: MigrateOptions = {}): Promise<void> {
    const host = validHost(destination);
    await this.change(name, async (cur) => {
      this.check(cur, 'migrate');
      await this.withInflight(cur.name, 'migrating', () =>
        this.xl(['migrate', ...(opts.paused ? ['-p'] : []), this.liveName(cur), host], this.longOpts(opts)));
      // It now lives on the destination, whose own store adopts it (§9: same uuid, new domid).
      await this.store.remove(cur.name);
      await unlink(join(this.cfgDir, `${cur.name}.cfg`)).catch(() => {});
    });
  }

  private longOpts(opts: LongOperationOptions): RunOptions {
    const r: RunOptions = { timeoutMs: opts.timeoutMs ?? this.longTimeout };
    if (opts.signal) r.signal = opts.signal;
    return r;
  }

  // ------------------------------------------------------------------ devices

  async attachDisk(name: string, disk: DiskSpec): Promise<DiskSpec> {
    const d: DiskSpec = { target: disk.target, vdev: validVdev(disk.vdev), format: disk.format ?? 'raw', readOnly: !!disk.readOnly || !!disk.cdrom, cdrom: !!disk.cdrom };
    const spec = diskSpec(d);
    await this.change(name, async (cur) => {
      if (cur.system.config.disks.some((x) => x.vdev === d.vdev)) throw new VirtError('conflict', `'${name}' already has a disk ${d.vdev}`);
      const def = await this.ensureDef(cur);
      if (cur.view) await this.xl(['block-attach', this.liveName(cur), spec]);
      await this.store.put({ ...def, config: { ...cur.system.config, disks: [...cur.system.config.disks, d] } });
    });
    return d;
  }

  async detachDisk(name: string, vdev: string): Promise<void> {
    const v = validVdev(vdev);
    await this.change(name, async (cur) => {
      if (!cur.system.config.disks.some((x) => x.vdev === v)) throw new VirtError('not_found', `'${name}' has no disk ${v}`);
      const def = await this.ensureDef(cur);
      if (cur.view) await this.xl(['block-detach', this.liveName(cur), v]);
      await this.store.put({ ...def, config: { ...cur.system.config, disks: cur.system.config.disks.filter((x) => x.vdev !== v) } });
    });
  }

  async attachInterface(name: string, nic: NicSpec): Promise<NicSpec & { mac: string }> {
    const n = normalizeNic(nic);
    const full = { ...n, mac: validMac(n.mac ?? generateMac()) };
    const items = vifItems(full);
    await this.change(name, async (cur) => {
      if (cur.system.config.nics.some((x) => x.mac === full.mac)) throw new VirtError('conflict', `'${name}' already has an interface ${full.mac}`);
      const def = await this.ensureDef(cur);
      if (cur.view) await this.xl(['network-attach', this.liveName(cur), ...items]);
      await this.store.put({ ...def, config: { ...cur.system.config, nics: [...cur.system.config.nics, full] } });
    });
    return full;
  }

  async detachInterface(name: string, mac: string): Promise<void> {
    const m = validMac(mac);
    await this.change(name, async (cur) => {
      if (!cur.system.config.nics.some((x) => x.mac === m)) throw new VirtError('not_found', `'${name}' has no interface ${m}`);
      const def = await this.ensureDef(cur);
      if (cur.view) await this.xl(['network-detach', this.liveName(cur), m]);
      await this.store.put({ ...def, config: { ...cur.system.config, nics: cur.system.config.nics.filter((x) => x.mac !== m) } });
    });
  }

  async setInterfaceRate(name: string, mac: string, rate: Rate | null): Promise<void> {
    const m = validMac(mac);
    await this.change(name, async (cur) => {
      const old = cur.system.config.nics.find((x) => x.mac === m);
      if (!old) throw new VirtError('not_found', `'${name}' has no interface ${m}`);
      const updated = normalizeNic({ ...old, ...(rate ? { rate } : {}) }) as NicSpec & { mac: string };
      if (!rate) delete updated.rate;
      const items = vifItems(updated);
      const def = await this.ensureDef(cur);
      if (cur.view) {
        // xl cannot change a vif's rate in place: detach and re-attach with the same MAC (§5 table).
        const live = this.liveName(cur);
        await this.xl(['network-detach', live, m]);
        try {
          await this.xl(['network-attach', live, ...items]);
        } catch (err) {
          await this.xl(['network-attach', live, ...vifItems(old)]).catch(() => {});
          throw err;
        }
      }
      await this.store.put({ ...def, config: { ...cur.system.config, nics: cur.system.config.nics.map((x) => (x.mac === m ? updated : x)) } });
    });
  }

  // ------------------------------------------------------------------ host and statistics

  /**
   * Host facts from `xl info`. Reads accept them up to INFO_MAX_AGE_MS old: what they use is static
   * (CPUs, total memory, versions) except free memory, which only feeds the estimate of Xen's own
   * memory (virt/capacity.ts). Admission control invalidates first, so it always asks xl afresh.
   */
  private xlInfo(maxAgeMs = INFO_MAX_AGE_MS): Promise<XlInfo> {
    const now = Date.now();
    if (this.info && now - this.info.at < maxAgeMs) return this.info.value;
    const value = this.xl(['info']).then((r) => parseInfo((r as { stdout: string }).stdout));
    const entry = { at: now, value };
    this.info = entry;
    value.catch(() => {
      if (this.info === entry) this.info = undefined;
    });
    return value;
  }

  async hostFacts(): Promise<HostFacts> {
    const [info, snap] = await Promise.all([this.xlInfo(), this.cache.get()]);
    const dom0 = snap.byDomid.get(0);
    return {
      hostname: info['host'] ?? 'localhost',
      hypervisor: 'xen',
      hypervisorVersion: info['xen_version'] ?? '',
      scheduler: info['xen_scheduler'] ?? '',
      nrCpus: infoNumber(info, 'nr_cpus'),
      totalMemoryMiB: infoNumber(info, 'total_memory'),
      freeMemoryMiB: infoNumber(info, 'free_memory'),
      dom0MemoryMiB: dom0?.row.memMiB ?? 0,
      dom0Vcpus: dom0?.row.vcpus ?? 0,
      dom0MemoryFixed: dom0MemoryFixed(info),
    };
  }

  async statistics(name?: string): Promise<SystemStatistics[]> {
    const snap = await this.cache.get();
    const systems = (name === undefined ? this.systemsOf(snap) : [this.resolve(name, snap).system]).filter((s) => s.live);
    const top = this.xentop ? await this.xentopRows() : undefined;
    const now = snap.takenAt;
    return systems.map((s) => {
      const live = s.live!;
      // CPU % of one pCPU from the change in CPU time since our previous sample (xentop does the same).
      const prev = this.cpuSamples.get(s.uuid);
      let cpuPercent = 0;
      if (prev && now > prev.t && live.cpuTimeSec >= prev.cpu) cpuPercent = ((live.cpuTimeSec - prev.cpu) * 1000 * 100) / (now - prev.t);
      if (!prev || now - prev.t >= 500) this.cpuSamples.set(s.uuid, { t: now, cpu: live.cpuTimeSec });
      const st: SystemStatistics = {
        name: s.name,
        sampledAt: now,
        cpuTimeSec: live.cpuTimeSec,
        cpuPercent: Math.round(cpuPercent * 10) / 10,
        memoryKiB: live.memoryMiB * 1024,
        maxMemoryKiB: (s.config.memoryMiB * 1024) + 1024, // hypervisor max = target + 1 MiB (§7.2)
        vcpus: live.onlineVcpus,
      };
      const t = top?.get(s.name);
      if (t) {
        st.netTxBytes = t.netTxKiB * 1024;
        st.netRxBytes = t.netRxKiB * 1024;
        st.diskReadRequests = t.vbdRd;
        st.diskWriteRequests = t.vbdWr;
        st.diskReadSectors = t.vbdRsect;
        st.diskWriteSectors = t.vbdWsect;
        if (t.maxMemKiB !== undefined) st.maxMemoryKiB = t.maxMemKiB;
      }
      return st;
    });
  }

  /**
   * Network/disk counters from one xentop iteration (-f: full names). Its CPU(%) is always 0.0 in
   * the first iteration (§6), so CPU use comes from our own CPU-time samples instead of a 1 s wait.
   * Shared for one snapshot TTL so that per-system calls do not each run xentop.
   */
  private xentopRows(): Promise<Map<string, XentopRow>> {
    const now = Date.now();
    if (this.top && now - this.top.at < this.ttlMs) return this.top.rows;
    const rows = this.xentop!.run([...this.xentopArgs, '-b', '-f', '-i', '1'], { timeoutMs: 15_000 })
      .then((r) => new Map(parseXentop(r.stdout).map((row) => [row.name, row])));
    rows.catch(() => {
      if (this.top?.rows === rows) this.top = undefined;
    });
    this.top = { at: now, rows };
    return rows;
  }
}
