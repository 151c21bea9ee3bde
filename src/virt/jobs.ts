/**
 * Long operations (start, save, restore, shutdown-and-wait) run as jobs so callers need not
 * block. Providers map a Job onto their own job object; this module knows only the lifecycle.
 */
import { randomUUID } from 'node:crypto';
import { VirtError, toVirtError } from './errors.js';

export type JobState = 'new' | 'running' | 'completed' | 'failed' | 'terminated';

export interface JobContext {
  /** Aborted when the job is cancelled: pass it down to anything that can stop early. */
  signal: AbortSignal;
  progress(percent: number): void;
  /**
   * The work is done and cannot be undone (e.g. a system has moved to another host): from now on
   * a cancel is refused, and the job completes even if a cancel came too late to stop anything.
   */
  commit(): void;
}

export type JobListener = (job: Job) => void;

/**
 * What a job does, as a category (its name is for people): who may stop it is decided from it
 * (the role of the method that starts jobs of that kind). 'other' for anything else.
 */
export type JobKind = 'state change' | 'snapshot' | 'deletion' | 'resource change' | 'migration' | 'other';

export class Job<T = unknown> {
  readonly id = randomUUID();
  readonly submittedAt = Date.now();
  state: JobState = 'new';
  percentComplete = 0;
  startTime: number | undefined;
  endTime: number | undefined;
  result: T | undefined;
  error: VirtError | undefined;
  /** Settles when the job ends; rejects with the job's error (or busy-free 'failed' when cancelled). */
  readonly done: Promise<T>;
  private readonly controller = new AbortController();
  private settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  private cancelReason = 'cancelled';
  private committed = false;

  constructor(
    readonly name: string,
    /** Free-form description of what the job affects (e.g. the system name). */
    readonly target: string,
    private readonly onChange: JobListener = () => {},
    /** The systems it acts on, one by one (a change over several systems names each). */
    readonly affects: readonly string[] = [target],
    readonly kind: JobKind = 'other',
  ) {
    this.done = new Promise<T>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A job nobody awaits must not crash the process with an unhandled rejection.
    this.done.catch(() => {});
  }

  get elapsedMs(): number {
    if (this.startTime === undefined) return 0;
    return (this.endTime ?? Date.now()) - this.startTime;
  }

  get finished(): boolean {
    return this.state === 'completed' || this.state === 'failed' || this.state === 'terminated';
  }

  /** The cancel that stopped it was a kill (stop at once, nothing saved), not a termination. */
  killed = false;

  /**
   * Request cancellation; `reason` says who stopped it and how (the job's error message once it
   * has ended), `kill` that it is a kill rather than a termination. False when the job had already
   * finished or passed its point of no return (commit).
   */
  cancel(reason = 'cancelled', kill = false): boolean {
    if (this.finished || this.committed) return false;
    this.cancelReason = reason;
    this.killed = kill;
    this.controller.abort(new VirtError('failed', `job ${this.id} ${reason}`));
    if (this.state === 'new') this.finish('terminated', undefined, new VirtError('failed', `${reason} before it started`));
    return true;
  }

  /** @internal run the body; used by JobManager. */
  async run(body: (ctx: JobContext) => Promise<T>): Promise<void> {
    if (this.finished) return;
    this.state = 'running';
    this.startTime = Date.now();
    this.onChange(this as unknown as Job);
    const ctx: JobContext = {
      signal: this.controller.signal,
      progress: (p) => {
        const v = Math.max(0, Math.min(100, Math.round(p)));
        if (v !== this.percentComplete && !this.finished) {
          this.percentComplete = v;
          this.onChange(this as unknown as Job);
        }
      },
      commit: () => {
        this.committed = true;
      },
    };
    try {
      const result = await body(ctx);
      if (this.controller.signal.aborted && !this.committed) this.finish('terminated', undefined, new VirtError('failed', this.cancelReason));
      else this.finish('completed', result, undefined);
    } catch (err) {
      const e = toVirtError(err, this.name);
      // Cancelled: the reason first, what the interrupted operation said after it.
      if (this.controller.signal.aborted) this.finish('terminated', undefined, new VirtError('failed', `${this.cancelReason}: ${e.message}`, e.detail));
      else this.finish('failed', undefined, e);
    }
  }

  private finish(state: JobState, result: T | undefined, error: VirtError | undefined): void {
    if (this.finished) return;
    this.state = state;
    this.endTime = Date.now();
    if (this.startTime === undefined) this.startTime = this.endTime;
    if (state === 'completed') {
      this.percentComplete = 100;
      this.result = result;
      this.settle.resolve(result as T);
    } else {
      this.error = error;
      this.settle.reject(error);
    }
    this.onChange(this as unknown as Job);
  }
}

/** Finished jobs kept at most (each a few KiB with its result): beyond, the first finished go first. */
export const MAX_FINISHED_JOBS = 1000;

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  /** The finished jobs still kept, in the order they finished. */
  private readonly finishedOrder = new Map<string, Job>();
  private readonly listeners = new Set<JobListener>();

  constructor(
    /** Finished jobs are forgotten this long after they end. */
    private readonly keepFinishedMs = 5 * 60_000,
    /**
     * And at most this many are kept: a client driving many changes within the retention would
     * otherwise grow memory, and every enumeration of jobs, without bound. Running jobs always stay.
     */
    private readonly maxFinished = MAX_FINISHED_JOBS,
  ) {}

  /**
   * Start body asynchronously and return its job at once. `affects`: the systems it acts on when
   * `target` describes several (default: the target itself); `kind`: what it does (JobKind).
   */
  start<T>(name: string, target: string, body: (ctx: JobContext) => Promise<T>, affects?: readonly string[], kind: JobKind = 'other'): Job<T> {
    this.prune();
    const job = new Job<T>(name, target, (j) => this.emit(j), affects ?? [target], kind);
    this.jobs.set(job.id, job as Job);
    this.emit(job as Job);
    queueMicrotask(() => void job.run(body));
    return job;
  }

  /** The job, unless it is unknown or finished longer ago than the retention (as list() forgets it). */
  get(id: string): Job | undefined {
    const j = this.jobs.get(id);
    if (j && this.expired(j, Date.now())) {
      this.jobs.delete(id);
      this.finishedOrder.delete(id);
      return undefined;
    }
    return j;
  }

  list(): Job[] {
    this.prune();
    return [...this.jobs.values()];
  }

  remove(id: string): boolean {
    const j = this.jobs.get(id);
    if (!j || !j.finished) return false;
    this.finishedOrder.delete(id);
    return this.jobs.delete(id);
  }

  onChange(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(job: Job): void {
    if (job.finished && this.jobs.get(job.id) === job && !this.finishedOrder.has(job.id)) {
      this.finishedOrder.set(job.id, job);
      for (const [id] of this.finishedOrder) {
        if (this.finishedOrder.size <= this.maxFinished) break;
        this.finishedOrder.delete(id);
        this.jobs.delete(id);
      }
    }
    for (const l of this.listeners) {
      try {
        l(job);
      } catch {
        // a listener's failure must not break the job
      }
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, j] of this.finishedOrder) {
      if (this.expired(j, now)) {
        this.finishedOrder.delete(id);
        this.jobs.delete(id);
      }
    }
  }

  private expired(j: Job, now: number): boolean {
    return j.finished && j.endTime !== undefined && now - j.endTime > this.keepFinishedMs;
  }
}
