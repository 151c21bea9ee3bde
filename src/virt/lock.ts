/**
 * The locks of the model: one per virtual system, one for the host (admission). libvirt's domain
 * jobs (begin-job / end-job) are the model. THE rules (docs/state-model.md, "Locks"):
 *
 * 1. Every change of a system runs under that system's lock, taken in virt/ (VirtManager and its
 *    compound operations). Drivers take no lock: they assume their caller holds it (and refuse,
 *    busy, a second change of a system they are already changing: a caller that bypassed virt).
 * 2. A compound change holds the lock across all its steps. Several systems' locks (a change over
 *    several systems, a rename: old and new name) are taken in code-point order of the names,
 *    so two compound changes can never deadlock.
 * 3. A job (a state change run in the background) holds its system's lock for its whole run.
 *    While a job holds a system's lock or waits for it, every other change of that system is
 *    refused at once (busy): nothing queues behind a long operation. Otherwise changes wait their
 *    turn (first come, first served) up to the lock timeout, then busy. A change that turns into
 *    a long one (Release.asJob) refuses those already waiting behind it at that moment.
 * 4. The host lock is taken only inside system locks (system locks first, then the host), and only
 *    around admission's critical section: never across a hypervisor call that can take long.
 */
import { VirtError } from './errors.js';

/** 'job': held across a long operation; 'change': a short change (a few hypervisor calls). */
export type LockMode = 'change' | 'job';

export interface LockOptions {
  timeoutMs?: number;
  mode?: LockMode;
  /** What the holder does, for the busy message others get ("state change to running"). */
  what?: string;
  /**
   * A job's cancel signal: cancelled while it waits, the acquisition leaves the queue at once and
   * fails (a change cancelled before its turn must not run when its turn comes).
   */
  signal?: AbortSignal;
}

/**
 * Gives the lock back. `asJob()`: from now on the lock is held as a job's (rule 3), for a change
 * that has turned into a long one; nothing once released.
 */
export type Release = (() => void) & { asJob(what?: string): void };

interface Holder {
  mode: LockMode;
  what: string | undefined;
}

interface Waiter {
  holder: Holder;
  grant: () => void;
  refuse: (err: VirtError) => void;
  timer: NodeJS.Timeout | undefined;
}

class Mutex {
  holder: Holder | undefined;
  readonly queue: Waiter[] = [];
}

export class KeyedLock {
  private readonly locks = new Map<string, Mutex>();

  constructor(private readonly defaultTimeoutMs = 30_000) {}

  /** Run fn while holding the lock for key. A number is the timeout (ms). */
  async with<T>(key: string, fn: () => Promise<T>, opts: number | LockOptions = {}): Promise<T> {
    const release = await this.acquire(key, typeof opts === 'number' ? { timeoutMs: opts } : opts);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Run fn while holding the locks of every key (taken in code-point order, rule 2). */
  async withAll<T>(keys: readonly string[], fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const release = await this.acquireAll(keys, opts);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  isHeld(key: string): boolean {
    return this.locks.get(key)?.holder !== undefined;
  }

  /** The mode of the current holder, if any. */
  heldAs(key: string): LockMode | undefined {
    return this.locks.get(key)?.holder?.mode;
  }

  /** Every key, deduplicated, in the one order locks are taken in. */
  static order(keys: readonly string[]): string[] {
    return [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async acquireAll(keys: readonly string[], opts: LockOptions = {}): Promise<Release> {
    const held: Release[] = [];
    try {
      for (const k of KeyedLock.order(keys)) held.push(await this.acquire(k, opts));
    } catch (err) {
      for (const r of held.reverse()) r();
      throw err;
    }
    return releaseOf(() => {
      for (const r of held.reverse()) r();
    }, (what) => {
      for (const r of held) r.asJob(what);
    });
  }

  acquire(key: string, opts: LockOptions = {}): Promise<Release> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const mode = opts.mode ?? 'change';
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(cancelledWaiting(key));
    let m = this.locks.get(key);
    if (!m) {
      m = new Mutex();
      this.locks.set(key, m);
    }
    const mutex = m;
    const release = (): void => {
      const next = mutex.queue.shift();
      if (next) {
        if (next.timer) clearTimeout(next.timer);
        mutex.holder = next.holder;
        next.grant();
      } else {
        mutex.holder = undefined;
        this.locks.delete(key);
      }
    };
    const holder: Holder = { mode, what: opts.what };
    // Only while this acquisition holds the lock (not once it is released and another holds it).
    const asJob = (what?: string): void => {
      if (mutex.holder !== holder) return;
      holder.mode = 'job';
      if (what !== undefined) holder.what = what;
      // Rule 3 for those already waiting: told now, not at their timeout behind a long operation.
      for (const w of mutex.queue.slice()) w.refuse(busyWith(key, holder));
    };
    if (!mutex.holder) {
      mutex.holder = holder;
      return Promise.resolve(releaseOf(release, asJob));
    }
    // Rule 3: nothing queues behind a job.
    const job = mutex.holder.mode === 'job' ? mutex.holder : mutex.queue.find((w) => w.holder.mode === 'job')?.holder;
    if (job) return Promise.reject(busyWith(key, job));
    return new Promise((resolve, reject) => {
      // Every way out of the queue (granted, refused, timed out, cancelled) stops the others.
      const leave = (): void => {
        const i = mutex.queue.indexOf(waiter);
        if (i >= 0) mutex.queue.splice(i, 1);
        if (waiter.timer) clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        leave();
        reject(cancelledWaiting(key));
      };
      const waiter: Waiter = {
        holder,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaseOf(release, asJob));
        },
        refuse: (err) => {
          leave();
          reject(err);
        },
        timer: undefined,
      };
      waiter.timer = setTimeout(() => {
        leave();
        reject(new VirtError('busy', `'${key}' is busy with another change (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      mutex.queue.push(waiter);
    });
  }
}

function cancelledWaiting(key: string): VirtError {
  return new VirtError('failed', `cancelled while it waited for '${key}': nothing was changed`);
}

function busyWith(key: string, job: Holder): VirtError {
  return new VirtError('busy', `'${key}' is busy: ${job.what ?? 'a long operation'} is under way`);
}

export function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

function releaseOf(fn: () => void, asJob: (what?: string) => void): Release {
  let released = false;
  const release = (() => {
    if (released) return;
    released = true;
    fn();
  }) as Release;
  release.asJob = (what) => {
    if (!released) asJob(what);
  };
  return release;
}
