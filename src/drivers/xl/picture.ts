/**
 * The picture of the host one listing gives: every domain's `xl list -v` row, with its
 * configuration when `xl list -l` ran too, indexed by domid, name and uuid. Pictures are never
 * changed once served (but for dropping their `patchOf` link, which only the cache reads);
 * snapshot.ts keeps the current one.
 */
import { parseList, parseStateFlags, type ListRow } from './parse/list.js';
import { parseListLong, type XlDomainConfig } from './parse/list-long.js';
import { DomainEdits, withEntry, type ViewIndex } from './picture-layers.js';

export interface DomainView {
  row: ListRow;
  /** Only when `xl list -l` ran for this refresh (and retrieved the domain's configuration). */
  config?: XlDomainConfig;
}

export interface Snapshot {
  takenAt: number;
  /** Every domain, in listing order (a patched picture builds the array on first use). */
  readonly domains: readonly DomainView[];
  byDomid: ViewIndex<number>;
  byName: ViewIndex<string>;
  byUuid: ViewIndex<string>;
  /** Whether `xl list -l` ran for this snapshot. */
  withConfigs: boolean;
  /**
   * Set on a picture made by patch() or insert(): the one it was made from, and its one domain
   * before (none for a domain inserted) and after.
   */
  patchOf?: { base: Snapshot; old: DomainView | undefined; view: DomainView };
}

/** A picture made from another by patch() or insert(): it shares what did not change (picture-layers.ts). */
class PatchedPicture implements Snapshot {
  constructor(
    readonly takenAt: number,
    readonly withConfigs: boolean,
    readonly edits: DomainEdits,
    readonly byDomid: ViewIndex<number>,
    readonly byName: ViewIndex<string>,
    readonly byUuid: ViewIndex<string>,
    public patchOf?: { base: Snapshot; old: DomainView | undefined; view: DomainView },
  ) {}

  get domains(): readonly DomainView[] {
    return this.edits.list();
  }
}

function editsOf(snap: Snapshot): DomainEdits {
  return DomainEdits.of(snap instanceof PatchedPicture ? snap.edits : snap.domains);
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
  const domains: DomainView[] = [];
  const snap = {
    takenAt, domains, byDomid: new Map<number, DomainView>(), byName: new Map<string, DomainView>(), byUuid: new Map<string, DomainView>(), withConfigs,
  };
  for (const row of rows) {
    const cfg = configs.get(row.domid);
    // The two calls are not atomic: a domain replaced in between has another uuid/name; drop its config.
    const consistent = cfg && cfg.name === row.name && (row.uuid === undefined || cfg.uuid === undefined || cfg.uuid === row.uuid);
    const view: DomainView = consistent ? { row, config: cfg } : { row };
    domains.push(view);
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
 * filed under are looked up directly, and the new picture shares the rest with `cur`
 * (picture-layers.ts: copying every index per patch made a launch of N members O(N²)). Only
 * the last step is kept in `patchOf`: a run of patches must not hold every picture before it.
 */
export function withDomainReplaced(cur: Snapshot, old: DomainView, view: DomainView): Snapshot {
  delete cur.patchOf;
  return new PatchedPicture(
    cur.takenAt, cur.withConfigs, editsOf(cur).replace(old, view),
    withEntry(cur.byDomid, old.row.domid, view, old),
    withEntry(cur.byName, old.row.name, view, old),
    withEntry(cur.byUuid, old.row.uuid ?? old.config?.uuid, view, old),
    { base: cur, old, view },
  );
}

/** The picture with a domain our change created added (its domid, name and uuid are new to it). */
export function withDomainAdded(cur: Snapshot, view: DomainView): Snapshot {
  delete cur.patchOf;
  return new PatchedPicture(
    cur.takenAt, cur.withConfigs, editsOf(cur).add(view),
    withEntry(cur.byDomid, view.row.domid, view),
    withEntry(cur.byName, view.row.name, view),
    withEntry(cur.byUuid, view.row.uuid, view),
    { base: cur, old: undefined, view },
  );
}
