/**
 * The link an interface is an end of: a virtual network's point-to-point link joins two
 * interfaces on a switch of their own, with a reservation admitted against the uplink bandwidth
 * (net of overhead). Everything an end receives comes from the other end, so what the other end
 * may send (its rate) bounds what this one receives.
 */
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';

export interface LinkEnd {
  network: string;
  link: string;
  /** bit/second; 0 when the link reserves nothing. */
  reservation: number;
  /** The interface at the other end. */
  peer: { system: string; mac: string };
}

export interface LinkEnds {
  /** The link the interface `mac` of `system` is an end of, if any. */
  of(system: string, mac: string): LinkEnd | undefined;
}

export async function linkEnds(deps: Pick<ProviderDeps, 'virt'>): Promise<LinkEnds> {
  let networks;
  try {
    networks = await deps.virt.networks.list();
  } catch (e) {
    throw toCimError(e, 'listing virtual networks');
  }
  const ends = new Map<string, LinkEnd>();
  for (const n of networks) {
    for (const l of n.links) {
      const [a, b] = l.ends;
      const base = { network: n.name, link: l.name, reservation: l.reservationBitsPerSecond ?? 0 };
      ends.set(`${a.system}/${a.mac}`, { ...base, peer: { system: b.system, mac: b.mac } });
      ends.set(`${b.system}/${b.mac}`, { ...base, peer: { system: a.system, mac: a.mac } });
    }
  }
  return { of: (system, mac) => ends.get(`${system}/${mac}`) };
}
