/** The virtual systems as providers read them: one snapshot per request, failures translated once. */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
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

/** Systems per batch of a streamed enumeration: a few hundred KiB of CIM-XML at most. */
export const SYSTEMS_PER_BATCH = 64;

/**
 * A class with instances per virtual system (none, one or several each): `list` builds them all,
 * `stream` builds SYSTEMS_PER_BATCH systems' worth at a time, from the same one snapshot.
 */
export function perSystem(
  deps: Pick<ProviderDeps, 'virt'>, make: (ctx: ProviderContext, sys: VirtualSystem) => CimInstance | CimInstance[],
): { list(ctx: ProviderContext): Promise<CimInstance[]>; stream(ctx: ProviderContext): AsyncIterable<CimInstance[]> } {
  const batch = (ctx: ProviderContext, systems: readonly VirtualSystem[]): CimInstance[] => {
    const out: CimInstance[] = [];
    for (const s of systems) {
      const made = make(ctx, s);
      if (Array.isArray(made)) for (const i of made) out.push(i);
      else out.push(made);
    }
    return out;
  };
  return {
    list: async (ctx) => batch(ctx, await allSystems(deps)),
    async *stream(ctx) {
      const systems = await allSystems(deps);
      for (let i = 0; i < systems.length; i += SYSTEMS_PER_BATCH) yield batch(ctx, systems.slice(i, i + SYSTEMS_PER_BATCH));
    },
  };
}
