/**
 * Snapshots as the model keeps them: a tree per system (each snapshot's parent is the most current
 * snapshot when it was taken; applying one makes it the most current, so the next snapshot starts
 * a branch), limits per system, and three operations run as jobs under the system's lock:
 *
 *   create:  record the intent → stage a folder → the driver captures (memory image with the
 *            system kept running, disks) → rename the folder → record the snapshot (commit).
 *   apply:   record the intent → stop the system if active → disks back → definition back →
 *            resume it from the memory image (running or paused, as it was) or leave it stopped
 *            → record it as the most current (commit). Its progress is weighed by the bytes
 *            each step moves (applyWeights) and follows the image as the driver reads it back.
 *   destroy: record the intent → drop the disks' own snapshots → record the tree without it,
 *            its children re-parented to its parent (commit) → remove its folder.
 *
 * Every record is one atomic file write (store.ts), so a crash (kill -9) at any point leaves the
 * old or the new tree. What a crash leaves half-done is settled at start-up (recover.ts): a create
 * is undone; an apply and a destroy are finished (each of their steps may run twice).
 */
import { VirtError } from '../errors.js';
import type { Job, JobContext } from '../jobs.js';
import type { Model } from '../model.js';
import type { VirtualSystem } from '../types.js';
import { applySteps, type ApplyReached } from './apply-steps.js';
import type { SnapshotDriver } from './snapshot-driver.js';
import { sizeText } from './progress.js';
import { SnapshotStore, newSnapshotId } from './store.js';
import {
  DEFAULT_SNAPSHOT_LIMITS, SNAPSHOT_KINDS, type CrashPoint, type Snapshot, type SnapshotCapabilities, type SnapshotJob,
  type SnapshotKind, type SnapshotLimits, type SnapshotServiceOptions, type SnapshotState, type SnapshotTree, type SnapshotView,
} from './types.js';

/** One snapshot operation, planned under the system's lock (jobUnderLock). */
interface JobPlan {
  title: string;
  /** The job's target: the system's name. */
  target: string;
  run(ctx: JobContext): Promise<unknown>;
  /** What the caller gets back once the job has started. */
  answer(job: Job<unknown>): SnapshotJob;
}

const STATE_OF: Partial<Record<VirtualSystem['state'], SnapshotState>> = { running: 'running', paused: 'paused', defined: 'stopped' };
const TAG_PREFIX = 'xenwbem-';

export function tagOf(id: string): string {
  return `${TAG_PREFIX}${id}`;
}

export class SnapshotService {
  readonly store: SnapshotStore;
  readonly limits: SnapshotLimits;
  /** The snapshot each create job makes (job id → snapshot id), while the job manager keeps the job. */
  private readonly made = new Map<string, string>();
  private readonly at: (p: CrashPoint) => Promise<void>;

  constructor(private readonly m: Model, readonly driver: SnapshotDriver, private readonly opts: SnapshotServiceOptions = {}) {
    this.store = new SnapshotStore(driver.dir);
    this.limits = { ...DEFAULT_SNAPSHOT_LIMITS, ...opts.limits };
    this.at = opts.at ?? (async () => {});
  }

  capabilities(): SnapshotCapabilities {
    return {
      kinds: [...SNAPSHOT_KINDS],
      diskFormats: [...this.driver.diskFormats],
      statesFor: { full: ['running', 'paused', 'stopped'], disk: ['running', 'paused', 'stopped'] },
      limits: { ...this.limits },
    };
  }

  // ---------------------------------------------------------------- reads

  /** The snapshots create jobs made, for the jobs still kept: job id → snapshot id. */
  madeBy(): [string, string][] {
    for (const jobId of this.made.keys()) if (!this.m.jobs.get(jobId)) this.made.delete(jobId);
    return [...this.made.entries()];
  }

  /** Every snapshot of every system still defined, with the system's current name. */
  async list(): Promise<SnapshotView[]> {
    const names = new Map((await this.m.driver.list()).map((s) => [s.uuid.toLowerCase(), s.name]));
    return this.store.trees_().flatMap((t) => {
      const name = names.get(t.systemUuid);
      return name === undefined ? [] : t.snapshots.map((s) => view(s, name, t));
    });
  }

  /** The snapshots of one system, oldest first. */
  async listFor(system: string): Promise<SnapshotView[]> {
    const sys = await this.m.driver.get(system);
    const t = this.store.tree(sys.uuid);
    return t.snapshots.map((s) => view(s, sys.name, t));
  }

  async get(id: string): Promise<SnapshotView | undefined> {
    return (await this.list()).find((s) => s.id === id);
  }

  private async find(id: string): Promise<{ sys: VirtualSystem; snap: Snapshot }> {
    const v = await this.get(id);
    if (!v) throw new VirtError('not_found', `no snapshot '${id}'`);
    const sys = await this.m.driver.get(v.system);
    return { sys, snap: this.store.tree(sys.uuid).snapshots.find((s) => s.id === id)! };
  }

  // ---------------------------------------------------------------- create

  /**
   * Take a snapshot of `system` as a job. Refused before anything is made: an unknown system,
   * a state it cannot be taken in, a disk that cannot be kept, a limit reached.
   */
  async create(system: string, kind: SnapshotKind, label?: string): Promise<SnapshotJob> {
    if (!SNAPSHOT_KINDS.includes(kind)) throw new VirtError('invalid_argument', `unknown snapshot kind '${String(kind)}' (full or disk)`);
    return this.jobUnderLock(system, 'a snapshot', async () => {
      const sys = await this.m.driver.get(system);
      const state = STATE_OF[sys.state];
      if (!state) throw new VirtError('invalid_state', `cannot take a snapshot of '${system}' while it is ${sys.state.replace('_', ' ')} (it must be running, paused or stopped)`);
      await this.driver.check(sys);
      const tree = this.store.tree(sys.uuid);
      if (tree.pending) throw new VirtError('busy', `'${system}' has a snapshot operation under way`);
      const memory = kind === 'full' && state !== 'stopped';
      const needs = await this.driver.estimate(sys, memory);
      await this.checkLimits(sys, tree, needs);
      // A snapshot that fills the filesystem fails half-way, and meanwhile every other write of
      // the server to that filesystem (definitions, journals) fails too.
      const free = await this.driver.freeBytes().catch(() => Number.POSITIVE_INFINITY);
      if (needs > free) {
        throw new VirtError('invalid_state', `a snapshot of '${sys.name}' needs about ${sizeText(needs)}, and the snapshot directory has ${sizeText(free)} free: free some space first`);
      }
      const id = newSnapshotId();
      const snap: Snapshot = {
        id, systemUuid: sys.uuid.toLowerCase(), systemName: sys.name, label: label ?? `${sys.name} ${new Date().toISOString()}`,
        ...(tree.current ? { parent: tree.current } : {}),
        createdAt: new Date().toISOString(), kind, state, config: structuredClone(sys.config), disks: [], bytes: 0,
      };
      return {
        title: `snapshot of ${sys.name}`,
        target: sys.name,
        run: (ctx) => this.runCreate(sys, snap, memory, ctx.signal, ctx.progress),
        answer: (job) => {
          this.made.set(job.id, id);
          return { job, snapshot: view(snap, sys.name, { ...tree, current: id }) };
        },
      };
    });
  }

  /**
   * The frame of every snapshot operation: the system's lock taken now (job mode: other changes
   * are refused while it runs), `prepare` checks and plans under it, the work runs as a job, and
   * the lock is released when the job ends, or at once when `prepare` refuses.
   */
  private async jobUnderLock(system: string, what: string, prepare: () => Promise<JobPlan>): Promise<SnapshotJob> {
    const release = await this.m.locks.acquire(system, { mode: 'job', what });
    try {
      const plan = await prepare();
      const job = this.m.jobs.start(plan.title, plan.target, async (ctx) => {
        try {
          return await plan.run(ctx);
        } finally {
          release();
          this.opts.changed?.();
        }
      }, undefined, 'snapshot');
      // A job cancelled before its body ran still releases the lock.
      job.done.catch(() => {}).finally(release);
      return plan.answer(job as unknown as Job<unknown>);
    } catch (err) {
      release();
      throw err;
    }
  }

  private async checkLimits(sys: VirtualSystem, tree: SnapshotTree, adds: number): Promise<void> {
    const { maxPerSystem, maxBytesPerSystem } = this.limits;
    if (tree.snapshots.length >= maxPerSystem) {
      throw new VirtError('invalid_state', `'${sys.name}' has ${tree.snapshots.length} snapshots, the limit per system is ${maxPerSystem}: destroy one first`);
    }
    const used = tree.snapshots.reduce((n, s) => n + s.bytes, 0);
    if (used + adds > maxBytesPerSystem) {
      throw new VirtError('invalid_state',
        `a snapshot of '${sys.name}' needs about ${mib(adds)} MiB; its snapshots hold ${mib(used)} MiB of the ${mib(maxBytesPerSystem)} MiB allowed per system: destroy one first`);
    }
  }

  private async runCreate(sys: VirtualSystem, snap: Snapshot, memory: boolean, signal: AbortSignal, progress: (p: number) => void): Promise<Snapshot> {
    const uuid = snap.systemUuid;
    const disks = sys.config.disks.filter((d) => !d.readOnly && !d.cdrom)
      .map((d) => ({ target: d.target, format: d.format ?? 'raw', tag: tagOf(snap.id) }));
    let tree = this.store.tree(uuid);
    tree.pending = { op: 'create', id: snap.id, disks, ...(sys.state === 'running' ? { running: true } : {}) };
    await this.store.save(tree);
    progress(5);
    await this.at('create:intent');
    try {
      const staging = await this.store.stage(uuid, snap.id);
      const got = await this.driver.capture(sys, staging, { memory, tag: tagOf(snap.id), signal, progress: (f) => progress(5 + f * 85) });
      await this.at('create:captured');
      snap.disks = got.disks;
      if (got.stateFile) snap.stateFile = got.stateFile;
      snap.bytes = await this.store.sizeOf(staging);
      tree = this.store.tree(uuid);
      const used = tree.snapshots.reduce((n, s) => n + s.bytes, 0);
      if (used + snap.bytes > this.limits.maxBytesPerSystem) {
        throw new VirtError('invalid_state', `the snapshot of '${sys.name}' holds ${mib(snap.bytes)} MiB: with the ${mib(used)} MiB its snapshots hold, more than the ${mib(this.limits.maxBytesPerSystem)} MiB allowed per system`);
      }
      await this.store.commitStage(uuid, snap.id);
      await this.at('create:committed-folder');
      progress(95);
      tree.snapshots.push(snap);
      tree.current = snap.id;
      delete tree.pending;
      await this.store.save(tree);
      return snap;
    } catch (err) {
      await this.undoCreate(uuid, snap.id, disks).catch((e: unknown) => this.m.log(`could not clean up the failed snapshot ${snap.id} of '${sys.name}': ${String(e)}`));
      throw err;
    }
  }

  /** A create that did not commit leaves nothing: the disks' own snapshots, the folders, the intent. */
  async undoCreate(uuid: string, id: string, disks: { target: string; format: Snapshot['disks'][number]['format']; tag: string }[]): Promise<void> {
    await this.driver.discardDisks(disks.map((d) => ({ ...d, method: 'internal' })));
    await this.store.removeFolder(this.store.partialDir(uuid, id));
    const tree = this.store.tree(uuid);
    if (!tree.snapshots.some((s) => s.id === id)) await this.store.removeFolder(this.store.snapshotDir(uuid, id));
    if (tree.pending?.id === id) {
      delete tree.pending;
      await this.store.save(tree).catch((e: unknown) => {
        this.store.keep(tree);
        throw e;
      });
    }
  }

  // ---------------------------------------------------------------- apply

  /** Put the system back as the snapshot has it (state, definition, disks), as a job. */
  async apply(id: string): Promise<SnapshotJob> {
    const found = await this.find(id);
    const name = found.sys.name;
    return this.jobUnderLock(name, 'applying a snapshot', async () => {
      const { sys, snap } = await this.find(id);
      const tree = this.store.tree(sys.uuid);
      if (tree.pending) throw new VirtError('busy', `'${name}' has a snapshot operation under way`);
      if (!STATE_OF[sys.state] && sys.state !== 'suspended' && sys.state !== 'crashed') {
        throw new VirtError('busy', `'${name}' is ${sys.state.replace('_', ' ')}: apply the snapshot once that is over`);
      }
      const run = async (ctx: JobContext): Promise<SnapshotView> => {
        tree.pending = { op: 'apply', id };
        await this.store.save(tree);
        await this.at('apply:intent');
        const reached = { stopped: false, disks: false };
        try {
          await this.redoApply(name, snap, ctx.signal, ctx.progress, reached);
        } catch (err) {
          // Not a crash: settle now. Once its disks went back, the snapshot is the most current.
          await this.settle(sys.uuid, reached.disks ? id : undefined);
          if (reached.disks) throw failedAfter(err, `the disks and definition of snapshot ${id} were put back, but '${name}' is stopped`);
          if (reached.stopped) throw failedAfter(err, `'${name}' was stopped to apply snapshot ${id} and its disks may be partly put back`);
          throw err;
        }
        const after = this.store.tree(sys.uuid);
        after.current = id;
        delete after.pending;
        await this.store.save(after);
        return view(snap, name, after);
      };
      return { title: `apply snapshot ${id} to ${name}`, target: name, run, answer: (job) => ({ job, snapshot: view(snap, name, tree) }) };
    });
  }

  /** The steps of an apply (apply-steps.ts); each may run again after a crash and ends in the same place. */
  redoApply(
    name: string, snap: Snapshot, signal?: AbortSignal, progress: (p: number) => void = () => {},
    reached: ApplyReached = { stopped: false, disks: false },
  ): Promise<void> {
    return applySteps({ m: this.m, driver: this.driver, store: this.store, at: this.at }, name, snap, signal, progress, reached);
  }

  /** An operation that failed (not a crash) is over: no intent left; `current` moves when given. */
  private async settle(uuid: string, current: string | undefined): Promise<void> {
    const t = this.store.tree(uuid);
    delete t.pending;
    if (current) t.current = current;
    await this.store.save(t).catch((e: unknown) => {
      this.m.log(`could not record the end of a snapshot operation (written again until it takes): ${String(e)}`);
      this.store.keep(t);
    });
  }

  /** The system was deleted: its snapshots go (the disks' own snapshots, the folder). */
  async forgetSystem(uuid: string): Promise<void> {
    const disks = this.store.tree(uuid).snapshots.flatMap((s) => s.disks);
    try {
      await this.driver.discardDisks(disks);
    } catch (e) {
      // The system is gone all the same: its folder (images, copies) goes too, and what the disks
      // still hold is named for an operator (the disks themselves stay where they were).
      const tags = [...new Set(disks.flatMap((d) => (d.tag ? [`${d.tag} in ${d.target}`] : [])))];
      this.m.log(`the snapshots of a deleted system: could not remove the disks' own snapshots (${tags.join(', ')}): ${e instanceof Error ? e.message : String(e)}; remove them with qemu-img snapshot -d`);
    }
    await this.store.forget(uuid);
  }

  // ---------------------------------------------------------------- destroy

  /** Remove a snapshot: its files go, its children hang from its parent, as a job. */
  async destroy(id: string): Promise<SnapshotJob> {
    const found = await this.find(id);
    const name = found.sys.name;
    return this.jobUnderLock(name, 'destroying a snapshot', async () => {
      const { sys, snap } = await this.find(id);
      const tree = this.store.tree(sys.uuid);
      if (tree.pending) throw new VirtError('busy', `'${name}' has a snapshot operation under way`);
      const run = async (ctx: JobContext): Promise<SnapshotView> => {
        tree.pending = { op: 'destroy', id };
        await this.store.save(tree);
        await this.at('destroy:intent');
        ctx.progress(10);
        try {
          await this.redoDestroy(sys.uuid, id);
        } catch (err) {
          // Some of its disks may have lost their snapshot already: never applied from now on.
          const t = this.store.tree(sys.uuid);
          const s = t.snapshots.find((x) => x.id === id);
          if (s) s.broken = true;
          delete t.pending;
          await this.store.save(t).catch(() => this.store.keep(t));
          throw err;
        }
        return view(snap, name, tree);
      };
      return { title: `destroy snapshot ${id} of ${name}`, target: name, run, answer: (job) => ({ job, snapshot: view(snap, name, tree) }) };
    });
  }

  /** The steps of a destroy; each may run again after a crash. */
  async redoDestroy(uuid: string, id: string): Promise<void> {
    const tree = this.store.tree(uuid);
    const snap = tree.snapshots.find((s) => s.id === id);
    if (snap) {
      await this.driver.discardDisks(snap.disks);
      await this.at('destroy:disks');
      for (const s of tree.snapshots) if (s.parent === id) {
        if (snap.parent) s.parent = snap.parent;
        else delete s.parent;
      }
      tree.snapshots = tree.snapshots.filter((s) => s.id !== id);
      if (tree.current === id) {
        if (snap.parent) tree.current = snap.parent;
        else delete tree.current;
      }
    }
    delete tree.pending;
    await this.store.save(tree);
    await this.at('destroy:recorded');
    await this.store.removeFolder(this.store.snapshotDir(uuid, id));
  }
}

function view(s: Snapshot, system: string, tree: Pick<SnapshotTree, 'current'>): SnapshotView {
  return { ...structuredClone(s), system, current: tree.current === s.id };
}

/**
 * A failure after the system was stopped: kind 'failed' whatever the cause's kind (the request
 * itself was right; a not_found here would read as "nothing happened").
 */
function failedAfter(err: unknown, what: string): VirtError {
  const e = err instanceof VirtError ? err : new VirtError('failed', err instanceof Error ? err.message : String(err));
  return new VirtError('failed', `${what}: ${e.message}`, e.detail);
}

function mib(bytes: number): number {
  return Math.ceil(bytes / 1024 / 1024);
}
