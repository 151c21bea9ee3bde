/**
 * The indication subscriptions of DSP1054: filters, listener destinations and subscriptions,
 * each with the user who created it, kept in one file replaced atomically on every change and
 * read back at start-up. Plain records: the instances are built from them on each request.
 */
import { cimError } from '../../cim/index.js';
import type { Principal } from '../../operations/provider.js';
import type { TextStore } from '../shared/deps.js';

/** The four keys every filter and destination has (CIM_IndicationFilter, CIM_ListenerDestination). */
export interface ScopedKeys {
  SystemCreationClassName: string;
  SystemName: string;
  CreationClassName: string;
  Name: string;
}

export interface FilterRecord {
  keys: ScopedKeys;
  query: string;
  queryLanguage: string;
  sourceNamespaces: string[];
  /** The class named after FROM: what the filter selects. */
  fromClass: string;
  owner: string;
}

export interface DestinationRecord {
  keys: ScopedKeys;
  destination: string;
  owner: string;
  /** ms since the epoch: when it was created; one deleted and created again starts a new sequence. */
  createdAt?: number;
  /** Made by a user who is not an administrator: never connected to the server's own host (destination.ts). */
  confined?: boolean;
}

export interface SubscriptionRecord {
  filter: string;
  handler: string;
  /** CIM_AbstractIndicationSubscription.SubscriptionState: 2 Enabled, 4 Disabled. */
  state: number;
  owner: string;
  /** ms since the epoch: when it was created (SubscriptionStartTime); absent in files of older versions. */
  startedAt?: number;
  /** ms since the epoch: when its state last changed (TimeOfLastStateChange). */
  stateChangedAt?: number;
  /** SubscriptionDuration in seconds: it is removed once that long has passed since startedAt. */
  durationS?: number;
}

/** SubscriptionTimeRemaining in seconds (undefined for a subscription without a duration). */
export function timeRemainingS(s: SubscriptionRecord, now = Date.now()): number | undefined {
  if (s.durationS === undefined) return undefined;
  return Math.max(0, Math.floor(s.durationS - (now - (s.startedAt ?? now)) / 1000));
}

/** Whether a subscription's SubscriptionDuration has run out (DSP1054: it is then removed). */
export function expired(s: SubscriptionRecord, now = Date.now()): boolean {
  return s.durationS !== undefined && now - (s.startedAt ?? now) >= s.durationS * 1000;
}

interface Stored {
  filters: FilterRecord[];
  destinations: DestinationRecord[];
  subscriptions: SubscriptionRecord[];
}

/**
 * A record's identity: its class and Name, case-insensitively. The system keys always name this
 * server, so a reference that spells them differently (another host alias) still finds it.
 */
const idOf = (k: ScopedKeys): string => `${k.CreationClassName}|${k.Name}`.toLowerCase();

function validKeys(k: unknown): k is ScopedKeys {
  const o = k as Record<string, unknown> | null | undefined;
  return typeof o === 'object' && o !== null && typeof o.CreationClassName === 'string' && typeof o.Name === 'string' && o.Name !== '';
}

/** The entries of `after` that differ from `before`: each with its value before (undefined: added) and now (undefined: removed). */
function changedEntries<T>(before: Map<string, T>, after: Map<string, T>): Map<string, { was: T | undefined; now: T | undefined }> {
  const out = new Map<string, { was: T | undefined; now: T | undefined }>();
  for (const [k, v] of after) if (before.get(k) !== v) out.set(k, { was: before.get(k), now: v });
  for (const [k, v] of before) if (!after.has(k)) out.set(k, { was: v, now: undefined });
  return out;
}

export class SubscriptionStore {
  readonly filters = new Map<string, FilterRecord>();
  readonly destinations = new Map<string, DestinationRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  private loaded: Promise<void> | undefined;
  /** Why the stored set could not be read (undefined once it was read, or before the first try). */
  private unreadable: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: TextStore | undefined,
    private readonly log: (line: string) => void = () => {},
    /** Told the set as it is after it was loaded and after every change (kept or put back). */
    private readonly changed: (store: SubscriptionStore) => void = () => {},
  ) {}

  /** Whether an enabled subscription (SubscriptionState 2) exists. */
  hasEnabled(): boolean {
    for (const s of this.subscriptions.values()) if (s.state === 2) return true;
    return false;
  }

  static id = idOf;
  static subscriptionId(filter: string, handler: string): string {
    return `${filter}#${handler}`;
  }

  /**
   * Read the file once (the first request waits for it), never fatal: a file that is no JSON is
   * logged and the set starts empty; a record that is damaged is logged and left out, the others
   * kept (a subscription whose filter or destination is left out goes too); either way the file
   * is first copied aside (keepDamaged). A file that exists but cannot be read (EIO, EACCES, …)
   * is not taken for an empty set: until a later read succeeds (tried again at each request and
   * each sweep) every change is refused, as its write would replace everyone's stored
   * subscriptions with the few made since.
   */
  load(): Promise<void> {
    if (this.loaded) return this.loaded;
    const loading: Promise<void> = (async () => {
      let text: string | undefined;
      try {
        text = await this.file?.read();
      } catch (e) {
        if (this.unreadable === undefined) this.log(`indication subscriptions could not be read (changes are refused until they can be): ${String(e)}`);
        this.unreadable = e instanceof Error ? e.message : String(e);
        return;
      }
      if (this.unreadable !== undefined) this.log('indication subscriptions read at last: changes are accepted again');
      this.unreadable = undefined;
      if (!text) return;
      let s: Partial<Stored>;
      try {
        s = JSON.parse(text) as Partial<Stored>;
      } catch (e) {
        this.log(`indication subscriptions file is not valid JSON, starting with none: ${String(e)}`);
        await this.keepDamaged();
        return;
      }
      let damaged = false;
      const records = <T>(what: string, list: unknown, valid: (r: T) => boolean, add: (r: T) => void): void => {
        for (const r of Array.isArray(list) ? (list as T[]) : []) {
          if (r !== null && typeof r === 'object' && valid(r)) add(r);
          else {
            damaged = true;
            this.log(`indication subscriptions file: a damaged ${what} record is left out: ${JSON.stringify(r)?.slice(0, 200)}`);
          }
        }
      };
      // Every field the indications read unguarded is checked: one filter whose SourceNamespaces held
      // a number threw at every event, and the subscriptions after it in the set lost it too.
      records<FilterRecord>('filter', s.filters, (f) => validKeys(f.keys) && typeof f.query === 'string' && typeof f.queryLanguage === 'string'
        && Array.isArray(f.sourceNamespaces) && f.sourceNamespaces.every((n) => typeof n === 'string') && typeof f.owner === 'string',
        (f) => this.filters.set(idOf(f.keys), f));
      records<DestinationRecord>('listener destination', s.destinations, (d) => validKeys(d.keys) && typeof d.destination === 'string' && typeof d.owner === 'string',
        (d) => this.destinations.set(idOf(d.keys), d));
      records<SubscriptionRecord>('subscription', s.subscriptions, (x) => typeof x.filter === 'string' && typeof x.handler === 'string' && typeof x.state === 'number'
        && typeof x.owner === 'string' && (x.durationS === undefined || typeof x.durationS === 'number') && (x.startedAt === undefined || typeof x.startedAt === 'number'), (x) => {
        if (this.filters.has(x.filter) && this.destinations.has(x.handler)) this.subscriptions.set(SubscriptionStore.subscriptionId(x.filter, x.handler), x);
      });
      if (damaged) await this.keepDamaged();
    })().finally(() => {
      if (this.unreadable !== undefined && this.loaded === loading) this.loaded = undefined; // the next load tries again
      this.changed(this);
    });
    this.loaded = loading;
    return loading;
  }

  /**
   * A damaged file is copied aside (logged) for an operator to repair: the next change writes the
   * records that could be read over it, and what the damaged ones held was otherwise lost.
   */
  private async keepDamaged(): Promise<void> {
    if (!this.file?.keepCopy) return;
    try {
      this.log(`indication subscriptions file copied aside as ${await this.file.keepCopy()}: the next change writes over it`);
    } catch (e) {
      this.log(`indication subscriptions file could not be copied aside: ${String(e)}`);
    }
  }

  /**
   * One change of the set, kept only once it is on disk: when the write fails what this change did
   * is undone (not what another change made meanwhile, whose own write comes next) and the client
   * gets CIM_ERR_FAILED (a refused change changes nothing).
   */
  async change(mutate: () => void): Promise<void> {
    if (this.unreadable !== undefined) {
      throw cimError('FAILED', `the stored subscriptions could not be read (${this.unreadable}): no change is made until they can be, nothing changed`);
    }
    const maps = [this.filters, this.destinations, this.subscriptions] as Map<string, unknown>[];
    const before = maps.map((m) => new Map(m));
    mutate();
    const done = maps.map((m, i) => changedEntries(before[i]!, m));
    try {
      await this.save();
    } catch (e) {
      maps.forEach((m, i) => {
        for (const [k, { was, now }] of done[i]!) {
          if (m.get(k) !== now) continue; // changed again since: that change's write decides
          if (was === undefined) m.delete(k);
          else m.set(k, was);
        }
      });
      // A subscription put back whose filter or destination a later change removed goes with them.
      for (const [k, x] of this.subscriptions) if (!this.filters.has(x.filter) || !this.destinations.has(x.handler)) this.subscriptions.delete(k);
      this.log(`indication subscriptions could not be stored: ${String(e)}`);
      throw cimError('FAILED', `the subscriptions could not be stored (${e instanceof Error ? e.message : String(e)}); nothing changed`);
    } finally {
      this.changed(this);
    }
  }

  /**
   * Removes the subscriptions whose SubscriptionDuration has run out (DSP1054: an expired
   * subscription is removed), each logged; nothing is written when none has.
   */
  async removeExpired(now = Date.now()): Promise<void> {
    const gone = [...this.subscriptions].filter(([, s]) => expired(s, now));
    if (gone.length === 0) return;
    await this.change(() => {
      for (const [id] of gone) this.subscriptions.delete(id);
    });
    for (const [, s] of gone) this.log(`indication subscription ${s.filter} → ${s.handler} expired after its SubscriptionDuration of ${s.durationS} s: removed`);
  }

  /**
   * Persist the whole set (changes are rare; writes are serialised so the last one wins). The text
   * is taken when the write starts, after a failed change before it was undone.
   */
  private save(): Promise<void> {
    const text = (): string => JSON.stringify({
      filters: [...this.filters.values()],
      destinations: [...this.destinations.values()],
      subscriptions: [...this.subscriptions.values()],
    } satisfies Stored, null, 1);
    this.writing = this.writing.catch(() => {}).then(() => this.file?.write(text()));
    return this.writing;
  }

  /** DSP1054 leaves authorization to the server: the creator or an administrator may remove a record. */
  static checkOwner(principal: Principal, owner: string, what: string): void {
    if (principal.role !== 'admin' && principal.name !== owner) {
      throw cimError('ACCESS_DENIED', `${what} belongs to user '${owner}'`);
    }
  }
}
