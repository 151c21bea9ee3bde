/**
 * Reads: the model's virtual systems from one snapshot (`xl list -v`) merged with the stored
 * definitions. A stored system takes its configuration from the store (our changes are stored as
 * we make them; drift made behind our back is folded in by the start-up reconcile) plus what
 * `xl list -v` shows live; a domain we hold no definition for is shown from its live configuration
 * until it is adopted.
 */
import { VirtError } from '../../virt/errors.js';
import type { SystemState } from '../../virt/states.js';
import type { VirtualSystem, VirtualSystemConfig } from '../../virt/types.js';
import type { XlCore } from './core.js';
import type { StoredDefinition } from './definition-store.js';
import { configFromLive, foldRow } from './live-config.js';
import type { ListRow } from './parse/list.js';
import { unadoptableReason } from './reconcile.js';
import type { DomainView, Snapshot } from './snapshot.js';
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
  return sys;
}

export function systemsOf(core: XlCore, snap: Snapshot): VirtualSystem[] {
  const out: VirtualSystem[] = [];
  const claimed = new Set<DomainView>();
  const names = new Set<string>();
  for (const def of core.store.list()) {
    const view = viewOf(def, snap);
    if (view) claimed.add(view);
    names.add(def.config.name);
    out.push(toSystem(core, def.config.name, def, view));
  }
  for (const view of snap.domains) {
    if (claimed.has(view) || names.has(view.row.name) || unadoptableReason(view)) continue;
    out.push(toSystem(core, view.row.name, undefined, view));
  }
  return out;
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

/** The systems of one snapshot, reused while neither it, the store nor the in-flight states change. */
export class SystemList {
  private memo: { snap: Snapshot; storeVersion: number; inflightVersion: number; systems: VirtualSystem[] } | undefined;

  constructor(private readonly core: XlCore) {}

  /** The objects are shared by the readers of one snapshot: never mutate them. */
  of(snap: Snapshot): VirtualSystem[] {
    const m = this.memo;
    const { store, inflightVersion } = this.core;
    if (m && m.snap === snap && m.storeVersion === store.version && m.inflightVersion === inflightVersion) return m.systems.slice();
    const storeVersion = store.version;
    const systems = systemsOf(this.core, snap);
    this.memo = { snap, storeVersion, inflightVersion, systems };
    return systems.slice();
  }
}
