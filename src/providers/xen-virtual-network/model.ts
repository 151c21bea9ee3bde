/**
 * The virtual network model (virt/networks) as this profile uses it: the one place that names
 * its calls, so the CIM side reads networks from one snapshot per request and translates the
 * model's failures once.
 */
import { VirtError } from '../../virt/index.js';
import type { Job } from '../../virt/index.js';
import type {
  Link, LinkSpec, MemberOutcome, NetworkPicture, NetworkSpec, NetworkTarget, VirtualNetwork,
} from '../../virt/networks/types.js';
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';

/** A whole-network state change: nothing to do, or a job over the members. */
export type NetworkChange =
  | { kind: 'already'; network: string }
  | { kind: 'job'; job: Job<MemberOutcome[]> };

export interface BandwidthChange {
  /** null: remove the limit; undefined: unchanged. */
  limitBitsPerSecond?: number | null;
  reservationBitsPerSecond?: number | null;
}

/** What the profile needs of virt's network model. */
export interface NetworkModel {
  list(): Promise<VirtualNetwork[]>;
  get(name: string): Promise<VirtualNetwork>;
  define(spec: NetworkSpec): Promise<VirtualNetwork>;
  destroy(name: string): Promise<void>;
  addLink(network: string, link: LinkSpec): Promise<VirtualNetwork>;
  removeLink(network: string, link: string): Promise<VirtualNetwork>;
  setLinkBandwidth(network: string, link: string, change: BandwidthChange): Promise<{ link: Link; effect: 'live' | 'next_start' }>;
  requestStateChange(network: string, target: NetworkTarget): Promise<NetworkChange>;
  picture(name: string): Promise<NetworkPicture>;
}

export function networkModel(deps: Pick<ProviderDeps, 'virt'>): NetworkModel {
  return (deps.virt as unknown as { networks: NetworkModel }).networks;
}

/** Every network, failures translated. */
export async function allNetworks(deps: Pick<ProviderDeps, 'virt'>): Promise<VirtualNetwork[]> {
  try {
    return await networkModel(deps).list();
  } catch (e) {
    throw toCimError(e, 'listing virtual networks');
  }
}

/** One network, or undefined when there is none of that name. */
export async function findNetwork(deps: Pick<ProviderDeps, 'virt'>, name: string): Promise<VirtualNetwork | undefined> {
  try {
    return await networkModel(deps).get(name);
  } catch (e) {
    if (VirtError.is(e, 'not_found')) return undefined;
    throw toCimError(e, `reading virtual network '${name}'`);
  }
}
