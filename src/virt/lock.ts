/**
 * Mutual exclusion with a timeout: per-system locks serialise changes to one system, the host
 * lock serialises admission of new reservations (DESIGN §3.5). Waiters are served in FIFO order.
 */
import { VirtError } from './errors.js';

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

class Mutex {
  held = false;
  readonly queue: Waiter[] = [];
}

export class KeyedLock {
  private readonly locks = new Map<string, Mutex>();

  constructor(private readonly defaultTimeoutMs = 30_000) {}

  /** Run fn while holding the lock for key; busy if it cannot be had within timeoutMs. */
  async with<T>(key: string, fn: () => Promise<T>, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    const release = await this.acquire(key, timeoutMs);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  isHeld(key: string): boolean {
    return this.locks.get(key)?.held ?? false;
  }

  acquire(key: string, timeoutMs = this.defaultTimeoutMs): Promise<() => void> {
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
        next.grant();
      } else {
        mutex.held = false;
        this.locks.delete(key);
      }
    };
    if (!mutex.held) {
      mutex.held = true;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: () => resolve(once(release)), timer: undefined };
      waiter.timer = setTimeout(() => {
        const i = mutex.queue.indexOf(waiter);
        if (i >= 0) mutex.queue.splice(i, 1);
        reject(new VirtError('busy', `'${key}' is busy with another change (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      mutex.queue.push(waiter);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
