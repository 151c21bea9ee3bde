/**
 * DSP1043 Allocation Capabilities:
 * - Xen_AllocationCapabilities (§7.1): one per pool, InstanceID = PoolID (as libvirt-cim).
 * - Xen_ElementCapabilities: each pool ↔ its AllocationCapabilities.
 * - Xen_SettingsDefineCapabilities (§7.3): each AllocationCapabilities → its four template RASDs
 *   (templates.ts) with ValueRole/ValueRange, PropertyPolicy 0 "Independent".
 */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { PoolKind } from '../../virt/index.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { AC_CLASS, acName, poolName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { TEMPLATE_SDC, templateModels, templateName } from './templates.js';

const SDC_CLASS = 'Xen_SettingsDefineCapabilities';
export const ELEMENT_CAPABILITIES = 'Xen_ElementCapabilities';

/** CIM_AllocationCapabilities.SharingMode: 2 Dedicated, 3 Shared. */
const SHARING: Record<PoolKind, number> = { processor: 3, memory: 2, disk: 2, network: 3 };
/**
 * The system EnabledStates (the values' ModelCorrespondence) in which a resource of the kind can be
 * added or removed: disks and interfaces whether the system runs (2), is paused (9 Quiesce), saved
 * (6 Enabled but Offline: its definition changes) or defined only (3). A system has one processor
 * and one memory setting, changed, never added or removed.
 */
const HOT_PLUG_STATES = [2, 3, 6, 9];
const ADD_REMOVE: Record<PoolKind, number[] | undefined> = { processor: undefined, memory: undefined, disk: HOT_PLUG_STATES, network: HOT_PLUG_STATES };

function allocationCapabilities(ctx: ProviderContext, p: PoolModel): CimInstance {
  const states = ADD_REMOVE[p.kind];
  return build(ctx, AC_CLASS, {
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

export function capabilityClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return {
    [AC_CLASS]: { list: async (ctx) => (await poolModels(deps.virt)).map((p) => allocationCapabilities(ctx, p)) },
    [ELEMENT_CAPABILITIES]: {
      list: async (ctx) => (await poolModels(deps.virt)).map((p) => build(ctx, ELEMENT_CAPABILITIES, { ManagedElement: poolName(p), Capabilities: acName(p.poolId) })),
    },
    [SDC_CLASS]: {
      async list(ctx) {
        const pools = await poolModels(deps.virt);
        return (await templateModels(deps.virt, pools)).map((t) => build(ctx, SDC_CLASS, {
          GroupComponent: acName(t.poolId),
          PartComponent: templateName(t),
          PropertyPolicy: 0,
          ...TEMPLATE_SDC[t.role],
        }));
      },
    },
  };
}
