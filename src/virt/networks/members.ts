/**
 * Members that went behind the network's back: a router deleted or renamed with xl directly, or
 * the server killed between a router's delete (or rename) and its network's save. A network
 * naming a system that no longer exists could never be launched nor get a link again, so it is
 * brought in step: a member found again under another name (a system outside every network that
 * holds one of its link interfaces, whose MACs are its own) follows it, as a rename does; a member
 * gone for good leaves with its links (and their reservations), as a delete does. Runs at start-up
 * and before a whole-network change, under the registry lock; so does a link whose interface is
 * gone from its router. Link rates a cut bandwidth change
 * left are put back at start-up too (reconcileRates).
 */
import type { ResourceChange } from '../changes.js';
import { changeResources } from '../resources.js';
import type { VirtualSystem } from '../types.js';
import { saveNetwork, type NetContext } from './context.js';
import { rateOf, sameRate } from './plan.js';
import type { StoredNetwork } from './types.js';

/** Brings the networks (or one) in step with `systems`; returns what it did, one line per member. */
export async function reconcileMembers(ctx: NetContext, systems: ReadonlyMap<string, VirtualSystem>, only?: string): Promise<string[]> {
  const done: string[] = [];
  for (const n0 of [...ctx.nets.values()]) {
    if (only !== undefined && n0.name !== only) continue;
    let n: StoredNetwork = n0;
    for (const mb of n0.members) {
      if (systems.has(mb.system)) continue;
      const macs = new Set([
        ...n.links.flatMap((l) => l.ends.filter((e) => e.system === mb.system).map((e) => e.mac.toLowerCase())),
        ...n.created.interfaces.filter((i) => i.system === mb.system).map((i) => i.mac.toLowerCase()),
      ]);
      const members = new Set([...ctx.nets.values()].flatMap((o) => (o.name === n.name ? n : o).members.map((m) => m.system)));
      const found = macs.size === 0 ? undefined
        : [...systems.values()].find((s) => !members.has(s.name) && s.config.nics.some((x) => x.mac !== undefined && macs.has(x.mac.toLowerCase())));
      if (found) {
        const r = (s: string): string => (s === mb.system ? found.name : s);
        n = {
          ...n,
          members: n.members.map((m) => ({ ...m, system: r(m.system) })),
          links: n.links.map((l) => ({ ...l, ends: [{ ...l.ends[0], system: r(l.ends[0].system) }, { ...l.ends[1], system: r(l.ends[1].system) }] })),
          created: { ...n.created, interfaces: n.created.interfaces.map((i) => ({ ...i, system: r(i.system) })) },
        };
        done.push(`network '${n.name}': its member '${mb.system}' is now named '${found.name}' (found by its link interfaces): the network follows it`);
      } else {
        n = {
          ...n,
          members: n.members.filter((m) => m.system !== mb.system),
          links: n.links.filter((l) => !l.ends.some((e) => e.system === mb.system)),
        };
        done.push(`network '${n.name}': its member '${mb.system}' no longer exists: it left the network with its links`);
      }
    }
    // A link one of whose interfaces is gone from its (existing) router: a RemoveLink cut by a
    // kill -9 after it removed the interfaces, or an interface removed with xl directly. The link
    // can carry nothing: it goes, with its reservation (what the network created stays recorded).
    const broken = n.links.filter((l) => l.ends.some((e) => {
      const sys = systems.get(e.system);
      return sys !== undefined && !sys.config.nics.some((x) => x.mac.toLowerCase() === e.mac.toLowerCase());
    }));
    if (broken.length > 0) {
      n = { ...n, links: n.links.filter((l) => !broken.includes(l)) };
      for (const l of broken) done.push(`network '${n.name}': an interface of its link '${l.name}' is gone: the link is removed`);
    }
    if (n !== n0) await saveNetwork(ctx, n);
  }
  for (const line of done) ctx.m.log(line);
  return done;
}

/**
 * Link ends whose rate is not their link's limit: a SetLinkBandwidth cut by a kill -9 after it
 * set the rates and before the network was stored (the stored record is what was agreed: the
 * request never answered). Put back to the link's limit at start-up, in one all-or-nothing change.
 */
export async function reconcileRates(ctx: NetContext, systems: ReadonlyMap<string, VirtualSystem>): Promise<string[]> {
  const changes: ResourceChange[] = [];
  const done: string[] = [];
  for (const n of ctx.nets.values()) {
    for (const l of n.links) {
      const rate = rateOf(l.limitBitsPerSecond);
      for (const e of l.ends) {
        const nic = systems.get(e.system)?.config.nics.find((x) => x.mac === e.mac);
        if (!nic || sameRate(nic.rate, rate)) continue;
        changes.push({ system: e.system, action: 'set_nic_rate', mac: e.mac, rate });
        done.push(`network '${n.name}': interface ${e.mac} of '${e.system}' had another rate than its link '${l.name}' (a bandwidth change cut by the last stop): put back to the link's`);
      }
    }
  }
  if (changes.length === 0) return [];
  await changeResources(ctx.m, changes);
  for (const line of done) ctx.m.log(line);
  return done;
}
