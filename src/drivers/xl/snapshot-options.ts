/**
 * What the cached picture of the host (snapshot.ts) is told and tells: the hooks its owner (the
 * xl driver) runs on every listing, the options of its background refresh, and how current the
 * picture served is.
 */
import type { ListRow } from './parse/list.js';
import type { Snapshot } from './picture.js';

export interface SnapshotHooks {
  /** Does this domain need its configuration from xl (a domain we hold no definition for)? */
  needsConfig?(row: ListRow): boolean;
  /** Runs on every snapshot that carries configurations, before any reader sees it. */
  onConfigs?(snap: Snapshot): Promise<void>;
  /**
   * Runs on every snapshot (after onConfigs), before any reader sees it. `current()` turns false
   * once a change of ours made the snapshot out of date (it will not be served): nothing must be
   * recorded from it then. `turn()` gives the event loop its turn between slices of the work
   * (what others do meanwhile is not counted as the listing's cost).
   */
  onSnapshot?(snap: Snapshot, current: () => boolean, turn: () => Promise<void>): Promise<void>;
  /** A snapshot is now the one served (runs soon after, outside the refresh: e.g. to prepare reads). */
  onServed?(snap: Snapshot): void;
}

export interface RefreshOptions {
  /**
   * The background refreshes the picture this long after the last refresh ended; with
   * `detectWithinMs`, the longest the listings are ever apart.
   */
  intervalMs: number;
  /**
   * When set, the pace follows what a listing costs (refresh-pace.ts): a change made with xl behind
   * our back (a pause raises no domain event) is seen within this long, as long as the periodic
   * listings take at most `maxCpuShare` of one CPU; past that the CPU bound wins.
   */
  detectWithinMs?: number;
  /** With `detectWithinMs`: the largest share of one CPU the periodic listings may take (default 0.2). */
  maxCpuShare?: number;
  /** The picture counts as stale once older than this (or once a refresh failed). */
  staleAfterMs: number;
  /** A read right after our own change waits at most this long for the refresh it started. */
  readWaitMs: number;
  /** One line when the picture goes stale and one when it recovers. */
  log?: (level: 'info' | 'warn', message: string) => void;
  /**
   * The CPU of the children this process has waited for (ms; undefined: cannot be told, a
   * listing's duration stands in). Default: /proc (refresh-pace.ts); an executor that runs xl in
   * this process has no child, and tests give `() => undefined`.
   */
  childrenCpuMs?: () => number | undefined;
}

/** How current the picture is (reported through the driver contract, for health and providers). */
export interface Freshness {
  /** Age of the picture served now (ms since `xl list -v` answered); -1 before the first one. */
  ageMs: number;
  stale: boolean;
  /** Why the last refresh failed, when it did. */
  lastError?: string;
}
