/**
 * Reads: the model's virtual systems from one snapshot (`xl list -v`) merged with the stored
 * definitions. A stored system takes its configuration from the store (our changes are stored as
 * we make them; drift made behind our back is folded in by the start-up reconcile) plus what
 * `xl list -v` shows live; a domain we hold no definition for is shown from its live configuration
 * until it is adopted.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { VirtError } from '../../virt/errors.js';
import type { SystemState } from '../../virt/states.js';
import type { VirtualSystem, VirtualSystemConfig } from '../../virt/types.js';
import type { XlCore } from './core.js';
import type { StoredDefinition } from './definition-types.js';
import { configFromLive, foldRow } from './live-config.js';
import type { ListRow } from './parse/list.js';
import { unadoptableReason } from './reconcile.js';
import type { DomainView, Snapshot } from './picture.js';
import { validName } from './validate.js';
import { isTransientName, stateOfDomain } from './xl-state.js';

/** A system as one change sees it: its definition, its domain, and the model's view of both. */
export interface Current {
  name: string;
  def: StoredDefinition | undefined;
  view: DomainView | undefined;
  system: VirtualSystem;
  /** Set by a change whose exact effect xl confirmed: the cached snapshot is updated, not dropped. */
  confirmed?: (row: ListRow) => ListRow;
  /** Set by a change that created the system's domain and listed it: the row is added to the cached snapshot. */
  added?: ListRow;
}

/** The live domain of a stored system: by uuid (identity survives reboots), else by name. */
export function viewOf(def: StoredDefinition, snap: Snapshot): DomainView | undefined {
  const byUuid = snap.byUuid.get(def.config.uuid);
  if (byUuid) return byUuid;
  const byName = snap.byName.get(def.config.name);
  if (byName && byName.row.domid !== 0 && (byName.config?.uuid ?? byName.row.uuid) === undefined) return byName;
  return undefined;
}

/** The state xl's picture and the store give, without our operations under way. */
export function observedState(def: StoredDefinition | undefined, view: DomainView | undefined): SystemState {
  return view ? stateOfDomain(view) : def?.savedImage ? 'suspended' : 'defined';
}

export function toSystem(core: XlCore, name: string, def: StoredDefinition | undefined, view: DomainView | undefined): VirtualSystem {
  let config: VirtualSystemConfig;
  if (def) config = view ? foldRow(def.config, view.row) : def.config;
  else config = configFromLive(view!.config!, view!.row, view!.config!.uuid!);
  const state = core.inflight.get(name) ?? observedState(def, view);
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
  if (def?.requested) sys.requested = def.requested;
  if (def?.stateChangedAt) sys.stateChangedAt = Date.parse(def.stateChangedAt);
  // Never changed once made (XlDriver.immutableSystems): the model keeps these objects, not copies.
  if (sys.live) Object.freeze(sys.live);
  return Object.freeze(sys);
}

export function resolve(core: XlCore, name: string, snap: Snapshot): Current {
  if (typeof name !== 'string') throw new VirtError('invalid_argument', 'a system name is required');
  const def = core.store.get(name);
  let view: DomainView | undefined;
  if (def) view = viewOf(def, snap);
  else {
    const v = snap.byName.get(name);
    if (v && !unadoptableReason(v)) view = v;
  }
  if (!def && !view) throw new VirtError('not_found', `no virtual system named '${name}'`);
  return { name, def, view, system: toSystem(core, name, def, view) };
}

/** A domain we hold no definition for, that could become a virtual system: needs `xl list -l`. */
export function needsConfig(core: XlCore, row: ListRow): boolean {
  if (!core.ready || row.domid === 0 || isTransientName(row.name)) return false;
  if (row.uuid !== undefined && core.store.findByUuid(row.uuid)) return false;
  if (core.store.get(row.name)) return false;
  try {
    validName(row.name);
  } catch {
    return false;
  }
  return true;
}

/** One stored system of a memo, with what it was built from (reused while all three are the same). */
interface StoredEntry {
  system: VirtualSystem;
  live: boolean;
  def?: StoredDefinition;
  view?: DomainView | undefined;
  inflight?: SystemState | undefined;
}

interface ListMemo {
  snap: Snapshot;
  storeVersion: number;
  inflightVersion: number;
  /** The in-flight states the memo was built with (a few at a time). */
  inflight: Map<string, SystemState>;
  /** The stored systems, in the store's order, and whether each has a domain in `snap`. */
  stored: Map<string, StoredEntry>;
  /** The domains of `snap` we hold no definition for. */
  unstored: VirtualSystem[];
  systems: VirtualSystem[];
}

/** A list under construction (SystemList.build and prepare). */
interface Building {
  memo: ListMemo;
  defs: readonly StoredDefinition[];
  /** The last list's systems: each kept while its definition, domain and in-flight state are the same objects. */
  prev: Map<string, StoredEntry> | undefined;
  sameSnap: boolean;
  claimed: Set<DomainView>;
}

/** Systems built per turn of the event loop by SystemList.prepare. */
const PREPARE_SLICE = 1000;

/**
 * The systems of one snapshot, reused while neither it, the store nor the in-flight states change.
 * A change of definitions that have no domain (define, undefine, a stopped system's settings) is
 * applied to the list in place of rebuilding it: a DefineSystem among 10,000 systems does not
 * rebuild 10,000 of them.
 */
export class SystemList {
  private memo: ListMemo | undefined;
  /** The list of a snapshot not served yet, built by prepare(); of() takes it up. */
  private prepared: ListMemo | undefined;

  constructor(private readonly core: XlCore) {}

  /** The objects are shared by the readers of one snapshot: never mutate them. */
  of(snap: Snapshot): VirtualSystem[] {
    const { store, inflightVersion } = this.core;
    const p = this.prepared;
    if (p && p.snap === snap) {
      this.prepared = undefined;
      if (this.upToDate(p)) this.memo = p;
    }
    const m = this.memo;
    if (m && m.snap === snap && m.inflightVersion === inflightVersion) {
      if (m.storeVersion === store.version) return m.systems.slice();
      if (this.patch(m)) return m.systems.slice();
    }
    if (m && this.update(m, snap)) return m.systems.slice();
    this.memo = this.build(snap);
    return this.memo.systems.slice();
  }

  /**
   * A change of ours to running systems (a pause: the picture patched for its one domain, its
   * definition rewritten, in-flight states set and cleared) rebuilds those systems only, in place:
   * a RequestStateChange among 10,000 systems does not rebuild 10,000. False (rebuild everything)
   * for anything else: a new listing, a system defined, removed or renamed, an undefined domain.
   */
  private update(m: ListMemo, snap: Snapshot): boolean {
    const { store, inflight, inflightVersion } = this.core;
    const patched = snap === m.snap ? undefined : snap.patchOf;
    if (snap !== m.snap && patched?.base !== m.snap) return false;
    const changed = store.changedSince(m.storeVersion);
    if (!changed) return false;
    const names = new Set(changed);
    for (const [name, state] of inflight) if (m.inflight.get(name) !== state) names.add(name);
    for (const name of m.inflight.keys()) if (!inflight.has(name)) names.add(name);
    if (patched) {
      const uuid = (patched.old ?? patched.view).row.uuid;
      const owner = uuid !== undefined ? store.findByUuid(uuid)?.config.name : undefined;
      const entry = owner !== undefined ? m.stored.get(owner) : undefined;
      if (!entry || entry.view !== patched.old) return false; // a domain we hold no definition for
      names.add(owner!);
    }
    // Checked before anything changes: each one the same system, with its domain or without as before.
    const next: [string, StoredEntry, StoredEntry][] = [];
    for (const name of names) {
      const old = m.stored.get(name);
      const def = store.get(name);
      if (!old || !def || old.def?.config.uuid !== def.config.uuid) return false;
      const view = viewOf(def, snap);
      if (view !== old.view && !(patched && old.view === patched.old && view === patched.view)) return false;
      const busy = inflight.get(name);
      next.push([name, old, { system: toSystem(this.core, name, def, view), live: view !== undefined, def, view, inflight: busy }]);
    }
    for (const [name, old, entry] of next) {
      m.stored.set(name, entry);
      const i = m.systems.indexOf(old.system);
      if (i >= 0) m.systems[i] = entry.system;
    }
    m.snap = snap;
    m.storeVersion = store.version;
    m.inflightVersion = inflightVersion;
    m.inflight = new Map(inflight);
    return true;
  }

  /**
   * A system whose definition, domain view and in-flight state are the very objects the last
   * list was built from keeps its object: a change of one domain (a patched pause) rebuilds one
   * system, and consumers that compare pictures (virt/events.ts) recognise the others at once.
   */
  private build(snap: Snapshot): ListMemo {
    const b = this.begin(snap);
    for (const def of b.defs) this.addStored(b, def);
    return this.finish(b);
  }

  /**
   * The list of a snapshot that is not served yet, built a slice of PREPARE_SLICE systems at a
   * time with the event loop's turn in between (at 10,000 systems a build held it 25–54 ms,
   * and every request that came meanwhile waited). Kept for of() unless a definition or an
   * in-flight state changed meanwhile (of() then builds at once, as without it).
   */
  async prepare(snap: Snapshot, turn: () => Promise<void> = () => yieldToLoop()): Promise<void> {
    const b = this.begin(snap);
    for (let i = 0; i < b.defs.length; i++) {
      if (i > 0 && i % PREPARE_SLICE === 0) {
        await turn();
        if (!this.upToDate(b.memo)) return;
      }
      this.addStored(b, b.defs[i]!);
    }
    const memo = this.finish(b);
    if (this.upToDate(memo)) this.prepared = memo;
  }

  /** Built from the definitions and in-flight states as they are now. */
  private upToDate(m: ListMemo): boolean {
    return m.storeVersion === this.core.store.version && m.inflightVersion === this.core.inflightVersion;
  }

  private begin(snap: Snapshot): Building {
    const { store, inflightVersion, inflight } = this.core;
    return {
      memo: { snap, storeVersion: store.version, inflightVersion, inflight: new Map(inflight), stored: new Map(), unstored: [], systems: [] },
      defs: store.list(),
      prev: this.memo?.stored,
      // Same snapshot (only in-flight states changed): a definition's domain is the one found before.
      sameSnap: this.memo?.snap === snap,
      claimed: new Set(),
    };
  }

  private addStored(b: Building, def: StoredDefinition): void {
    const name = def.config.name;
    const old = b.prev?.get(name);
    const view = b.sameSnap && old && old.def === def ? old.view : viewOf(def, b.memo.snap);
    if (view) b.claimed.add(view);
    const busy = b.memo.inflight.get(name);
    const system = old && old.def === def && old.view === view && old.inflight === busy ? old.system : toSystem(this.core, name, def, view);
    b.memo.stored.set(name, { system, live: view !== undefined, def, view, inflight: busy });
  }

  private finish(b: Building): ListMemo {
    const memo = b.memo;
    for (const view of memo.snap.domains) {
      if (b.claimed.has(view) || memo.stored.has(view.row.name) || unadoptableReason(view)) continue;
      memo.unstored.push(toSystem(this.core, view.row.name, undefined, view));
    }
    memo.systems = [...[...memo.stored.values()].map((e) => e.system), ...memo.unstored];
    return memo;
  }

  /** Apply the store's changes since the memo to it; false when one of them concerns a domain (rebuild). */
  private patch(m: ListMemo): boolean {
    const { store } = this.core;
    const changed = store.changedSince(m.storeVersion);
    if (!changed) return false;
    const names = new Set(changed);
    for (const name of names) {
      if (m.stored.get(name)?.live || m.snap.byName.has(name)) return false;
      const def = store.get(name);
      if (def && viewOf(def, m.snap)) return false;
    }
    for (const name of names) {
      const def = store.get(name);
      if (!def) m.stored.delete(name);
      else m.stored.set(name, { system: toSystem(this.core, name, def, undefined), live: false, def, view: undefined, inflight: this.core.inflight.get(name) });
    }
    // A name set again keeps its place in both maps; a new one goes last in both (store order).
    m.storeVersion = store.version;
    m.systems = [...[...m.stored.values()].map((e) => e.system), ...m.unstored];
    return true;
  }
}
