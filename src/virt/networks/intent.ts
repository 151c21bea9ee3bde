/**
 * Crash safety of DefineNetwork and AddLink. Both make switches and interfaces before the network
 * is stored as it will be; a kill -9 in between would leave them behind with no record naming
 * them (and a second define would make a second set). So what they are about to make is stored
 * first, as the network's `pending` intent; the network is stored without it once everything is
 * made. At start-up an intent still there is rolled back: the interfaces of the members on the
 * switches it was to create (those switches did not exist, so every interface on them is its
 * own), the rates it was changing put back, then those switches once nothing is plugged into them.
 * A define's record then goes; a link's network is kept as it was before the link.
 */
import type { ResourceChange } from '../changes.js';
import { changeResources } from '../resources.js';
import { systemsByName, type NetContext } from './context.js';
import type { LinkPlan } from './plan.js';
import { removeCreated } from './realise.js';
import type { NetworkIntent, StoredNetwork } from './types.js';

/** What a define (with the shared switches it creates) or an added link is about to make. */
export function intentOf(op: NetworkIntent['op'], newShared: readonly string[], plan: LinkPlan): NetworkIntent {
  return {
    op,
    switches: [...newShared, ...plan.newSwitches],
    linkSwitches: [...plan.newSwitches],
    rates: plan.rates.map((r) => ({ system: r.system, mac: r.mac, old: r.old })),
  };
}

/**
 * Undo an intent left by a crash (start-up, before the networks are served). Returns the network
 * as it stands afterwards: undefined for a define (nothing of it is left), the network without
 * its intent for an added link.
 */
export async function rollBack(ctx: NetContext, n: StoredNetwork): Promise<StoredNetwork | undefined> {
  const p = n.pending!;
  const systems = await systemsByName(ctx);
  const rates: ResourceChange[] = p.rates
    .filter((r) => systems.get(r.system)?.config.nics.some((x) => x.mac === r.mac))
    .map((r) => ({ system: r.system, action: 'set_nic_rate', mac: r.mac, rate: r.old }));
  if (rates.length > 0) await changeResources(ctx.m, rates);
  // The members' interfaces on the link switches it was to create are its own.
  const made = n.members.flatMap((mb) => (systems.get(mb.system)?.config.nics ?? [])
    .filter((x) => x.mac && x.bridge !== undefined && p.linkSwitches.includes(x.bridge))
    .map((x) => ({ system: mb.system, mac: x.mac! })));
  await removeCreated(ctx, n.name, made, p.switches, `undoing the network '${n.name}' cut by the last stop`);
  if (p.op === 'define') {
    await ctx.store.remove(n.name);
    return undefined;
  }
  const { pending: _undone, ...before } = n;
  await ctx.store.save(before);
  return before;
}
