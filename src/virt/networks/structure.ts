/**
 * Defining and destroying networks and changing their links, all-or-nothing: everything that
 * can be checked is checked first (names, members and their other networks, link ends,
 * interfaces, uplink reservations); then the steps run (realise.ts) and the network is stored
 * last. Runs under the registry lock (and the network's own, so no whole-network state change
 * is under way); the systems' locks are taken by the resource changes inside.
 */
import type { ResourceChange } from '../changes.js';
import { VirtError } from '../errors.js';
import { changeResources } from '../resources.js';
import { isPartlyApplied, runSteps, type Step } from '../steps.js';
import type { VirtualSystem } from '../types.js';
import { linkEnds, saveNetwork, storeNetwork, systemsByName, type NetContext } from './context.js';
import { REGISTRY_LOCK, checkName, checkSwitchName, networkLockKey } from './names.js';
import { checkBandwidth, checkBits, planLinks, rateOf, sameRate } from './plan.js';
import { intentOf, reservationOf, rollBack } from './intent.js';
import { linkSteps, removeCreated, type Realised } from './realise.js';
import { admitReservations, advertisedUplink } from './uplink.js';
import type { Link, LinkBandwidth, LinkSpec, NetworkSpec, NewRouter, StoredNetwork } from './types.js';

/** A member's launch priority is an integer within ± this. */
export const PRIORITY_LIMIT = 1_000_000;

function bad(msg: string): never {
  throw new VirtError('invalid_argument', msg);
}

function underLocks<T>(ctx: NetContext, name: string, what: string, fn: () => Promise<T>): Promise<T> {
  return ctx.m.locks.withAll([REGISTRY_LOCK, networkLockKey(name)], fn, { what });
}

export function need(ctx: NetContext, name: string): StoredNetwork {
  const n = ctx.nets.get(name);
  if (!n) throw new VirtError('not_found', `no virtual network named '${String(name)}'`);
  return n;
}

async function uplinkOf(ctx: NetContext): Promise<number> {
  return advertisedUplink((await ctx.hostFacts()).uplinkBitsPerSecond);
}

export async function defineNetwork(ctx: NetContext, spec: NetworkSpec): Promise<StoredNetwork> {
  if (!spec || typeof spec !== 'object') bad('a network definition is required');
  const name = checkName(spec.name, 'network');
  return underLocks(ctx, name, `defining the network '${name}'`, async () => {
    if (ctx.nets.has(name)) throw new VirtError('conflict', `a virtual network named '${name}' already exists`);
    await undoLeftover(ctx, name);
    const reservation = ctx.reserved.get(name);
    if (reservation && !spec.reserved) throw new VirtError('conflict', `a virtual network named '${name}' is being defined`);
    if (spec.reserved && !reservation) throw new VirtError('conflict', `the name '${name}' was not reserved for this network (or the reservation was released)`);
    const systems = await systemsByName(ctx);
    if (!Array.isArray(spec.members) || spec.members.length === 0) bad(`network '${name}' needs at least one member system`);
    const members = spec.members.map((mb, i) => {
      if (!mb || typeof mb.system !== 'string') bad(`member ${i + 1} of network '${name}' names no system`);
      const sys = systems.get(mb.system);
      if (!sys) throw new VirtError('not_found', `network '${name}': no virtual system named '${mb.system}'`);
      const priority = mb.priority ?? sys.config.priority;
      if (!Number.isInteger(priority) || Math.abs(priority) > PRIORITY_LIMIT) {
        bad(`network '${name}': the priority of '${mb.system}' must be an integer from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT}`);
      }
      return { system: mb.system, priority };
    });
    const seen = new Set<string>();
    for (const mb of members) {
      if (seen.has(mb.system)) bad(`network '${name}' lists '${mb.system}' twice`);
      seen.add(mb.system);
      const other = memberOf(ctx, mb.system);
      if (other) throw new VirtError('conflict', `'${mb.system}' already belongs to the network '${other}'`);
    }
    const hostSwitches = new Set((await ctx.m.driver.switches()).map((s) => s.name));
    const shared = [...new Set((spec.switches ?? []).map((s) => checkSwitchName(s, `network '${name}': switch`)))];
    const newShared = shared.filter((s) => !hostSwitches.has(s));
    for (const s of newShared) hostSwitches.add(s);
    if (spec.links !== undefined && !Array.isArray(spec.links)) bad(`the links of network '${name}' must be a list`);
    const plan = planLinks({
      network: name, members: seen, systems, linkNames: new Set(), switches: hostSwitches, usedMacs: linkEnds(ctx.nets.values()),
    }, spec.links ?? []);
    admitReservations(ctx.nets.values(), plan.links.map((l) => ({ network: name, link: l.name, reservation: l.reservationBitsPerSecond ?? 0 })), await uplinkOf(ctx));
    const madeForIt = (spec.madeForIt ?? []).filter((s) => shared.includes(s) && !newShared.includes(s));
    const created: Realised = { switches: [...madeForIt], interfaces: [] };
    const n: StoredNetwork = { version: 1, name, members, switches: shared, links: plan.links, created };
    // What it is about to make is recorded first (intent.ts), so a crash midway is undone at start-up;
    // a reserved define's intent also keeps what its caller made for it (new routers and switches).
    const madeBefore = reservation?.pending;
    const intent = intentOf('define', [...(madeBefore?.switches ?? []), ...newShared], plan, madeBefore?.systems);
    await ctx.store.save({ ...structuredClone(n), pending: intent });
    try {
      await runSteps(`defining the network '${name}'`, [
        ...linkSteps(ctx.m, plan, newShared, created),
        { what: `storing the network '${name}'`, run: () => saveNetwork(ctx, n) },
      ], ctx.m.log);
    } catch (e) {
      // An undo that failed left some of it made: the intent stored above, rolled back now as at
      // start-up; kept for the next start when even that fails (its record is then all that knows).
      // (Its own part only: a reserved define's caller undoes the routers and switches it made.)
      if (isPartlyApplied(e) && !(await rolledBack(ctx, { ...structuredClone(n), pending: intentOf('define', newShared, plan) }, reservation))) {
        // The record kept is no longer the reservation: the caller's release of the name must leave it.
        ctx.reserved.delete(name);
        ctx.leftovers.set(name, { ...structuredClone(n), pending: intent });
        throw e;
      }
      // Undone by runSteps: its intent goes too, or back to the reservation while the caller undoes its part.
      await (reservation ? ctx.store.save(reservation) : ctx.store.remove(name)).catch(() => {});
      throw e;
    }
    ctx.reserved.delete(name);
    return n;
  });
}

/**
 * Reserve a network name before making what the network will need (new routers, the switches
 * their interfaces go on): stored as a define's intent naming them (intent.ts), so a crash before
 * the network is stored whole removes them at the next start. `defineNetwork` with `reserved`
 * takes it over; `releaseNetwork` drops it once the caller has undone its part of a refused define.
 */
export async function reserveNetwork(ctx: NetContext, name: string, routers: readonly NewRouter[], switches: readonly string[]): Promise<void> {
  const n = checkName(name, 'network');
  for (const sw of switches) checkSwitchName(sw, `network '${n}': switch`);
  await underLocks(ctx, n, `reserving the network name '${n}'`, async () => {
    if (ctx.nets.has(n)) throw new VirtError('conflict', `a virtual network named '${n}' already exists`);
    if (ctx.reserved.has(n)) throw new VirtError('conflict', `a virtual network named '${n}' is being defined`);
    await undoLeftover(ctx, n);
    const record = reservationOf(n, routers, switches);
    await storeNetwork(ctx, record);
    ctx.reserved.set(n, record);
  });
}

/** Drop a reservation a define did not take over (its caller undid what it made). */
export async function releaseNetwork(ctx: NetContext, name: string): Promise<void> {
  await underLocks(ctx, name, `releasing the network name '${name}'`, async () => {
    if (!ctx.reserved.delete(name)) return;
    if (!ctx.nets.has(name)) await ctx.store.remove(name);
  });
}

/** The network a system belongs to. */
export function memberOf(ctx: NetContext, system: string): string | undefined {
  for (const n of ctx.nets.values()) if (n.members.some((m) => m.system === system)) return n.name;
  return undefined;
}

export async function destroyNetwork(ctx: NetContext, name: string): Promise<void> {
  await underLocks(ctx, String(name), `destroying the network '${String(name)}'`, async () => {
    const n = need(ctx, name);
    await removeCreated(ctx, name, n.created.interfaces, n.created.switches, `destroying the network '${name}'`);
    await ctx.store.remove(name);
    ctx.nets.delete(name);
  });
}

export async function addLink(ctx: NetContext, network: string, spec: LinkSpec): Promise<StoredNetwork> {
  return underLocks(ctx, String(network), `adding a link to the network '${String(network)}'`, async () => {
    const n = need(ctx, network);
    const systems = await systemsByName(ctx);
    for (const mb of n.members) if (!systems.has(mb.system)) throw new VirtError('not_found', `network '${network}': its member '${mb.system}' no longer exists`);
    const hostSwitches = new Set((await ctx.m.driver.switches()).map((s) => s.name));
    const plan = planLinks({
      network, members: new Set(n.members.map((mb) => mb.system)), systems, linkNames: new Set(n.links.map((l) => l.name)),
      switches: hostSwitches, usedMacs: linkEnds(ctx.nets.values()),
    }, [spec]);
    const link = plan.links[0]!;
    admitReservations(ctx.nets.values(), [{ network, link: link.name, reservation: link.reservationBitsPerSecond ?? 0 }], await uplinkOf(ctx));
    const made: Realised = { switches: [], interfaces: [] };
    const next = (): StoredNetwork => ({
      ...n, links: [...n.links, link],
      created: { switches: [...n.created.switches, ...made.switches], interfaces: [...n.created.interfaces, ...made.interfaces] },
    });
    let stored: StoredNetwork | undefined;
    await ctx.store.save({ ...n, pending: intentOf('add_link', [], plan) });
    try {
      await runSteps(`adding the link '${link.name}' to the network '${network}'`, [
        ...linkSteps(ctx.m, plan, [], made),
        { what: `storing the network '${network}'`, run: async () => { stored = next(); await saveNetwork(ctx, stored); } },
      ], ctx.m.log);
    } catch (e) {
      if (isPartlyApplied(e) && !(await rolledBack(ctx, { ...n, pending: intentOf('add_link', [], plan) }))) throw e;
      await ctx.store.save(n).catch(() => {}); // undone by runSteps: the network as it was
      throw e;
    }
    return stored!;
  });
}

/** Removes a link: the interfaces and the switch the network created for it go; interfaces given by MAC stay. */
export async function removeLink(ctx: NetContext, network: string, linkName: string): Promise<StoredNetwork> {
  return underLocks(ctx, String(network), `removing a link of the network '${String(network)}'`, async () => {
    const n = need(ctx, network);
    const link = n.links.find((l) => l.name === linkName);
    if (!link) throw new VirtError('not_found', `network '${network}' has no link '${String(linkName)}'`);
    const mine = (i: { system: string; mac: string }): boolean => link.ends.some((e) => e.system === i.system && e.mac === i.mac);
    const interfaces = n.created.interfaces.filter(mine);
    const switches = n.created.switches.filter((s) => s === link.switch && !n.switches.includes(s));
    const left = await removeCreated(ctx, network, interfaces, switches, `removing the link '${linkName}' of the network '${network}'`);
    const next: StoredNetwork = {
      ...n, links: n.links.filter((l) => l !== link),
      created: { switches: n.created.switches.filter((s) => !switches.includes(s) || left.includes(s)), interfaces: n.created.interfaces.filter((i) => !mine(i)) },
    };
    await saveNetwork(ctx, next);
    return next;
  });
}

/** The outcome of a bandwidth change: live when an end's system is active (its interface took the new rate at once). */
export interface BandwidthChange {
  link: Link;
  effect: 'live' | 'next_start';
}

export async function setLinkBandwidth(ctx: NetContext, network: string, linkName: string, bw: LinkBandwidth): Promise<BandwidthChange> {
  if (!bw || typeof bw !== 'object') bad('a bandwidth change needs a limit or a reservation');
  // Only the registry lock: a bandwidth change may run while the network launches (it is live).
  return ctx.m.locks.with(REGISTRY_LOCK, async () => {
    const n = need(ctx, network);
    const link = n.links.find((l) => l.name === linkName);
    if (!link) throw new VirtError('not_found', `network '${network}' has no link '${String(linkName)}'`);
    const what = `link '${linkName}' of network '${network}'`;
    const next: Link = structuredClone(link);
    if (bw.limitBitsPerSecond !== undefined) {
      const v = checkBits(bw.limitBitsPerSecond, `${what}: the limit`);
      if (v === undefined) delete next.limitBitsPerSecond;
      else next.limitBitsPerSecond = v;
    }
    if (bw.reservationBitsPerSecond !== undefined) {
      const v = checkBits(bw.reservationBitsPerSecond, `${what}: the reservation`);
      if (v === undefined) delete next.reservationBitsPerSecond;
      else next.reservationBitsPerSecond = v;
    }
    checkBandwidth(next, what);
    if ((next.reservationBitsPerSecond ?? 0) > (link.reservationBitsPerSecond ?? 0)) {
      admitReservations(ctx.nets.values(), [{ network, link: linkName, reservation: next.reservationBitsPerSecond ?? 0 }], await uplinkOf(ctx));
    }
    const systems = await systemsByName(ctx);
    const rate = rateOf(next.limitBitsPerSecond);
    const changes: ResourceChange[] = [];
    for (const e of link.ends) {
      const nic = systems.get(e.system)?.config.nics.find((x) => x.mac === e.mac);
      if (!nic) throw new VirtError('not_found', `${what}: '${e.system}' no longer has interface ${e.mac}`);
      if (!sameRate(nic.rate, rate)) changes.push({ system: e.system, action: 'set_nic_rate', mac: e.mac, rate });
    }
    const stored: StoredNetwork = { ...n, links: n.links.map((l) => (l === link ? next : l)) };
    const steps: Step[] = [];
    if (changes.length > 0) {
      steps.push({
        what: `setting the rate of ${what}`,
        run: async () => void (await changeResources(ctx.m, changes)),
        undo: async () => void (await changeResources(ctx.m, changes.map((c) => {
          const e = c as Extract<ResourceChange, { action: 'set_nic_rate' }>;
          return { ...e, rate: systems.get(e.system)!.config.nics.find((x) => x.mac === e.mac)!.rate ?? null };
        }))),
      });
    }
    steps.push({ what: `storing the network '${network}'`, run: () => saveNetwork(ctx, stored) });
    await runSteps(`changing the bandwidth of ${what}`, steps, ctx.m.log);
    const live = link.ends.some((e) => {
      const s: VirtualSystem | undefined = systems.get(e.system);
      return s?.live !== undefined;
    });
    return { link: structuredClone(next), effect: live ? 'live' : 'next_start' };
  });
}

/**
 * A member was deleted: it leaves its network, with the links it was an end of (what the network
 * created for them stays recorded, so destroying the network still removes it).
 */
export async function forgetMember(ctx: NetContext, system: string, why = 'was deleted'): Promise<void> {
  await ctx.m.locks.with(REGISTRY_LOCK, async () => {
    const name = memberOf(ctx, system);
    if (!name) return;
    const n = need(ctx, name);
    await saveNetwork(ctx, {
      ...n,
      members: n.members.filter((mb) => mb.system !== system),
      links: n.links.filter((l) => !l.ends.some((e) => e.system === system)),
    });
    ctx.m.log(`virtual system '${system}' ${why}: it left the network '${name}' with its links`);
  });
}

/** A member was renamed: the network follows it. */
export async function renameMember(ctx: NetContext, from: string, to: string): Promise<void> {
  await ctx.m.locks.with(REGISTRY_LOCK, async () => {
    const name = memberOf(ctx, from);
    if (!name) return;
    const n = need(ctx, name);
    const other = memberOf(ctx, to);
    if (other !== undefined && other !== name) {
      // Between the system's rename and this, another network took the system under its new
      // name (a define waiting for this lock): a system is in one network, so it leaves this one.
      await saveNetwork(ctx, {
        ...n,
        members: n.members.filter((mb) => mb.system !== from),
        links: n.links.filter((l) => !l.ends.some((e) => e.system === from)),
      });
      ctx.m.log(`virtual system '${from}' was renamed '${to}', which network '${other}' already has: it left the network '${name}' with its links`);
      return;
    }
    const r = (s: string): string => (s === from ? to : s);
    await saveNetwork(ctx, {
      ...n,
      members: n.members.map((mb) => ({ ...mb, system: r(mb.system) })),
      links: n.links.map((l) => ({ ...l, ends: [{ ...l.ends[0], system: r(l.ends[0].system) }, { ...l.ends[1], system: r(l.ends[1].system) }] })),
      created: { ...n.created, interfaces: n.created.interfaces.map((i) => ({ ...i, system: r(i.system) })) },
    });
  });
}

/**
 * Before a name is used again: what a failed define of it left (its intent kept) is undone first,
 * else its record would be written over and nothing would undo it. Refused while that fails.
 */
async function undoLeftover(ctx: NetContext, name: string): Promise<void> {
  const left = ctx.leftovers.get(name);
  if (!left) return;
  if (!(await rolledBack(ctx, left))) {
    throw new VirtError('conflict', `what an earlier, failed define of the network '${name}' made could not be undone yet (the log says why); ` +
      'it is tried again at every define of that name and at the next start');
  }
  ctx.leftovers.delete(name);
}

/** An intent rolled back now (intent.ts); false, with a log line, when that fails too. */
async function rolledBack(ctx: NetContext, withIntent: StoredNetwork, reservation?: StoredNetwork): Promise<boolean> {
  try {
    await rollBack(ctx, withIntent, reservation);
    return true;
  } catch (u) {
    ctx.m.log(`network '${withIntent.name}': what a failed change made could not be undone (${u instanceof Error ? u.message : String(u)}); its record is kept and undone at the next start`);
    return false;
  }
}
