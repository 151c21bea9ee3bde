/**
 * Failed-login throttling per client address. Each failed password check costs an scrypt run
 * on the libuv thread pool; a client (or a subnet, for IPv6: one /64) that fails `limit` times
 * within `windowMs` gets 429 without any check until its oldest failure leaves the window.
 * A second bound, on scrypt runs in flight for everyone, keeps part of the pool free for the
 * server's own file work however many addresses a flood comes from.
 */
import { availableParallelism } from 'node:os';

export interface ThrottleOptions {
  /** Failed logins allowed per address within the window (default 5). */
  limit?: number;
  /** The window (default 60 s). */
  windowMs?: number;
  /**
   * Password checks running at once, all clients together. Default: 2 of the pool's 4 threads,
   * and never all of the machine's cores (1 on 2 cores): the event loop needs one.
   */
  maxConcurrentChecks?: number;
  /** Checks waiting for a slot; beyond, the request is refused with 429 (default 64). */
  maxQueuedChecks?: number;
  /** Addresses remembered at most (default 10,000); the oldest are forgotten first. */
  maxAddresses?: number;
  now?: () => number;
}

/** The key an address is counted under: IPv4 as is, IPv6 by its /64 (one host's usual share). */
export function addressKey(remote: string): string {
  const a = remote.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!a.includes(':')) return a;
  const [head, tail] = a.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

export class LoginThrottle {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxChecks: number;
  private readonly maxQueued: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  /** Address key → times of its recent failures, oldest first. */
  private readonly failures = new Map<string, number[]>();
  /** Address key → when its last 'busy' refusal was reported. */
  private readonly busyReported = new Map<string, number>();
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(opts: ThrottleOptions = {}) {
    this.limit = opts.limit ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxChecks = opts.maxConcurrentChecks ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.maxQueued = opts.maxQueuedChecks ?? 64;
    this.maxAddresses = opts.maxAddresses ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const since = this.now() - this.windowMs;
    while (list.length && list[0]! <= since) list.shift();
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  /** Seconds until `remote` may try again, or 0 when it may try now. */
  retryAfterSec(remote: string): number {
    const list = this.recent(addressKey(remote));
    if (list.length < this.limit) return 0;
    return Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now()) / 1000));
  }

  /** Records a failure; true when this one starts a block. */
  fail(remote: string): boolean {
    const key = addressKey(remote);
    const list = this.recent(key);
    if (list.length === 0) {
      if (this.failures.size >= this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, list);
    }
    list.push(this.now());
    if (list.length > this.limit) list.shift();
    return list.length === this.limit;
  }

  /**
   * Whether a refusal of `remote` for lack of a check slot is to be reported: once per address
   * and window. A flood refused as busy would otherwise write one audit entry per request.
   */
  reportBusy(remote: string): boolean {
    const key = addressKey(remote);
    const t = this.now();
    const last = this.busyReported.get(key);
    if (last !== undefined && t - last < this.windowMs) return false;
    this.busyReported.delete(key);
    if (this.busyReported.size >= this.maxAddresses) this.busyReported.delete(this.busyReported.keys().next().value!);
    this.busyReported.set(key, t);
    return true;
  }

  /**
   * Runs one password check within the global bound; null (run nothing) when too many already
   * wait, so a flood from many addresses is refused rather than queued without end.
   */
  async check<T>(fn: () => Promise<T>): Promise<T | null> {
    if (this.running >= this.maxChecks) {
      if (this.queue.length >= this.maxQueued) return null;
      await new Promise<void>((resolve) => this.queue.push(resolve));   // the slot is handed over
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
