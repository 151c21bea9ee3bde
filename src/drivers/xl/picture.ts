/**
 * The picture of the host one listing gives: every domain's `xl list -v` row, with its
 * configuration when `xl list -l` ran too, indexed by domid, name and uuid. Pictures are never
 * changed once served (but for dropping their `patchOf` link, which only the cache reads);
 * snapshot.ts keeps the current one.
 */
import { parseList, parseStateFlags, type ListRow } from './parse/list.js';
import { parseListLong, type XlDomainConfig } from './parse/list-long.js';

export interface DomainView {
  row: ListRow;
  /** Only when `xl list -l` ran for this refresh (and retrieved the domain's configuration). */
  config?: XlDomainConfig;
}

export interface Snapshot {
  takenAt: number;
  domains: DomainView[];
  byDomid: Map<number, DomainView>;
  byName: Map<string, DomainView>;
  byUuid: Map<string, DomainView>;
  /** Whether `xl list -l` ran for this snapshot. */
  withConfigs: boolean;
  /**
   * Set on a picture made by patch() or insert(): the one it was made from, and its one domain
   * before (none for a domain inserted) and after.
   */
  patchOf?: { base: Snapshot; old: DomainView | undefined; view: DomainView };
}

/** Joins `xl list -v` rows with `xl list -l` configurations (when given) on domid. */
export function buildSnapshot(listText: string, longText?: string, takenAt = Date.now()): Snapshot {
  const configs = new Map<number, XlDomainConfig>();
  if (longText !== undefined) for (const c of parseListLong(longText)) configs.set(c.domid, c);
  return joinConfigs(parseList(listText), configs, longText !== undefined, takenAt);
}

/**
 * Joins `xl list -v` rows with configurations by domid: those of one `xl list -l`, or those an
 * earlier one gave of domains still waiting to be adopted (snapshot.ts).
 */
export function joinConfigs(rows: ListRow[], configs: ReadonlyMap<number, XlDomainConfig>, withConfigs: boolean, takenAt: number): Snapshot {
  const snap: Snapshot = {
    takenAt, domains: [], byDomid: new Map(), byName: new Map(), byUuid: new Map(), withConfigs,
  };
  for (const row of rows) {
    const cfg = configs.get(row.domid);
    // The two calls are not atomic: a domain replaced in between has another uuid/name; drop its config.
    const consistent = cfg && cfg.name === row.name && (row.uuid === undefined || cfg.uuid === undefined || cfg.uuid === row.uuid);
    const view: DomainView = consistent ? { row, config: cfg } : { row };
    snap.domains.push(view);
    snap.byDomid.set(row.domid, view);
    if (!snap.byName.has(row.name)) snap.byName.set(row.name, view);
    const uuid = row.uuid ?? cfg?.uuid;
    if (uuid && row.domid !== 0) {
      // Prefer the domain that is not dying when a uuid shows twice (reboot in progress).
      const prev = snap.byUuid.get(uuid);
      if (!prev || prev.row.flags.dying) snap.byUuid.set(uuid, view);
    }
  }
  return snap;
}

/** The row with the paused letter (third column of xl's state letters) set or cleared. */
export function withPaused(row: ListRow, paused: boolean): ListRow {
  const letters = row.state.padEnd(6, '-').split('');
  letters[2] = paused ? 'p' : '-';
  const state = letters.join('');
  return { ...row, state, flags: parseStateFlags(state) };
}

/**
 * The picture with one domain's view replaced (a change of ours xl confirmed): the keys `old` is
 * filed under are looked up directly (walking every entry made a launch of N members O(N²)). Only
 * the last step is kept in `patchOf`: a run of patches must not hold every picture before it.
 */
export function withDomainReplaced(cur: Snapshot, old: DomainView, view: DomainView): Snapshot {
  const swap = <K>(m: Map<K, DomainView>, key: K | undefined): Map<K, DomainView> => {
    const out = new Map(m);
    if (key !== undefined && out.get(key) === old) out.set(key, view);
    return out;
  };
  delete cur.patchOf;
  return {
    ...cur,
    domains: cur.domains.map((v) => (v === old ? view : v)),
    byDomid: swap(cur.byDomid, old.row.domid),
    byName: swap(cur.byName, old.row.name),
    byUuid: swap(cur.byUuid, old.row.uuid ?? old.config?.uuid),
    patchOf: { base: cur, old, view },
  };
}

/** The picture with a domain our change created added (its domid, name and uuid are new to it). */
export function withDomainAdded(cur: Snapshot, view: DomainView): Snapshot {
  const add = <K>(m: Map<K, DomainView>, key: K | undefined): Map<K, DomainView> => {
    const out = new Map(m);
    if (key !== undefined) out.set(key, view);
    return out;
  };
  delete cur.patchOf;
  return {
    ...cur,
    domains: [...cur.domains, view],
    byDomid: add(cur.byDomid, view.row.domid),
    byName: add(cur.byName, view.row.name),
    byUuid: add(cur.byUuid, view.row.uuid),
    patchOf: { base: cur, old: undefined, view },
  };
}
