/**
 * Resource pools (DSP1041 §7.2): one primordial pool per resource type we allocate, plus one
 * child network pool per bridge. Capacity and Reserved are the advertised figures
 * (virt/capacity.ts), never raw physical ones.
 */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { POOL_CLASS } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { type PoolModel, poolModels } from './pool-model.js';

function poolInstance(ctx: ProviderContext, p: PoolModel): CimInstance {
  return build(ctx, p.className, {
    InstanceID: p.poolId,
    PoolID: p.poolId,
    ElementName: p.elementName,
    Caption: p.bridge ? `Bridge: ${p.bridge}` : p.elementName,
    Primordial: p.primordial,
    ResourceType: p.resourceType,
    AllocationUnits: p.units,
    Capacity: p.capacity,
    Reserved: p.reserved,
    OperationalStatus: [2],
    HealthState: 5,
  });
}

export function poolClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const of = (className: string): ClassSource => ({
    list: async (ctx) => (await poolModels(deps.virt)).filter((p) => p.className === className).map((p) => poolInstance(ctx, p)),
  });
  return Object.fromEntries(Object.values(POOL_CLASS).map((c) => [c, of(c)]));
}
