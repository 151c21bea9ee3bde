/**
 * Delivery of indications to CIM-XML listeners (DSP0200 §5.3 export messages, DSP1054 §7.6
 * delivery): one bounded queue per listener destination, sent one at a time so a listener gets
 * its indications in order, each numbered in the destination's sequence (SequenceContext,
 * SequenceNumber); a failed delivery is retried DeliveryRetryAttempts times DeliveryRetryInterval
 * apart, then dropped. A dead listener only fills its own queue: nothing here waits on the
 * caller's path, and a full queue drops its oldest indication (logged), as does the queue stuck
 * longest once all of them together hold too many. A destination whose
 * deliveries keep being given up for SubscriptionRemovalTimeInterval (no success in between) is
 * reported once through `onUnreachable` (DSP1054 §7.5: the service then applies its
 * SubscriptionRemovalAction) and its queue emptied.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { CimInstance } from './cim/index.js';
import { EXPORT_HEADERS, encodeExportIndication, readExportResponse } from './cimxml/index.js';
import { RequestFailure, requestBounded } from './http-bounded.js';
import { onServerHost, withoutCredentials } from './providers/dsp1054-indications/index.js';

/** dns.lookup refusing an answer on the server's own host: a confined destination's name may resolve there at any time. */
const confinedLookup = ((hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address?: unknown, family?: number) => void): void => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err);
    const near = addresses.find((a) => onServerHost(a.address));
    if (near) return callback(new Error(`refused: ${hostname} resolves to ${near.address}, on the server's own host`));
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
    callback(null, first.address, first.family);
  });
}) as unknown as LookupFunction;

/**
 * An ExportIndication answer is a few hundred bytes; a listener sending more than 16 KiB is cut
 * off there. The answer is read with patterns whose time grows with the square of its length on
 * hostile input (64 KiB of `<ERROR ` blocks the server some 260 ms; 16 KiB, 20 ms).
 */
const MAX_ANSWER_BYTES = 16 * 1024;

export interface DeliveryOptions {
  retryAttempts: number;
  retryIntervalMs: number;
  /** Indications kept per destination while it does not answer. */
  maxQueue?: number;
  /**
   * Indications kept for all destinations together (default 20,000, some 60 MB): 1,000 silent
   * destinations would otherwise hold a million. Past it the queue stuck longest on the
   * indication it is sending (a dead or silent listener, not a live one that has a burst) drops its oldest.
   */
  maxQueued?: number;
  /** How long one export request may take, from connecting to the answer's last byte. */
  timeoutMs?: number;
  /** How long a destination may keep failing before `onUnreachable` (default: never). */
  removalIntervalMs?: number;
  /** Called once a destination has failed for removalIntervalMs, with the destination's id. */
  onUnreachable?: (destinationId: string) => void;
  log?: (line: string) => void;
}

/** Where an indication goes. */
export interface DeliveryDestination {
  /** The destination's identity: one queue and one sequence each. */
  id: string;
  url: string;
  /** When it was created: another one under the same id is another registration. */
  createdAt?: number;
  /** Whether it still exists: once it is deleted, what it still has queued is dropped, not sent. */
  live?: () => boolean;
  /** Never connected to the server's own host (loopback, link-local), whatever its name resolves to. */
  confined?: boolean;
}

interface Queue {
  url: string;
  live?: () => boolean;
  confined?: boolean;
  /** The destination's creation: another one under the same id is another registration. */
  createdAt?: number;
  context: string;
  sequence: number;
  items: CimInstance[];
  busy: boolean;
  dropped: number;
  /** ms since the epoch: when sending its first indication started (undefined: not sending). */
  headSince?: number;
  /** The indication being sent (numbered already), while it is. */
  sending?: CimInstance;
  /** ms since the epoch: the first failed attempt since the last delivery that arrived. */
  failingSince?: number;
}

export class IndicationDelivery {
  private readonly queues = new Map<string, Queue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private messageId = 0;
  private total = 0;
  /** Delivered and dropped counts, for tests and figures. */
  readonly counts = { delivered: 0, failedAttempts: 0, dropped: 0, unreachable: 0 };

  constructor(private readonly opts: DeliveryOptions) {}

  /** Indications waiting in every queue (the one being sent included). */
  get queued(): number {
    return this.total;
  }

  /** How many of a queue's indications wait (the one being sent does not). */
  private static waiting(q: Queue): number {
    return q.items.length - (q.sending !== undefined && q.items[0] === q.sending ? 1 : 0);
  }

  /** Drop the oldest indication waiting in a queue (not the one being sent: it goes on). */
  private dropOldest(q: Queue): void {
    const at = q.items.length - IndicationDelivery.waiting(q);
    this.drop(q, 1, at);
  }

  /**
   * Drop `n` indications of a queue from `at` (all when n is absent), counted. Each one not
   * numbered yet still takes its SequenceNumber: the gap tells the listener it missed them.
   */
  private drop(q: Queue, n = q.items.length, at = 0): void {
    const gone = q.items.splice(at, n);
    this.total -= gone.length;
    this.counts.dropped += gone.length;
    q.dropped += gone.length;
    q.sequence += gone.filter((i) => i !== q.sending).length;
  }

  /** Queue an indication for a destination; returns at once. */
  send(destination: DeliveryDestination, indication: CimInstance): void {
    if (this.stopped) return;
    let q = this.queues.get(destination.id);
    if (q && q.createdAt !== destination.createdAt) {
      // The destination was deleted and created again: what the old one still had queued goes.
      this.drop(q);
      q = undefined;
    }
    if (!q) {
      this.forgetIdleDeleted();
      // A new context each time the sequence restarts: at start-up and for each new registration of
      // a listener destination (the CIM Schema's CIM_Indication.SequenceContext).
      q = { url: withoutCredentials(destination.url), context: `${randomUUID()}:${destination.id}`, sequence: 0, items: [], busy: false, dropped: 0 };
      if (destination.createdAt !== undefined) q.createdAt = destination.createdAt;
      this.queues.set(destination.id, q);
    }
    // Never credentials, posted or logged (destination.ts).
    q.url = withoutCredentials(destination.url);
    if (destination.live) q.live = destination.live;
    q.confined = destination.confined === true;
    q.items.push(indication);
    this.total++;
    const max = this.opts.maxQueue ?? 1000;
    while (IndicationDelivery.waiting(q) > 0 && q.items.length > max) {
      this.dropOldest(q);
      this.opts.log?.(`indication queue for ${q.url} is full (${max}): the oldest indication was dropped`);
    }
    const maxTotal = this.opts.maxQueued ?? 20_000;
    while (this.total > maxTotal) {
      const stuck = this.stuckest();
      if (!stuck) break; // only indications being sent are left: they go on
      this.dropOldest(stuck);
      this.opts.log?.(`indications queued for all listeners reached ${maxTotal}: the oldest of the queue stuck longest (${stuck.url}) was dropped`);
    }
    void this.pump(destination.id, q);
  }

  /**
   * The queue (with indications waiting) whose current one has been sending longest; the longest
   * of those not sending. Between queues stuck equally long (sends begun in the same millisecond:
   * nobody can tell yet which listener will answer) the one that has lost the most already gives
   * way, so losses stay on one queue: ties went to the longest queue, which once the silent
   * listeners had lost some was a live listener slow on its first answer (it lost 11 of 40).
   */
  private stuckest(): Queue | undefined {
    let pick: Queue | undefined;
    for (const q of this.queues.values()) {
      if (IndicationDelivery.waiting(q) === 0) continue;
      const a = q.headSince ?? Infinity;
      const b = pick?.headSince ?? Infinity;
      if (!pick || a < b) pick = q;
      else if (a === b && (q.dropped > pick.dropped || (q.dropped === pick.dropped && q.items.length > pick.items.length))) pick = q;
    }
    return pick;
  }

  /** Resolves once every queue is empty (delivered or dropped): for tests and an orderly stop. */
  async idle(pollMs = 20): Promise<void> {
    while ([...this.queues.values()].some((q) => q.items.length > 0 || q.busy)) await new Promise((r) => setTimeout(r, pollMs));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Past the removal interval: report the destination once, and forget what it still had queued. */
  private giveUpIfDue(id: string, q: Queue): void {
    const interval = this.opts.removalIntervalMs;
    if (interval === undefined || q.failingSince === undefined || Date.now() - q.failingSince < interval) return;
    this.counts.unreachable++;
    this.drop(q);
    q.failingSince = undefined;
    this.opts.log?.(`indication listener ${q.url} failed for ${Math.round(interval / 1000)} s or more (SubscriptionRemovalTimeInterval): its subscriptions get the removal action`);
    try {
      this.opts.onUnreachable?.(id);
    } catch {
      // the service's reaction must not stop delivery to the others
    }
  }

  private async pump(id: string, q: Queue): Promise<void> {
    if (q.busy) return;
    q.busy = true;
    try {
      while (!this.stopped && q.items.length > 0) {
        if (this.forgotten(id, q)) return;
        const ind = q.items[0]!;
        q.headSince = Date.now();
        q.sending = ind;
        ind.set('SequenceContext', q.context);
        ind.set('SequenceNumber', q.sequence);
        let delivered = false;
        for (let attempt = 0; attempt <= this.opts.retryAttempts && !this.stopped; attempt++) {
          if (attempt > 0) await this.sleep(this.opts.retryIntervalMs);
          if (this.forgotten(id, q)) return;
          try {
            await this.post(q.url, encodeExportIndication(ind, String(++this.messageId)), q.confined === true);
            delivered = true;
            break;
          } catch (e) {
            this.counts.failedAttempts++;
            q.failingSince ??= Date.now();
            if (attempt === this.opts.retryAttempts) this.opts.log?.(`indication to ${q.url} dropped after ${attempt + 1} attempts: ${(e as Error).message}`);
          }
        }
        if (this.stopped) return;
        if (delivered) {
          this.counts.delivered++;
          q.failingSince = undefined;
        } else this.counts.dropped++;
        // The number is used once whether the indication arrived or not: a gap tells the listener it missed one.
        q.sequence++;
        q.sending = undefined;
        if (q.items[0] === ind) {
          q.items.shift();
          this.total--;
        }
        if (!delivered) this.giveUpIfDue(id, q);
      }
    } finally {
      q.busy = false;
      q.headSince = undefined;
      q.sending = undefined;
    }
  }

  /**
   * The queues of destinations deleted while they had nothing to send: no pump runs to notice, and
   * each held its URL (up to 4 KiB) for as long as the server ran, one more for every destination a
   * user creates, is sent an indication and deletes. Looked for when a queue is made, so the map
   * stays at the destinations that exist (and the one being made).
   */
  private forgetIdleDeleted(): void {
    for (const [id, q] of this.queues) if (!q.busy && q.items.length === 0 && q.live && !q.live()) this.queues.delete(id);
  }

  /** A deleted destination: its queue goes (items dropped, logged) and nothing more is sent to it. */
  private forgotten(id: string, q: Queue): boolean {
    if (!q.live || q.live()) return false;
    if (q.items.length > 0) this.opts.log?.(`indication listener ${q.url} was deleted: ${q.items.length} queued indication(s) dropped`);
    this.drop(q);
    if (this.queues.get(id) === q) this.queues.delete(id);
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async post(url: string, body: string, confined: boolean): Promise<void> {
    const u = new URL(url);
    // An address is checked here (no lookup is made for it), a name on each of its resolutions.
    if (confined && onServerHost(u.hostname)) throw new Error(`refused: ${u.hostname} is on the server's own host`);
    // The whole exchange is bounded: a listener that trickles its answer byte by byte would
    // otherwise hold its queue (and the connection) for ever.
    const answer = await requestBounded({
      url: u, body, timeoutMs: this.opts.timeoutMs ?? 5000, maxBytes: MAX_ANSWER_BYTES,
      headers: { ...EXPORT_HEADERS, 'Content-Length': Buffer.byteLength(body), Connection: 'close' },
      ...(confined ? { lookup: confinedLookup } : {}),
    }).catch((e: unknown) => {
      if (!(e instanceof RequestFailure) || e.reason === 'network') throw e;
      throw new Error(e.reason === 'timeout' ? 'no answer in time' : `answer too large (over ${MAX_ANSWER_BYTES} bytes)`);
    });
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}${answer.headers.cimerror ? ` (${String(answer.headers.cimerror)})` : ''}`);
    const r = readExportResponse(answer.text);
    if (!r.ok) throw new Error(`CIM error ${r.code}: ${r.description}`);
  }
}
