/**
 * Resource pools (DSP1041 §7.2, DSP1043): one primordial pool per resource type we allocate,
 * plus one child network pool per bridge. Capacity and Reserved are the advertised figures
 * (virt/capacity.ts), never raw physical ones (DESIGN §3.6).
 */
import type { CimInstance } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { POOL_CLASS, VIRT_NS } from '../shared/naming.js';
import { build, listProvider } from '../shared/provider.js';
import { type PoolModel, poolModels } from './pool-model.js';

export function poolInstance(ctx: ProviderContext | ProviderDeps, p: PoolModel): CimInstance {
  return build(ctx, VIRT_NS, p.className, {
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

export function createPoolProvider(deps: ProviderDeps): InstanceProvider {
  const of = (className: string) => async (ctx: ProviderContext) =>
    (await poolModels(deps.virt)).filter((p) => p.className === className).map((p) => poolInstance(ctx, p));
  return listProvider(Object.fromEntries(Object.values(POOL_CLASS).map((c) => [c, of(c)])));
}
