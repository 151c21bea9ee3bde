/**
 * Checks links against the systems and the other networks, before anything changes, and says
 * what realising them takes: switches to create, interfaces to add (on the link's switch, with
 * its limit), rates to set on interfaces given by MAC. A link's limit is the rate of both its
 * ends (each end limits what its router sends, so both directions are bounded).
 */
import { randomBytes } from 'node:crypto';
import { VirtError } from '../errors.js';
import type { NicSpec, Rate, VirtualSystem } from '../types.js';
import { checkName, checkSwitchName, linkSwitchName } from './names.js';
import type { Link, LinkSpec } from './types.js';

/** Rates are bytes per second (at most 10^12): a limit is 8 bit/s to 8 Tbit/s. */
export const MAX_BITS_PER_SECOND = 8e12;

export interface LinkPlan {
  links: Link[];
  /** Link switches the host lacks (created first). */
  newSwitches: string[];
  /**
   * Interfaces to add, each with its MAC chosen here (so a crash's roll-back knows them by it):
   * `links[link].ends[end].mac` is filled in once added.
   */
  adds: { link: number; end: 0 | 1; system: string; nic: NicSpec }[];
  /** Rates of interfaces given by MAC that differ from their link's limit. */
  rates: { system: string; mac: string; rate: Rate | null; old: Rate | null }[];
}

export interface LinkContext {
  network: string;
  members: ReadonlySet<string>;
  systems: ReadonlyMap<string, VirtualSystem>;
  /** Names already used by links of this network. */
  linkNames: ReadonlySet<string>;
  /** Switches the host has or that this change creates already. */
  switches: Set<string>;
  /** Interfaces that are already some link's end: MAC → "link 'l' of network 'n'". */
  usedMacs: ReadonlyMap<string, string>;
}

function bad(msg: string): never {
  throw new VirtError('invalid_argument', msg);
}

/** A bandwidth in bit/s: an integer from 8 (1 byte/s) to MAX_BITS_PER_SECOND; undefined/null: none. */
export function checkBits(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 8 || value > MAX_BITS_PER_SECOND) {
    bad(`${what} must be an integer number of bit/s from 8 to ${MAX_BITS_PER_SECOND} (got ${String(value)})`);
  }
  return value;
}

/** The interface rate that realises a link limit (null: unlimited). */
export function rateOf(limitBitsPerSecond: number | undefined): Rate | null {
  return limitBitsPerSecond === undefined ? null : { bytesPerSecond: Math.max(1, Math.floor(limitBitsPerSecond / 8)) };
}

export function sameRate(a: Rate | null | undefined, b: Rate | null | undefined): boolean {
  return (a?.bytesPerSecond ?? null) === (b?.bytesPerSecond ?? null);
}

export function checkBandwidth(l: { limitBitsPerSecond?: number | undefined; reservationBitsPerSecond?: number | undefined }, what: string): void {
  if (l.limitBitsPerSecond !== undefined && l.reservationBitsPerSecond !== undefined && l.reservationBitsPerSecond > l.limitBitsPerSecond) {
    bad(`${what}: the reservation (${l.reservationBitsPerSecond} bit/s) exceeds the limit (${l.limitBitsPerSecond} bit/s)`);
  }
}

/** A MAC in Xen's OUI (first byte below 0x80, as xl makes them) that no system has. */
function freshMac(taken: Set<string>): string {
  for (;;) {
    const b = randomBytes(3);
    b[0] = b[0]! & 0x7f;
    const mac = ['00', '16', '3e', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
    if (!taken.has(mac)) {
      taken.add(mac);
      return mac;
    }
  }
}

export function planLinks(ctx: LinkContext, specs: readonly LinkSpec[]): LinkPlan {
  const plan: LinkPlan = { links: [], newSwitches: [], adds: [], rates: [] };
  const taken = new Set([...ctx.systems.values()].flatMap((s) => s.config.nics.map((n) => n.mac.toLowerCase())));
  const names = new Set(ctx.linkNames);
  const macs = new Map(ctx.usedMacs);
  specs.forEach((spec, i) => {
    if (!spec || typeof spec !== 'object') bad(`link ${i + 1} of network '${ctx.network}' is not a link`);
    const name = checkName(spec.name, 'link');
    const what = `link '${name}' of network '${ctx.network}'`;
    if (names.has(name)) throw new VirtError('conflict', `network '${ctx.network}' already has a link '${name}'`);
    names.add(name);
    const limit = checkBits(spec.limitBitsPerSecond, `${what}: the limit`);
    const reservation = checkBits(spec.reservationBitsPerSecond, `${what}: the reservation`);
    checkBandwidth({ limitBitsPerSecond: limit, reservationBitsPerSecond: reservation }, what);
    if (!Array.isArray(spec.ends) || spec.ends.length !== 2) bad(`${what} needs exactly two ends`);
    const bridges: (string | undefined)[] = [];
    const ends = spec.ends.map((e, k) => {
      if (!e || typeof e.system !== 'string') bad(`${what}: end ${k + 1} names no system`);
      if (!ctx.members.has(e.system)) bad(`${what}: '${e.system}' is not a member of the network`);
      const sys = ctx.systems.get(e.system)!;
      if (e.mac === undefined) {
        bridges.push(undefined);
        return { system: e.system, mac: '' };
      }
      const mac = String(e.mac).toLowerCase();
      const nic = sys.config.nics.find((n) => n.mac === mac);
      if (!nic) throw new VirtError('not_found', `${what}: '${e.system}' has no interface ${mac}`);
      const user = macs.get(mac);
      if (user) throw new VirtError('conflict', `${what}: interface ${mac} of '${e.system}' is already an end of ${user}`);
      macs.set(mac, `link '${name}' of network '${ctx.network}'`);
      bridges.push(nic.bridge);
      return { system: e.system, mac };
    }) as Link['ends'];
    if (ends[0].system === ends[1].system) bad(`${what}: both ends are on '${ends[0].system}'; a link joins two routers`);
    const given = [...new Set(bridges.filter((b): b is string => b !== undefined))];
    if (given.length > 1) bad(`${what}: its ends are on different switches (${given.join(', ')}); a link is one segment`);
    let sw: string;
    if (spec.switch !== undefined) {
      sw = checkSwitchName(spec.switch, `${what}: switch`);
      if (given.length === 1 && given[0] !== sw) bad(`${what}: interface on ${given[0]} is not on the link's switch ${sw}`);
    } else {
      sw = given[0] ?? linkSwitchName(ctx.network, name, ctx.switches);
    }
    if (!ctx.switches.has(sw)) {
      ctx.switches.add(sw);
      plan.newSwitches.push(sw);
    }
    const link: Link = { name, ends, switch: sw };
    if (limit !== undefined) link.limitBitsPerSecond = limit;
    if (reservation !== undefined) link.reservationBitsPerSecond = reservation;
    const li = plan.links.push(link) - 1;
    const rate = rateOf(limit);
    ends.forEach((e, k) => {
      if (e.mac === '') {
        plan.adds.push({ link: li, end: k as 0 | 1, system: e.system, nic: { mac: freshMac(taken), bridge: sw, ...(rate ? { rate } : {}) } });
        return;
      }
      const old = ctx.systems.get(e.system)!.config.nics.find((n) => n.mac === e.mac)!.rate ?? null;
      if (!sameRate(old, rate)) plan.rates.push({ system: e.system, mac: e.mac, rate, old });
    });
  });
  return plan;
}
