/**
 * One cached picture of the host: `xl list -v` (states, CPU time, current memory) and `xl list -l`
 * (configuration) run side by side and joined on domid. A refresh costs these two calls whatever
 * the number of domains; readers share one in-flight refresh; our own changes invalidate it.
 * (`xl list -l` alone carries no state letters and no CPU time, xl-reference §1.5.)
 */
import type { XlExecutor } from './runner.js';
import { parseList, type ListRow } from './parse/list.js';
import { parseListLong, type XlDomainConfig } from './parse/list-long.js';

export interface DomainView {
  row: ListRow;
  /** Missing when xl could not retrieve the domain's configuration. */
  config?: XlDomainConfig;
}

export interface Snapshot {
  takenAt: number;
  domains: DomainView[];
  byDomid: Map<number, DomainView>;
  byName: Map<string, DomainView>;
  byUuid: Map<string, DomainView>;
}

export const SNAPSHOT_CALLS = 2;

export function buildSnapshot(listText: string, longText: string, takenAt = Date.now()): Snapshot {
  const rows = parseList(listText);
  const configs = new Map<number, XlDomainConfig>();
  for (const c of parseListLong(longText)) configs.set(c.domid, c);
  const snap: Snapshot = { takenAt, domains: [], byDomid: new Map(), byName: new Map(), byUuid: new Map() };
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

export class SnapshotCache {
  private current: Snapshot | undefined;
  private inflight: Promise<Snapshot> | undefined;
  private generation = 0;
  refreshes = 0;

  constructor(
    private readonly exec: XlExecutor,
    private readonly ttlMs = 1000,
  ) {}

  invalidate(): void {
    this.generation++;
    this.current = undefined;
  }

  /** The cached snapshot if younger than the TTL, else a fresh one. */
  async get(): Promise<Snapshot> {
    const cur = this.current;
    if (cur && Date.now() - cur.takenAt < this.ttlMs) return cur;
    return this.refresh();
  }

  /** Always asks xl (shared with a refresh that started after the last invalidation). */
  async fresh(): Promise<Snapshot> {
    this.invalidate();
    return this.refresh();
  }

  private refresh(): Promise<Snapshot> {
    const gen = this.generation;
    if (this.inflight && this.inflightGen === gen) return this.inflight;
    const p = this.load().then(
      (snap) => {
        if (this.generation === gen) this.current = snap;
        return snap;
      },
    ).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    this.inflightGen = gen;
    return p;
  }

  private inflightGen = -1;

  private async load(): Promise<Snapshot> {
    this.refreshes++;
    const [list, long] = await Promise.all([
      this.exec.run(['list', '-v']),
      // xl skips (with a libxl error, exit 0) domains whose config it cannot read: not a failure.
      this.exec.run(['list', '-l'], { tolerateLibxlErrors: true }),
    ]);
    return buildSnapshot(list.stdout, long.stdout);
  }
}
