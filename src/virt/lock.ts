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
 *    turn (first come, first served) up to the lock timeout, then busy.
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
}

export type Release = () => void;

interface Waiter {
  mode: LockMode;
  what: string | undefined;
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

class Mutex {
  holder: { mode: LockMode; what: string | undefined } | undefined;
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
    return once(() => {
      for (const r of held.reverse()) r();
    });
  }

  acquire(key: string, opts: LockOptions = {}): Promise<Release> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const mode = opts.mode ?? 'change';
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
        mutex.holder = { mode: next.mode, what: next.what };
        next.grant();
      } else {
        mutex.holder = undefined;
        this.locks.delete(key);
      }
    };
    if (!mutex.holder) {
      mutex.holder = { mode, what: opts.what };
      return Promise.resolve(once(release));
    }
    // Rule 3: nothing queues behind a job.
    const job = mutex.holder.mode === 'job' ? mutex.holder : mutex.queue.find((w) => w.mode === 'job');
    if (job) {
      return Promise.reject(new VirtError('busy', `'${key}' is busy: ${job.what ?? 'a long operation'} is under way`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { mode, what: opts.what, grant: () => resolve(once(release)), timer: undefined };
      waiter.timer = setTimeout(() => {
        const i = mutex.queue.indexOf(waiter);
        if (i >= 0) mutex.queue.splice(i, 1);
        reject(new VirtError('busy', `'${key}' is busy with another change (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      mutex.queue.push(waiter);
    });
  }
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
