/**
 * The virtual network model (virt/networks) as this profile uses it: the one place that names
 * its calls, so the CIM side reads networks from one snapshot per request and translates the
 * model's failures once.
 */
import { type NetworkManager, VirtError, type VirtualNetwork } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';

export function networkModel(deps: Pick<ProviderDeps, 'virt'>): NetworkManager {
  return deps.virt.networks;
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
