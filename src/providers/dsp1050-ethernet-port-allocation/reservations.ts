/**
 * The link an interface is an end of, and what it reserves: a virtual network's point-to-point
 * links carry a reservation admitted against the uplink bandwidth (net of overhead). An
 * interface on no link reserves nothing.
 */
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';

export interface LinkEndOf {
  network: string;
  link: string;
  /** bit/second; 0 when the link reserves nothing. */
  reservation: number;
}

export interface Reservations {
  /** Reserved bit/second of the interface `mac` of `system`; 0 when none. */
  of(system: string, mac: string): number;
  /** The link the interface is an end of, if any. */
  linkOf(system: string, mac: string): LinkEndOf | undefined;
}

export async function reservations(deps: Pick<ProviderDeps, 'virt'>): Promise<Reservations> {
  let networks;
  try {
    networks = await deps.virt.networks.list();
  } catch (e) {
    throw toCimError(e, 'listing virtual networks');
  }
  const ends = new Map<string, LinkEndOf>();
  for (const n of networks) {
    for (const l of n.links) {
      for (const end of l.ends) ends.set(`${end.system}/${end.mac}`, { network: n.name, link: l.name, reservation: l.reservationBitsPerSecond ?? 0 });
    }
  }
  const linkOf = (system: string, mac: string) => ends.get(`${system}/${mac}`);
  return { of: (system, mac) => linkOf(system, mac)?.reservation ?? 0, linkOf };
}
