/**
 * One cached picture of the host. A steady-state refresh is ONE call, `xl list -v` (state letters,
 * CPU time, current memory, online vCPUs and uuid of every domain): the configuration of the
 * systems we know comes from the definition store, not from xl. `xl list -l` (configuration)
 * runs only when asked for (start-up reconcile) or when `xl list -v` shows a
 * domain the owner has no definition for (adoption: first sight, then stored by the owner).
 * Readers share one in-flight refresh; our own changes invalidate it.
 */
import type { XlExecutor } from './runner.js';
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
}

export interface SnapshotHooks {
  /** Does this domain need its configuration from xl (a domain we hold no definition for)? */
  needsConfig?(row: ListRow): boolean;
  /** Runs on every snapshot that carries configurations, before any reader sees it. */
  onConfigs?(snap: Snapshot): Promise<void>;
  /** Runs on every snapshot (after onConfigs), before any reader sees it. */
  onSnapshot?(snap: Snapshot): Promise<void>;
}

/** Joins `xl list -v` rows with `xl list -l` configurations (when given) on domid. */
export function buildSnapshot(listText: string, longText?: string, takenAt = Date.now()): Snapshot {
  const rows = parseList(listText);
  const configs = new Map<number, XlDomainConfig>();
  if (longText !== undefined) for (const c of parseListLong(longText)) configs.set(c.domid, c);
  const snap: Snapshot = {
    takenAt, domains: [], byDomid: new Map(), byName: new Map(), byUuid: new Map(), withConfigs: longText !== undefined,
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

/** A domain whose configuration xl could not give us is asked for again only after this long. */
const NO_CONFIG_RETRY_MS = 30_000;

export class SnapshotCache {
  private current: Snapshot | undefined;
  private inflight: Promise<Snapshot> | undefined;
  private inflightGen = -1;
  private inflightFull = false;
  private generation = 0;
  /** `<domid>/<uuid>` of unknown domains `xl list -l` did not describe → when we last asked. */
  private readonly noConfig = new Map<string, number>();
  refreshes = 0;
  /** Refreshes that also ran `xl list -l`. */
  configLoads = 0;

  constructor(
    private readonly exec: XlExecutor,
    private readonly ttlMs = 1000,
    private readonly hooks: SnapshotHooks = {},
  ) {}

  invalidate(): void {
    this.generation++;
    this.current = undefined;
  }

  /**
   * A change of ours whose effect on one domain xl has just confirmed and that we know exactly
   * (pause, unpause): the cached snapshot gets that domain's row updated instead of being dropped,
   * so that the next read needs no xl call. It keeps its age (the rest is as old as it was), and a
   * refresh that started before the change is not kept. Without a cached snapshot, or when the
   * domain is not in it, this is invalidate().
   */
  patch(domid: number, change: (row: ListRow) => ListRow): void {
    this.generation++;
    const cur = this.current;
    const old = cur?.byDomid.get(domid);
    if (!cur || !old) {
      this.current = undefined;
      return;
    }
    const view: DomainView = { ...old, row: change(old.row) };
    const swap = <K>(m: Map<K, DomainView>): Map<K, DomainView> => {
      const out = new Map(m);
      for (const [k, v] of m) if (v === old) out.set(k, view);
      return out;
    };
    this.current = {
      ...cur,
      domains: cur.domains.map((v) => (v === old ? view : v)),
      byDomid: swap(cur.byDomid),
      byName: swap(cur.byName),
      byUuid: swap(cur.byUuid),
    };
  }

  /** The cached snapshot if younger than the TTL, else a fresh one. */
  async get(): Promise<Snapshot> {
    const cur = this.current;
    if (cur && Date.now() - cur.takenAt < this.ttlMs) return cur;
    return this.refresh(false);
  }

  /**
   * Always asks xl (shared with a refresh that started after the last invalidation).
   * `withConfigs`: also `xl list -l` for every domain (start-up reconcile).
   */
  async fresh(withConfigs = false): Promise<Snapshot> {
    this.invalidate();
    return this.refresh(withConfigs);
  }

  private refresh(full: boolean): Promise<Snapshot> {
    const gen = this.generation;
    if (this.inflight && this.inflightGen === gen && (this.inflightFull || !full)) return this.inflight;
    const p = this.load(full).then(
      (snap) => {
        if (this.generation === gen) this.current = snap;
        return snap;
      },
    ).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    this.inflightGen = gen;
    this.inflightFull = full;
    return p;
  }

  private async load(full: boolean): Promise<Snapshot> {
    this.refreshes++;
    const list = await this.exec.run(['list', '-v']);
    const takenAt = Date.now();
    let wanted = full;
    if (!full && this.hooks.needsConfig) {
      const rows = parseList(list.stdout);
      for (const [key, at] of this.noConfig) if (takenAt - at >= NO_CONFIG_RETRY_MS) this.noConfig.delete(key);
      wanted = rows.some((r) => this.hooks.needsConfig!(r) && !this.noConfig.has(keyOf(r)));
    }
    if (!wanted) {
      const snap = buildSnapshot(list.stdout, undefined, takenAt);
      await this.hooks.onSnapshot?.(snap);
      return snap;
    }
    this.configLoads++;
    // xl skips (with a libxl error, exit 0) domains whose config it cannot read: not a failure.
    const long = await this.exec.run(['list', '-l'], { tolerateLibxlErrors: true });
    const snap = buildSnapshot(list.stdout, long.stdout, takenAt);
    for (const v of snap.domains) {
      if (!v.config && this.hooks.needsConfig?.(v.row)) this.noConfig.set(keyOf(v.row), takenAt);
    }
    await this.hooks.onConfigs?.(snap);
    await this.hooks.onSnapshot?.(snap);
    return snap;
  }
}

function keyOf(row: ListRow): string {
  return `${row.domid}/${row.uuid ?? ''}`;
}

/** The row with the paused letter (third column of xl's state letters) set or cleared. */
export function withPaused(row: ListRow, paused: boolean): ListRow {
  const letters = row.state.padEnd(6, '-').split('');
  letters[2] = paused ? 'p' : '-';
  const state = letters.join('');
  return { ...row, state, flags: parseStateFlags(state) };
}
