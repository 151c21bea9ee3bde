/** What the network operations share (NetworkManager builds it once): the model, the store, the networks in memory. */
import type { Model } from '../model.js';
import type { HostFacts, VirtualSystem } from '../types.js';
import { SavedNotDurably, type MemberOutcome, type NetworkStore, type StoredNetwork } from './types.js';

export interface NetContext {
  readonly m: Model;
  readonly store: NetworkStore;
  /** Every network, as stored (changed only under the registry lock, after the store has it). */
  readonly nets: Map<string, StoredNetwork>;
  hostFacts(): Promise<HostFacts>;
  /** Every member's outcome of the recent whole-network jobs, by job id (bounded). */
  readonly outcomes: BoundedMap<string, MemberOutcome[]>;
  /** Names reserved for a define under way (NetworkManager.reserve): the record stored for each. */
  readonly reserved: Map<string, StoredNetwork>;
  /**
   * Defines that failed and could not be undone, by name: their intent stays stored for the next
   * start, and the name is not used again before what they made is undone (structure.ts).
   */
  readonly leftovers: Map<string, StoredNetwork>;
}

/** A map that forgets its oldest entries beyond `max`. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}

/**
 * Store a network and keep it in memory. A save that replaced the record but could not sync its
 * directory counts as saved, with a warning: the store holds the new version, and a crash before
 * the next sync finds the one before it, which start-up handles as any crash (a define's or a
 * link's intent is rolled back).
 */
export async function saveNetwork(ctx: NetContext, n: StoredNetwork): Promise<void> {
  await storeNetwork(ctx, n);
  ctx.nets.set(n.name, n);
}

/** Store a record (a network, or a name's reservation); not durably synced counts as stored, with a warning. */
export async function storeNetwork(ctx: NetContext, n: StoredNetwork): Promise<void> {
  try {
    await ctx.store.save(n);
  } catch (e) {
    if (!(e instanceof SavedNotDurably)) throw e;
    ctx.m.log(`warning: ${e.message}`);
  }
}

export async function systemsByName(ctx: NetContext): Promise<Map<string, VirtualSystem>> {
  return new Map((await ctx.m.driver.list()).map((s) => [s.name, s]));
}

/** Interfaces that are some link's end: MAC → "link 'l' of network 'n'". */
export function linkEnds(nets: Iterable<StoredNetwork>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of nets) for (const l of n.links) for (const e of l.ends) out.set(e.mac, `link '${l.name}' of network '${n.name}'`);
  return out;
}
