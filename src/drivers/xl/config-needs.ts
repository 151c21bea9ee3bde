/**
 * Which unknown domains (not in the definition store) still need `xl list -l`: a domain xl could
 * not describe is asked for again only after a while, and one described but not adopted yet (the
 * store refused: a full disk) keeps its description, so the refreshes go on joining it and
 * retrying the adoption without a listing of every domain's configuration each time.
 */
import type { ListRow } from './parse/list.js';
import type { XlDomainConfig } from './parse/list-long.js';
import type { Snapshot } from './picture.js';

/** A domain whose configuration xl could not give us is asked for again only after this long. */
const NO_CONFIG_RETRY_MS = 30_000;

export class ConfigNeeds {
  /** `<domid>/<uuid>` of unknown domains `xl list -l` did not describe → when we last asked. */
  private readonly noConfig = new Map<string, number>();
  /** `<domid>/<uuid>/<name>` of unknown domains described but not adopted yet → their configuration. */
  private readonly unadopted = new Map<string, XlDomainConfig>();

  constructor(private readonly needsConfig: (row: ListRow) => boolean) {}

  /**
   * For the rows of an `xl list -v` taken at `takenAt`: whether `xl list -l` is wanted (an unknown
   * domain neither described before nor asked for lately), and the descriptions already kept.
   */
  plan(rows: readonly ListRow[], takenAt: number): { wanted: boolean; known: Map<number, XlDomainConfig> } {
    for (const [key, at] of this.noConfig) if (takenAt - at >= NO_CONFIG_RETRY_MS) this.noConfig.delete(key);
    const need = rows.filter((r) => this.needsConfig(r));
    const keep = new Set(need.map(describedKey));
    for (const key of this.unadopted.keys()) if (!keep.has(key)) this.unadopted.delete(key);
    const wanted = need.some((r) => !this.unadopted.has(describedKey(r)) && !this.noConfig.has(keyOf(r)));
    const known = new Map<number, XlDomainConfig>();
    for (const r of need) {
      const cfg = this.unadopted.get(describedKey(r));
      if (cfg) known.set(r.domid, cfg);
    }
    return { wanted, known };
  }

  /** After an `xl list -l`: the unknown domains it did not describe are not asked for again soon. */
  listed(snap: Snapshot, takenAt: number): void {
    for (const v of snap.domains) if (!v.config && this.needsConfig(v.row)) this.noConfig.set(keyOf(v.row), takenAt);
  }

  /** After the adoption hook: the unknown domains still described but not adopted are remembered. */
  remember(snap: Snapshot): void {
    for (const v of snap.domains) if (v.config && this.needsConfig(v.row)) this.unadopted.set(describedKey(v.row), v.config);
  }
}

function keyOf(row: ListRow): string {
  return `${row.domid}/${row.uuid ?? ''}`;
}

/** A domain and the name it had when xl described it (a rename since drops that description). */
function describedKey(row: ListRow): string {
  return `${keyOf(row)}/${row.name}`;
}
