/**
 * Associations of the host side (DSP1042 §7, DSP1041 §7, DSP1043 §7), all in the DMTF direction:
 * - Xen_HostedService: Antecedent = host, Dependent = VSMS.
 * - Xen_HostedResourcePool: GroupComponent = host, PartComponent = each pool.
 * - Xen_HostedDependency: Antecedent = host, Dependent = each virtual system.
 * - Xen_ElementCapabilities (every instance of the class, one provider per class): host ↔ VSMC,
 *   VSMS ↔ VSMC (libvirt-cim does both, digest B2), pool ↔ its AllocationCapabilities, virtual
 *   system ↔ its Xen_EnabledLogicalElementCapabilities (InstanceID = system name, libvirt-cim §3.1).
 * - Xen_ElementAllocatedFromPool: Antecedent = pool, Dependent = logical device (Xen_Processor per
 *   vCPU, Xen_Memory, Xen_LogicalDisk, Xen_NetworkPort), and child network pool ← primordial one.
 * - Xen_ResourceAllocationFromPool: Antecedent = pool, Dependent = RASD.
 * - Xen_ServiceAffectsElement (DSP1042 §7, optional): VSMS → each virtual system, 5 "Manages".
 */
import type { CimInstance } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import {
  VIRT_NS, computerSystemName, deviceName, hostName, instanceIdName, rasdInstanceId,
} from '../shared/naming.js';
import { build, listProvider } from '../shared/provider.js';
import { allocations, poolModels } from '../dsp1041-resource-allocation/pool-model.js';
import { acName, elecName, poolName, vsmcName, vsmsName } from '../shared/service-names.js';

const HOSTED_SERVICE = 'Xen_HostedService';
const HOSTED_POOL = 'Xen_HostedResourcePool';
const HOSTED_DEPENDENCY = 'Xen_HostedDependency';
const ELEMENT_CAPABILITIES = 'Xen_ElementCapabilities';
const EAFP = 'Xen_ElementAllocatedFromPool';
const RAFP = 'Xen_ResourceAllocationFromPool';
const SERVICE_AFFECTS = 'Xen_ServiceAffectsElement';

export function createHostAssociationProvider(deps: ProviderDeps): InstanceProvider {
  const host = () => hostName(deps.hostName);
  const assoc = (ctx: ProviderContext, cls: string) => (values: Parameters<typeof build>[3]): CimInstance => build(ctx, VIRT_NS, cls, values);

  return listProvider({
    [HOSTED_SERVICE]: async (ctx) => [assoc(ctx, HOSTED_SERVICE)({ Antecedent: host(), Dependent: vsmsName(deps) })],

    [HOSTED_POOL]: async (ctx) =>
      (await poolModels(deps.virt)).map((p) => assoc(ctx, HOSTED_POOL)({ GroupComponent: host(), PartComponent: poolName(p) })),

    [SERVICE_AFFECTS]: async (ctx) =>
      (await deps.virt.listSystems()).map((s) => assoc(ctx, SERVICE_AFFECTS)({
        AffectedElement: computerSystemName(s.name), AffectingElement: vsmsName(deps), ElementEffects: [5],
      })),

    [HOSTED_DEPENDENCY]: async (ctx) =>
      (await deps.virt.listSystems()).map((s) => assoc(ctx, HOSTED_DEPENDENCY)({ Antecedent: host(), Dependent: computerSystemName(s.name) })),

    [ELEMENT_CAPABILITIES]: async (ctx) => {
      const make = assoc(ctx, ELEMENT_CAPABILITIES);
      const [pools, systems] = await Promise.all([poolModels(deps.virt), deps.virt.listSystems()]);
      return [
        make({ ManagedElement: host(), Capabilities: vsmcName() }),
        make({ ManagedElement: vsmsName(deps), Capabilities: vsmcName() }),
        ...pools.map((p) => make({ ManagedElement: poolName(p), Capabilities: acName(p.poolId) })),
        ...systems.map((s) => make({ ManagedElement: computerSystemName(s.name), Capabilities: elecName(s.name) })),
      ];
    },

    [EAFP]: async (ctx) => {
      const make = assoc(ctx, EAFP);
      const [pools, systems] = await Promise.all([poolModels(deps.virt), deps.virt.listSystems()]);
      const byId = new Map(pools.map((p) => [p.poolId, p]));
      const out: CimInstance[] = [];
      for (const p of pools) {
        const parent = p.parent ? byId.get(p.parent) : undefined;
        if (parent) out.push(make({ Antecedent: poolName(parent), Dependent: poolName(p) }));
      }
      for (const a of allocations(systems, pools)) {
        const pool = byId.get(a.poolId);
        if (!pool) continue;
        for (const devid of a.deviceDevids) {
          out.push(make({ Antecedent: poolName(pool), Dependent: deviceName(a.deviceClass, a.system, devid) }));
        }
      }
      return out;
    },

    [RAFP]: async (ctx) => {
      const make = assoc(ctx, RAFP);
      const [pools, systems] = await Promise.all([poolModels(deps.virt), deps.virt.listSystems()]);
      const byId = new Map(pools.map((p) => [p.poolId, p]));
      return allocations(systems, pools).flatMap((a) => {
        const pool = byId.get(a.poolId);
        return pool ? [make({ Antecedent: poolName(pool), Dependent: instanceIdName(a.rasdClass, rasdInstanceId(a.system, a.rasdDevid)) })] : [];
      });
    },
  });
}
