/**
 * One cached picture of the host. A steady-state refresh is ONE call, `xl list -v` (state letters,
 * CPU time, current memory, online vCPUs and uuid of every domain): the configuration of the
 * systems we know comes from the definition store, not from xl. `xl list -l` (configuration)
 * runs only when asked for (start-up reconcile) or when `xl list -v` shows a
 * domain the owner has no definition for (adoption: first sight, then stored by the owner); a
 * domain described but not adopted yet (the store refused) keeps its description, not a new
 * `xl list -l` of every domain at every refresh.
 * Readers share one in-flight refresh; our own changes invalidate it.
 */
import type { XlExecutor } from './runner.js';
import { parseList, type ListRow } from './parse/list.js';
import type { XlDomainConfig } from './parse/list-long.js';
import { ConfigNeeds } from './config-needs.js';
import { buildSnapshot, joinConfigs, withDomainAdded, withDomainReplaced, type Snapshot } from './picture.js';
import { childrenCpuMs, listingCpuMs, RefreshPace } from './refresh-pace.js';
import { OwnCpu, cpuSince } from './own-cpu.js';
import type { Freshness, RefreshOptions, SnapshotHooks } from './snapshot-options.js';

/** After failed refreshes the background waits longer, up to this (a missing or broken xl). */
const MAX_BACKOFF_MS = 30_000;

/**
 * The picture of the host, kept current OUTSIDE requests: a background refresh every
 * `intervalMs`, and one started at once by every change of ours (invalidate). A read never runs
 * xl: it gets the last good picture, except right after a change of ours that it must reflect,
 * when it waits (at most `readWaitMs`) for the refresh that change started. A late or failing
 * refresh leaves the last good picture in place, marked stale. At most one `xl list -v` runs at a
 * time: a refresh asked for while an older one runs starts when that one ends.
 */
export class SnapshotCache {
  private current: Snapshot | undefined;
  private inflight: Promise<Snapshot> | undefined;
  /** The pace of the background refresh when it follows the listings' cost; else `intervalMs`. */
  private readonly pace: RefreshPace | undefined;
  /** How long the last `xl list -v` took. */
  private listWallMs = 0;
  private inflightGen = -1;
  private inflightFull = false;
  private generation = 0;
  /** A change of ours happened since the picture was taken: reads wait for the next one. */
  private dirty = false;
  /** Our CPU in onServed since the last listing (µs): counted in the pace with the next one. */
  private servedUs = 0;
  /**
   * The generation whose refresh failed: reads no longer wait for (nor start) a listing until a
   * change of ours moves the generation on; the back-off paces the retries.
   */
  private failedGen = -1;
  private lastError: string | undefined;
  private failures = 0;
  private staleReported = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Stopped (the driver closed): nothing runs xl any more; reads get the last picture. */
  private closed = false;
  private poked = false;
  /** Which unknown domains still need `xl list -l` (config-needs.ts); none without needsConfig. */
  private readonly needs: ConfigNeeds | undefined;
  refreshes = 0;
  /** Refreshes that also ran `xl list -l`. */
  configLoads = 0;

  constructor(
    private readonly exec: XlExecutor,
    private readonly opts: RefreshOptions,
    private readonly hooks: SnapshotHooks = {},
  ) {
    this.needs = hooks.needsConfig ? new ConfigNeeds(hooks.needsConfig) : undefined;
    if (opts.detectWithinMs !== undefined) {
      this.pace = new RefreshPace({ detectWithinMs: opts.detectWithinMs, maxCpuShare: opts.maxCpuShare ?? 0.2, maxIntervalMs: opts.intervalMs });
    }
  }

  /** Start the background refresh (after the start-up read). */
  start(): void {
    this.running = true;
    this.closed = false;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Someone waits for changes made behind our back (prompt pace) or nobody does (relaxed); see RefreshPace. */
  watchChanges(prompt: boolean): void {
    if (this.pace?.setPrompt(prompt) && !this.inflight) this.schedule();
  }

  freshness(): Freshness {
    const ageMs = this.current ? Date.now() - this.current.takenAt : -1;
    const f: Freshness = { ageMs, stale: this.isStale(ageMs) };
    if (this.lastError !== undefined) f.lastError = this.lastError;
    return f;
  }

  /**
   * Something may have changed on the host (a domain event): refresh now, or right after the
   * refresh under way (which may have listed the domains before the event).
   */
  poke(): void {
    if (!this.running) return;
    if (this.inflight) {
      this.poked = true;
      return;
    }
    this.refresh(false).catch(() => {});
  }

  /** Our own change: the picture no longer reflects it. A refresh starts now; reads wait for it. */
  invalidate(): void {
    this.generation++;
    this.dirty = true;
    // A change ending after the stop (a job not drained) must not list and record into a closed store.
    if (this.current && !this.closed) this.refresh(false).catch(() => {});
  }

  /**
   * A change of ours whose effect on one domain xl has just confirmed and that we know exactly
   * (pause, unpause): the cached snapshot gets that domain's row updated, so that the next read
   * needs no xl call. It keeps its age (the rest is as old as it was), and a refresh that started
   * before the change is not kept. When the domain is not in it, this is invalidate().
   */
  patch(domid: number, change: (row: ListRow) => ListRow): void {
    const cur = this.current;
    const old = cur?.byDomid.get(domid);
    if (!cur || !old) {
      this.invalidate();
      return;
    }
    this.generation++;
    this.current = withDomainReplaced(cur, old, { ...old, row: change(old.row) });
  }

  /**
   * A domain our change has just created (a start, a restore) and whose row a listing of that one domain
   * gave: added to the cached picture, so that the next read needs no listing of every domain.
   * When the picture already has a domain of that domid, name or uuid (a domain dying), this is
   * invalidate().
   */
  insert(row: ListRow): void {
    const cur = this.current;
    if (!cur || cur.byDomid.has(row.domid) || cur.byName.has(row.name) || (row.uuid !== undefined && cur.byUuid.has(row.uuid))) {
      this.invalidate();
      return;
    }
    this.generation++;
    this.current = withDomainAdded(cur, { row });
  }

  /**
   * The picture for a read: the last good one, at no xl cost. Only before the first picture
   * (start-up) does it wait for xl; right after a change of ours it waits for the refresh that
   * change started, at most `readWaitMs`, then serves the last good picture (stale). Once that
   * refresh has failed, reads get the last good picture at once (marked stale): a broken or hung
   * xl would otherwise make every read wait, and run a listing of its own past the back-off.
   */
  async get(): Promise<Snapshot> {
    const cur = this.current;
    if (!cur) return this.refresh(false);
    if (!this.dirty || this.closed || this.failedGen === this.generation) return cur;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), this.opts.readWaitMs); });
    try {
      const snap = await Promise.race([this.refresh(false).catch(() => undefined), late]);
      return snap ?? this.current ?? cur;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A picture listed after this call, for a reader that needs the time it was read at (a metrics
   * sample): shared with a refresh that starts now, never with one under way. Unlike fresh() and
   * invalidate(), other reads are not made to wait for it: nothing of ours changed the host, so
   * the last picture still reflects every change of ours. The generation stays: moving it on
   * would drop the refresh under way, which may be the one that shows a change of ours to reads.
   * After the stop it runs nothing (as invalidate()): the last picture.
   */
  sample(): Promise<Snapshot> {
    if (this.closed && this.current) return Promise.resolve(this.current);
    const under = this.inflight;
    if (!under) return this.refresh(false);
    const after = (): Promise<Snapshot> => this.refresh(false);
    return under.then(after, after);
  }

  /**
   * Always asks xl (shared with a refresh that started after the last change).
   * `withConfigs`: also `xl list -l` for every domain (start-up reconcile).
   */
  async fresh(withConfigs = false): Promise<Snapshot> {
    this.generation++;
    this.dirty = true;
    return this.refresh(withConfigs);
  }

  private isStale(ageMs: number): boolean {
    return !this.current || ageMs > this.opts.staleAfterMs || this.failures > 0;
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    const base = this.pace ? this.pace.delayAfter(this.listWallMs) : this.opts.intervalMs;
    const delay = Math.min(base * 2 ** Math.min(this.failures, 10), Math.max(MAX_BACKOFF_MS, this.opts.intervalMs));
    // Refreshes only while the driver is referenced: a driver dropped without close() stops.
    const ref = new WeakRef(this);
    this.timer = setTimeout(() => ref.deref()?.tick(), delay);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    this.reportStaleness();
    if (this.inflight) return; // it reschedules when it ends
    this.refresh(false).catch(() => {});
  }

  private reportStaleness(): void {
    const f = this.freshness();
    if (f.stale && !this.staleReported && this.current) {
      this.staleReported = true;
      this.opts.log?.('warn', `the picture of the host is stale (${f.ageMs} ms old${f.lastError ? `: ${f.lastError}` : ', xl list -v is late'}); reads are served from the last good one`);
    } else if (!f.stale && this.staleReported) {
      this.staleReported = false;
      this.opts.log?.('info', `the picture of the host is current again (${f.ageMs} ms old)`);
    }
  }

  /** One listing's cost into the pace, and the line it may call for. */
  private paced(wallMs: number, cpuMs: number): void {
    if (!this.pace) return;
    this.pace.record(wallMs, cpuMs);
    const line = this.pace.report();
    if (line) this.opts.log?.('info', line);
  }

  private refresh(full: boolean): Promise<Snapshot> {
    const gen = this.generation;
    if (this.inflight) {
      if (this.inflightGen === gen && (this.inflightFull || !full)) return this.inflight;
      // One xl list at a time: an older (or narrower) refresh runs; ours starts when it ends.
      const again = (): Promise<Snapshot> => this.refresh(full);
      return this.inflight.then(again, again);
    }
    const p = this.load(full, gen).then(
      (snap) => {
        if (this.generation === gen) {
          this.current = snap;
          this.dirty = false;
          const served = this.hooks.onServed;
          if (served) {
            setImmediate(() => {
              if (this.current !== snap) return;
              // Part of what the listing costs us: counted in the pace with the next one.
              const c0 = process.cpuUsage();
              served(snap);
              this.servedUs += cpuSince(c0);
            });
          }
        }
        this.failures = 0;
        this.lastError = undefined;
        return snap;
      },
      (err: unknown) => {
        this.failures++;
        this.failedGen = gen;
        this.lastError = err instanceof Error ? err.message : String(err);
        throw err;
      },
    ).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
      this.reportStaleness();
      if (this.poked && !this.inflight && this.running) {
        this.poked = false;
        this.refresh(false).catch(() => {});
      } else this.schedule();
    });
    this.inflight = p;
    this.inflightGen = gen;
    this.inflightFull = full;
    return p;
  }

  private async load(full: boolean, gen: number): Promise<Snapshot> {
    const current = (): boolean => this.generation === gen;
    this.refreshes++;
    const t0 = performance.now();
    const kids0 = (this.opts.childrenCpuMs ?? childrenCpuMs)();
    // Our CPU for the call is its synchronous start (the process spawn), what follows the answer,
    // and what serving the last picture cost (onServed).
    const own = new OwnCpu(this.servedUs);
    this.servedUs = 0;
    const pending = this.exec.run(['list', '-v']);
    // When every configuration is wanted (start-up), both listings run side by side: the start
    // waits for the longer of the two, not their sum. buildSnapshot drops the configuration of a
    // domain replaced between them, as it does when they run one after the other.
    // xl skips (with a libxl error, exit 0) domains whose config it cannot read: not a failure.
    const early = full ? this.exec.run(['list', '-l'], { tolerateLibxlErrors: true }) : undefined;
    early?.catch(() => {}); // awaited below
    own.pause();
    const list = await pending;
    own.resume();
    this.listWallMs = performance.now() - t0;
    const kids1 = (this.opts.childrenCpuMs ?? childrenCpuMs)();
    const takenAt = Date.now();
    const turn = own.turn;
    let paced = false;
    const measured = (): void => {
      own.pause();
      if (paced) return;
      paced = true;
      const kids = kids0 !== undefined && kids1 !== undefined ? kids1 - kids0 : undefined;
      this.paced(this.listWallMs, listingCpuMs(this.listWallMs, kids, own.ms));
    };
    let wanted = full;
    let rows: ListRow[] | undefined;
    if (!full && this.needs) {
      rows = parseList(list.stdout);
      // Requests waiting meanwhile get in between the parse and the plan (each about 10 ms at 10,000 domains).
      await turn();
      const plan = this.needs.plan(rows, takenAt);
      wanted = plan.wanted;
      if (!wanted && plan.known.size > 0) {
        const snap = joinConfigs(rows, plan.known, false, takenAt);
        measured();
        await this.hooks.onConfigs?.(snap);
        this.needs.remember(snap);
        await this.hooks.onSnapshot?.(snap, current, turn);
        return snap;
      }
    }
    if (!wanted) {
      // The rows read once (at 10,000 domains a second parse was 13 ms of the loop per listing).
      const snap = joinConfigs(rows ?? parseList(list.stdout), NO_CONFIGS, false, takenAt);
      // Requests waiting meanwhile are answered before the observer compares the picture.
      await turn();
      await this.hooks.onSnapshot?.(snap, current, turn);
      measured();
      return snap;
    }
    measured();
    this.configLoads++;
    const long = await (early ?? this.exec.run(['list', '-l'], { tolerateLibxlErrors: true }));
    const snap = buildSnapshot(list.stdout, long.stdout, takenAt);
    this.needs?.listed(snap, takenAt);
    await this.hooks.onConfigs?.(snap);
    this.needs?.remember(snap);
    await this.hooks.onSnapshot?.(snap, current, turn);
    return snap;
  }

}

const NO_CONFIGS: ReadonlyMap<number, XlDomainConfig> = new Map<number, XlDomainConfig>();
