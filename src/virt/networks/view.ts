/**
 * What a network looks like now: its members' states folded into one network state, and the
 * picture a drawing needs, both from one read of the systems and switches.
 */
import type { SystemState } from '../states.js';
import type { VirtualSwitch, VirtualSystem } from '../types.js';
import type { NetworkPicture, NetworkState, NetworkTarget, StoredNetwork, VirtualNetwork } from './types.js';

/** The whole-network state a member's steady state counts as (transitional states: none). */
export function targetOf(state: SystemState): NetworkTarget | undefined {
  switch (state) {
    case 'running':
      return 'running';
    case 'paused':
      return 'paused';
    case 'suspended':
      return 'suspended';
    case 'defined':
      return 'stopped';
    default:
      return undefined;
  }
}

/** One state when every member is in it; 'mixed' otherwise (a missing member counts as stopped). */
export function networkState(n: StoredNetwork, systems: ReadonlyMap<string, VirtualSystem>): NetworkState {
  if (n.members.length === 0) return 'empty';
  const states = new Set(n.members.map((m) => targetOf(systems.get(m.system)?.state ?? 'defined') ?? 'mixed'));
  return states.size === 1 ? [...states][0]! : 'mixed';
}

/** Every switch the network uses: its shared ones, then its links' (each once). */
export function switchesOf(n: StoredNetwork): string[] {
  return [...new Set([...n.switches, ...n.links.map((l) => l.switch)])];
}

export function toVirtualNetwork(n: StoredNetwork, systems: ReadonlyMap<string, VirtualSystem>): VirtualNetwork {
  const out: VirtualNetwork = {
    name: n.name,
    members: n.members.map((m) => ({ ...m })),
    switches: switchesOf(n),
    links: structuredClone(n.links),
    state: networkState(n, systems),
  };
  if (n.requested) out.requested = n.requested;
  return out;
}

export function pictureOf(
  n: StoredNetwork, systems: ReadonlyMap<string, VirtualSystem>, hostSwitches: readonly VirtualSwitch[],
  uplinkBitsPerSecond: number, reservedBitsPerSecond: number,
): NetworkPicture {
  const up = new Map(hostSwitches.map((s) => [s.name, s.up]));
  const linkOf = new Map(n.links.map((l) => [l.switch, l.name]));
  return {
    name: n.name,
    state: networkState(n, systems),
    systems: n.members.map((m) => {
      const s = systems.get(m.system);
      return {
        name: m.system,
        state: s?.state ?? 'defined',
        priority: m.priority,
        interfaces: (s?.config.nics ?? []).map((nic) => ({
          mac: nic.mac, switch: nic.bridge,
          ...(nic.rate ? { limitBitsPerSecond: nic.rate.bytesPerSecond * 8 } : {}),
        })),
      };
    }),
    switches: switchesOf(n).map((name) => {
      const link = linkOf.get(name);
      return { name, up: up.get(name) ?? false, ...(link !== undefined ? { link } : {}) };
    }),
    links: n.links.map((l) => ({
      name: l.name, switch: l.switch,
      ends: [{ system: l.ends[0].system, mac: l.ends[0].mac }, { system: l.ends[1].system, mac: l.ends[1].mac }],
      ...(l.limitBitsPerSecond !== undefined ? { limitBitsPerSecond: l.limitBitsPerSecond } : {}),
      ...(l.reservationBitsPerSecond !== undefined ? { reservationBitsPerSecond: l.reservationBitsPerSecond } : {}),
    })),
    uplinkBitsPerSecond,
    reservedBitsPerSecond,
  };
}
