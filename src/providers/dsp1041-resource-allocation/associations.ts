/**
 * The associations of DSP1041 §7, in the DMTF direction:
 * - Xen_HostedResourcePool: GroupComponent = host, PartComponent = each pool.
 * - Xen_ResourceAllocationFromPool: Antecedent = pool, Dependent = each RASD drawn from it.
 * - Xen_ElementAllocatedFromPool: Antecedent = primordial network pool, Dependent = each bridge
 *   pool. The logical devices' allocation from their pools is served with the devices (DSP1057).
 */
import type { CimInstance } from '../../cim/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { hostName, instanceIdName, poolName, rasdId, RASD_CLASS } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { allSystems } from '../shared/systems.js';
import { allocations, poolModels } from './pool-model.js';

const HOSTED_POOL = 'Xen_HostedResourcePool';
export const EAFP = 'Xen_ElementAllocatedFromPool';
const RAFP = 'Xen_ResourceAllocationFromPool';

export function allocationAssociations(deps: ProviderDeps): Record<string, ClassSource> {
  return {
    [HOSTED_POOL]: {
      list: async (ctx) => (await poolModels(deps.virt)).map((p) => build(ctx, HOSTED_POOL, { GroupComponent: hostName(deps.hostName), PartComponent: poolName(p) })),
    },
    [EAFP]: {
      async list(ctx) {
        const pools = await poolModels(deps.virt);
        const byId = new Map(pools.map((p) => [p.poolId, p]));
        const out: CimInstance[] = [];
        for (const p of pools) {
          const parent = p.parent ? byId.get(p.parent) : undefined;
          if (parent) out.push(build(ctx, EAFP, { Antecedent: poolName(parent), Dependent: poolName(p) }));
        }
        return out;
      },
    },
    [RAFP]: {
      async list(ctx) {
        const [pools, systems] = await Promise.all([poolModels(deps.virt), allSystems(deps)]);
        const byId = new Map(pools.map((p) => [p.poolId, p]));
        return allocations(systems, pools).flatMap((a) => {
          const pool = byId.get(a.poolId);
          return pool ? [build(ctx, RAFP, { Antecedent: poolName(pool), Dependent: instanceIdName(RASD_CLASS[a.kind], rasdId(a.system, a.rasdDevid)) })] : [];
        });
      },
    },
  };
}
