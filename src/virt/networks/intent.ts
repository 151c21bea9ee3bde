/**
 * Crash safety of DefineNetwork and AddLink. Both make switches and interfaces before the network
 * is stored as it will be; a kill -9 in between would leave them behind with no record naming
 * them (and a second define would make a second set). So what they are about to make is stored
 * first, as the network's `pending` intent; the network is stored without it once everything is
 * made. At start-up an intent still there is rolled back: the interfaces it adds (their MACs are
 * chosen before and recorded, so one on a switch the host already had is found too) and those of
 * the members on the switches it was to create (those switches did not exist, so every interface
 * on them is its own), the rates it was changing put back, then those switches once nothing is plugged into them.
 * A define's record then goes; a link's network is kept as it was before the link.
 *
 * A define whose caller makes new routers for it (DefineNetwork with embedded settings) stores
 * the intent earlier still, before the first router is made (NetworkManager.reserve): the routers
 * are named in it with the UUIDs they are given, and a roll-back deletes a system of that name
 * only when it has that UUID (one defined by someone else meanwhile stays).
 */
import type { ResourceChange } from '../changes.js';
import { deleteSystem } from '../definitions.js';
import { changeResources } from '../resources.js';
import { systemsByName, type NetContext } from './context.js';
import type { LinkPlan } from './plan.js';
import { removeCreated } from './realise.js';
import type { NetworkIntent, NewRouter, StoredNetwork } from './types.js';

/** What a define (with the shared switches it creates) or an added link is about to make. */
export function intentOf(op: NetworkIntent['op'], newShared: readonly string[], plan: LinkPlan, systems?: readonly NewRouter[]): NetworkIntent {
  return {
    op,
    switches: [...newShared, ...plan.newSwitches],
    linkSwitches: [...plan.newSwitches],
    ...(plan.adds.length > 0 ? { interfaces: plan.adds.map((a) => ({ system: a.system, mac: a.nic.mac! })) } : {}),
    rates: plan.rates.map((r) => ({ system: r.system, mac: r.mac, old: r.old })),
    ...(systems && systems.length > 0 ? { systems: systems.map((r) => ({ name: r.name, uuid: r.uuid })) } : {}),
  };
}

/** The record a reserved define stands as until it is stored whole: no member yet, its intent. */
export function reservationOf(name: string, systems: readonly NewRouter[], switches: readonly string[]): StoredNetwork {
  return {
    version: 1, name, members: [], switches: [], links: [], created: { switches: [], interfaces: [] },
    pending: { ...intentOf('define', switches, { links: [], newSwitches: [], adds: [], rates: [] }, systems) },
  };
}

/**
 * Undo an intent left by a crash (start-up, before the networks are served). Returns the network
 * as it stands afterwards: undefined for a define (nothing of it is left; `reservation`: the
 * record stored in its place, a reserved define's), the network without its intent for an added link.
 */
export async function rollBack(ctx: NetContext, n: StoredNetwork, reservation?: StoredNetwork): Promise<StoredNetwork | undefined> {
  const p = n.pending!;
  let systems = await systemsByName(ctx);
  // The define's new routers first: their interfaces then leave the switches it made.
  const mine = (p.systems ?? []).filter((r) => systems.get(r.name)?.uuid === r.uuid);
  for (const r of mine) await deleteSystem(ctx.m, r.name);
  if (mine.length > 0) systems = await systemsByName(ctx);
  const rates: ResourceChange[] = p.rates
    .filter((r) => systems.get(r.system)?.config.nics.some((x) => x.mac === r.mac))
    .map((r) => ({ system: r.system, action: 'set_nic_rate', mac: r.mac, rate: r.old }));
  if (rates.length > 0) await changeResources(ctx.m, rates);
  // The interfaces it added, by the MACs it chose (a link on a switch the host already had too);
  // and the members' interfaces on the link switches it was to create are its own.
  const made = [
    ...(p.interfaces ?? []),
    ...n.members.flatMap((mb) => (systems.get(mb.system)?.config.nics ?? [])
      .filter((x) => x.mac && x.bridge !== undefined && p.linkSwitches.includes(x.bridge) && !p.interfaces?.some((i) => i.mac === x.mac))
      .map((x) => ({ system: mb.system, mac: x.mac! }))),
  ];
  await removeCreated(ctx, n.name, made, p.switches, `undoing the network '${n.name}' cut by the last stop`);
  if (p.op === 'define') {
    // A reserved define's record goes back to the reservation in one write: removed first, a
    // crash before the reservation was stored again would leave its caller's routers unnamed.
    await (reservation ? ctx.store.save(reservation) : ctx.store.remove(n.name));
    return undefined;
  }
  const { pending: _undone, ...before } = n;
  await ctx.store.save(before);
  return before;
}
