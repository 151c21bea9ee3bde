/**
 * Enumeration contexts of the pull operations (DSP0200 §5.4): the rest of a result kept
 * between Open/Pull calls under an opaque random id. A context belongs to the namespace and the
 * user that opened it, lives OperationTimeout seconds after each operation, and is closed at
 * EndOfSequence, by CloseEnumeration, on expiry, or on an error.
 */
import { randomBytes } from 'node:crypto';
import { type CimInstance, type CimInstanceName, type EncodeFlags, cimError, sameName } from '../../cim/index.js';

export type PullItems = 'instancesWithPath' | 'instancePaths' | 'instances';

export interface EnumerationContext {
  readonly id: string;
  readonly namespace: string;
  readonly owner: string;
  readonly items: PullItems;
  readonly flags: EncodeFlags;
  readonly objects: (CimInstance | CimInstanceName)[];
  pos: number;
  timeoutMs: number;
  expiresAt: number;
  /** A Pull is being served (DSP0200: concurrent operations on one context are refused). */
  busy: boolean;
  /** Closed by CloseEnumeration while a Pull was running: that Pull fails with 23. */
  abandoned: boolean;
}

export interface Slice {
  objects: (CimInstance | CimInstanceName)[];
  endOfSequence: boolean;
  context: string;
}

export class ContextStore {
  private readonly contexts = new Map<string, EnumerationContext>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxContexts: number,
    private readonly now: () => number,
    sweepEveryMs = 5000,
    private readonly maxPerOwner = maxContexts,
  ) {
    if (sweepEveryMs > 0) {
      this.timer = setInterval(() => this.sweep(), sweepEveryMs);
      this.timer.unref();
    }
  }

  get size(): number {
    return this.contexts.size;
  }

  /**
   * Refuses a new context (CIM_ERR_SERVER_LIMITS_EXCEEDED) when the server holds its limit, or when
   * `owner` holds its own: one user leaving contexts open cannot take them all from the others.
   */
  checkCapacity(owner: string): void {
    this.sweep();
    if (this.contexts.size >= this.maxContexts) {
      throw cimError('SERVER_LIMITS_EXCEEDED', `too many open enumeration contexts (limit ${this.maxContexts}); close some or let them expire`);
    }
    let mine = 0;
    for (const c of this.contexts.values()) if (c.owner === owner && ++mine >= this.maxPerOwner) {
      throw cimError('SERVER_LIMITS_EXCEEDED', `user '${owner}' has ${this.maxPerOwner} open enumeration contexts, the limit per user; close some (CloseEnumeration) or let them expire`);
    }
  }

  /**
   * Starts an enumeration over `objects` and returns its first `max` objects. Nothing is kept
   * when everything fits (EndOfSequence=true, empty context).
   */
  open(
    init: { namespace: string; owner: string; items: PullItems; flags: EncodeFlags; timeoutMs: number },
    objects: (CimInstance | CimInstanceName)[],
    max: number,
  ): Slice {
    if (objects.length <= max) return { objects, endOfSequence: true, context: '' };
    this.checkCapacity(init.owner);
    const ctx: EnumerationContext = {
      ...init,
      id: randomBytes(16).toString('hex'),
      objects,
      pos: 0,
      expiresAt: 0,
      busy: false,
      abandoned: false,
    };
    this.contexts.set(ctx.id, ctx);
    return this.take(ctx, max);
  }

  /**
   * Looks a context up for a Pull/Close/Count: unknown, expired, of another user or namespace,
   * or opened for another kind of result → CIM_ERR_INVALID_ENUMERATION_CONTEXT (DSP0200 §5.4).
   */
  find(id: string, namespace: string, owner: string, items?: PullItems): EnumerationContext {
    const ctx = this.contexts.get(id);
    const invalid = (why: string) => cimError('INVALID_ENUMERATION_CONTEXT', `enumeration context "${id}" ${why}`);
    if (!ctx) throw invalid('is unknown, closed or expired');
    if (ctx.expiresAt <= this.now()) {
      this.contexts.delete(id);
      throw invalid('has expired');
    }
    if (!sameName(ctx.namespace, namespace) || ctx.owner !== owner) throw invalid('is unknown, closed or expired');
    if (items !== undefined && ctx.items !== items) throw invalid(`was opened for ${ctx.items}, not ${items}`);
    if (ctx.busy) throw invalid('is in use by another operation');
    return ctx;
  }

  /** The next `max` objects; the context is closed at EndOfSequence. */
  pull(id: string, namespace: string, owner: string, items: PullItems, max: number): { slice: Slice; flags: EncodeFlags } {
    const ctx = this.find(id, namespace, owner, items);
    ctx.busy = true;
    try {
      const slice = this.take(ctx, max);
      if (ctx.abandoned) throw cimError('PULL_HAS_BEEN_ABANDONED', `enumeration context "${id}" was closed during the pull`);
      return { slice, flags: ctx.flags };
    } finally {
      ctx.busy = false;
    }
  }

  close(id: string, namespace: string, owner: string): void {
    const ctx = this.contexts.get(id);
    if (ctx?.busy && sameName(ctx.namespace, namespace) && ctx.owner === owner) {
      // Pulls here are synchronous, so this is only reached by a pull that is itself closing it.
      ctx.abandoned = true;
      this.contexts.delete(id);
      return;
    }
    this.find(id, namespace, owner);
    this.contexts.delete(id);
  }

  /** Objects not yet pulled (EnumerationCount, which we answer exactly since results are computed at Open). */
  remaining(id: string, namespace: string, owner: string): number {
    const ctx = this.find(id, namespace, owner);
    this.touch(ctx);
    return ctx.objects.length - ctx.pos;
  }

  /** Closes every expired context. */
  sweep(): void {
    const now = this.now();
    for (const [id, ctx] of this.contexts) if (ctx.expiresAt <= now && !ctx.busy) this.contexts.delete(id);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.contexts.clear();
  }

  private take(ctx: EnumerationContext, max: number): Slice {
    const end = Math.min(ctx.objects.length, ctx.pos + max);
    const objects = ctx.objects.slice(ctx.pos, end);
    ctx.pos = end;
    if (ctx.pos >= ctx.objects.length) {
      this.contexts.delete(ctx.id);
      return { objects, endOfSequence: true, context: '' };
    }
    this.touch(ctx);
    return { objects, endOfSequence: false, context: ctx.id };
  }

  /** OperationTimeout counts from the end of the last operation on the context. */
  private touch(ctx: EnumerationContext): void {
    ctx.expiresAt = this.now() + ctx.timeoutMs;
  }
}
