/**
 * The bandwidth an interface has reserved: what the point-to-point link it is an end of reserves
 * (virtual networks keep links with a reservation admitted against the uplink). Without a virtual
 * network model on this host, no interface reserves anything.
 */
import type { ProviderDeps } from '../shared/deps.js';

export interface Reservations {
  /** Reserved bit/second of the interface `mac` of `system`; 0 when none. */
  of(system: string, mac: string): number;
}

export async function reservations(_deps: Pick<ProviderDeps, 'virt'>): Promise<Reservations> {
  return { of: () => 0 };
}
