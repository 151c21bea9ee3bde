/** The virtual systems as providers read them: one snapshot per request, failures translated once. */
import { VirtError, type VirtualSystem } from '../../virt/index.js';
import type { ProviderDeps } from './deps.js';
import { toCimError } from './errors.js';

/** Every system from ONE cached snapshot of the driver: never one xl call per instance. */
export async function allSystems(deps: Pick<ProviderDeps, 'virt'>): Promise<VirtualSystem[]> {
  try {
    return await deps.virt.listSystems();
  } catch (e) {
    throw toCimError(e, 'listing virtual systems');
  }
}

/** One system, or undefined when there is none of that name. */
export async function findSystem(deps: Pick<ProviderDeps, 'virt'>, name: string): Promise<VirtualSystem | undefined> {
  try {
    return await deps.virt.getSystem(name);
  } catch (e) {
    if (VirtError.is(e, 'not_found')) return undefined;
    throw toCimError(e, `reading virtual system '${name}'`);
  }
}
