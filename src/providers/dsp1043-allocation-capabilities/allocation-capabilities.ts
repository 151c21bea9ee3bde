/**
 * Capabilities of the host side:
 * - Xen_VirtualSystemManagementCapabilities (DSP1042 §7.3; digest B3): what the management
 *   service supports, truthfully (our VSMS methods all complete synchronously, never 4096).
 * - Xen_AllocationCapabilities (DSP1043 §7.1): one per pool, InstanceID = PoolID (libvirt-cim §3.7).
 * - Xen_SettingsDefineCapabilities (DSP1043 §7.3): each AllocationCapabilities → its four template
 *   RASDs (templates.ts) with ValueRole/ValueRange, PropertyPolicy 0 "Independent".
 */
import type { CimInstance } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import type { PoolKind } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { VIRT_NS, VSMC_INSTANCE_ID, instanceIdName } from '../shared/naming.js';
import { build, listProvider } from '../shared/provider.js';
import { AC_CLASS, VSMC_CLASS, acName } from '../shared/service-names.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/pool-model.js';
import { TEMPLATE_SDC, templateModels } from './templates.js';
import { VIRTUAL_SYSTEM_TYPE } from '../dsp1057-virtual-system/vssd-convert.js';

export const SDC_CLASS = 'Xen_SettingsDefineCapabilities';

/** CIM_VirtualSystemManagementCapabilities.SynchronousMethodsSupported ValueMap. */
export const VSMS_METHOD_SUPPORT = {
  DefineSystem: 2,
  DestroySystem: 3,
  ModifyResourceSettings: 5,
  ModifySystemSettings: 6,
  RemoveResourceSettings: 7,
  AddResourceSettings: 10,
} as const;

/**
 * VSSD.VirtualSystemType values: the ones our VSSDs carry (vssd-convert.ts: "Xen" as libvirt-cim,
 * "XenFV", "Xen PVH") and the DMTF-registered ones DefineSystem also accepts.
 */
export const DEFAULT_VIRTUAL_SYSTEM_TYPES = [...Object.values(VIRTUAL_SYSTEM_TYPE), 'DMTF:XEN:PV', 'DMTF:XEN:HVM'];

export interface CapabilitiesOptions {
  virtualSystemTypes?: string[];
}

function vsmc(ctx: ProviderContext, types: string[]): CimInstance {
  return build(ctx, VIRT_NS, VSMC_CLASS, {
    InstanceID: VSMC_INSTANCE_ID,
    ElementName: 'Virtual system management capabilities',
    // DSP1042: a method in neither list is unsupported. Ours all finish before returning.
    SynchronousMethodsSupported: Object.values(VSMS_METHOD_SUPPORT).sort((a, b) => a - b),
    AsynchronousMethodsSupported: [],
    VirtualSystemTypesSupported: types,
    // No indications are delivered yet (DSP1054 not implemented): advertise none.
    IndicationsSupported: [],
    ElementNameEditSupported: false,
    // The service itself cannot be started or stopped through RequestStateChange.
    RequestedStatesSupported: [],
  });
}

/** CIM_AllocationCapabilities.SharingMode: 2 Dedicated, 3 Shared. */
const SHARING: Record<PoolKind, number> = { processor: 3, memory: 2, disk: 2, network: 3 };
/** States in which a resource of the kind can be added or removed (2 Enabled, 3 Disabled): hot-plug of disks and interfaces. */
const ADD_REMOVE: Record<PoolKind, number[] | undefined> = { processor: undefined, memory: undefined, disk: [2, 3], network: [2, 3] };

function allocationCapabilities(ctx: ProviderContext, p: PoolModel): CimInstance {
  const states = ADD_REMOVE[p.kind];
  return build(ctx, VIRT_NS, AC_CLASS, {
    InstanceID: p.poolId,
    ElementName: `${p.elementName} allocation capabilities`,
    ResourceType: p.resourceType,
    // 4 Both: a RASD may name its pool (PoolID) or leave it NULL for the default one.
    RequestTypesSupported: 4,
    SharingMode: SHARING[p.kind],
    SupportedAddStates: states,
    SupportedRemoveStates: states,
  });
}

export function createCapabilitiesProvider(deps: ProviderDeps, opts: CapabilitiesOptions = {}): InstanceProvider {
  const types = opts.virtualSystemTypes ?? DEFAULT_VIRTUAL_SYSTEM_TYPES;
  return listProvider({
    [VSMC_CLASS]: async (ctx) => [vsmc(ctx, types)],
    [AC_CLASS]: async (ctx) => (await poolModels(deps.virt)).map((p) => allocationCapabilities(ctx, p)),
    [SDC_CLASS]: async (ctx) => {
      const pools = await poolModels(deps.virt);
      return (await templateModels(deps.virt, pools)).map((t) => build(ctx, VIRT_NS, SDC_CLASS, {
        GroupComponent: acName(t.poolId),
        PartComponent: instanceIdName(t.className, t.instanceId),
        PropertyPolicy: 0,
        ...TEMPLATE_SDC[t.role],
      }));
    },
  });
}
