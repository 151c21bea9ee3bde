/**
 * Template RASDs (DSP1043 §7.3-7.5, libvirt-cim.md §3.7): for each pool's AllocationCapabilities,
 * four RASDs saying what a client may ask for — Default (ValueRole 0 "Default", ValueRange 0
 * "Point"), Minimum (3 "Supported", 1 "Minimums"), Maximum (3, 2 "Maximums") and Increment
 * (3, 3 "Increments"), linked by Xen_SettingsDefineCapabilities (capabilities.ts).
 *
 * Limits are COMPUTED FROM THE HOST (libvirt-cim §6.4: its memory maximum was a build constant):
 * memory maximum = advertised memory capacity; vCPU maximum = host processors; cap maximum =
 * 100 × processors; CPU reservation maximum = advertised processor share.
 *
 * The template RASDs are instances of the Xen_*ResourceAllocationSettingData classes that the
 * virtual-system RASD provider serves: that provider includes them by calling
 * listTemplateRasds / getTemplateRasd (one provider per class).
 *
 * InstanceID `<PoolID>/<Role>` (e.g. `MemoryPool/0/Default`). Deviation from libvirt-cim, whose
 * bare "Default"/"Minimum"... repeat across pools and so are not unique keys of one class.
 * A template ID has two '/' or more; a system RASD ID `<system>/<devid>[:current]` has exactly one
 * (rasd-id.ts parses all three shapes).
 */
import { type CimInstance, type CimValue, sameName } from '../../cim/index.js';
import { LIMITS, type VirtManager } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { RASD_CLASS, VIRT_NS } from '../shared/naming.js';
import { TEMPLATE_ROLES, type TemplateRole, isTemplateInstanceId, templateInstanceId } from '../dsp1041-resource-allocation/rasd-id.js';
import { build } from '../shared/provider.js';
import { COUNT_UNITS, MEMORY_UNITS, NETWORK_UNITS, PROCESSOR_UNITS } from '../dsp1041-resource-allocation/rasd-units.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/pool-model.js';

export { TEMPLATE_ROLES, type TemplateRole, isTemplateInstanceId, templateInstanceId } from '../dsp1041-resource-allocation/rasd-id.js';

/** SettingsDefineCapabilities ValueRole / ValueRange per template (DSP1043 Table 3; digest D5). */
export const TEMPLATE_SDC: Record<TemplateRole, { ValueRole: number; ValueRange: number }> = {
  Default: { ValueRole: 0, ValueRange: 0 },
  Minimum: { ValueRole: 3, ValueRange: 1 },
  Maximum: { ValueRole: 3, ValueRange: 2 },
  Increment: { ValueRole: 3, ValueRange: 3 },
};

/** Xen's default bridge (xl.cfg vif `bridge=` default), proposed for the primordial network pool. */
const DEFAULT_BRIDGE = 'xenbr0';
const DEFAULT_MEMORY_MIB = 512;

export interface TemplateModel {
  poolId: string;
  role: TemplateRole;
  className: string;
  instanceId: string;
  values: Record<string, CimValue | undefined>;
}


interface HostFigures {
  processors: number;
  memoryCapacityMiB: number;
  processorSharePercent: number;
}

function perRole(pool: PoolModel, className: string, common: Record<string, CimValue | undefined>, by: Record<TemplateRole, Record<string, CimValue | undefined>>): TemplateModel[] {
  return TEMPLATE_ROLES.map((role) => ({
    poolId: pool.poolId, role, className, instanceId: templateInstanceId(pool.poolId, role),
    values: {
      InstanceID: templateInstanceId(pool.poolId, role),
      ElementName: `${pool.elementName} ${role}`,
      ResourceType: pool.resourceType,
      PoolID: pool.poolId,
      ...common,
      ...by[role],
    },
  }));
}

function processorTemplates(pool: PoolModel, h: HostFigures): TemplateModel[] {
  const maxVcpus = Math.max(1, Math.min(h.processors, LIMITS.vcpusMax));
  // Reservation and Limit (cap) are percent of one processor; VirtualQuantity counts vCPUs.
  return perRole(pool, RASD_CLASS.processor, { AllocationUnits: PROCESSOR_UNITS, VirtualQuantityUnits: COUNT_UNITS }, {
    Default: { VirtualQuantity: 1, Weight: LIMITS.defaultWeight, Limit: 0, Reservation: 0 },
    Minimum: { VirtualQuantity: 1, Weight: LIMITS.weightMin, Limit: 0, Reservation: 0 },
    Maximum: { VirtualQuantity: maxVcpus, Weight: LIMITS.weightMax, Limit: 100 * h.processors, Reservation: h.processorSharePercent },
    Increment: { VirtualQuantity: 1, Weight: 1, Limit: 1, Reservation: 1 },
  });
}

function memoryTemplates(pool: PoolModel, h: HostFigures): TemplateModel[] {
  const max = Math.max(LIMITS.memoryMinMiB, h.memoryCapacityMiB);
  const def = Math.min(DEFAULT_MEMORY_MIB, max);
  return perRole(pool, RASD_CLASS.memory, { AllocationUnits: MEMORY_UNITS, VirtualQuantityUnits: MEMORY_UNITS }, {
    Default: { VirtualQuantity: def, Reservation: def, Limit: def },
    Minimum: { VirtualQuantity: LIMITS.memoryMinMiB, Reservation: 0, Limit: LIMITS.memoryMinMiB },
    Maximum: { VirtualQuantity: max, Reservation: max, Limit: max },
    Increment: { VirtualQuantity: 1, Reservation: 1, Limit: 1 },
  });
}

function diskTemplates(pool: PoolModel): TemplateModel[] {
  // One RASD is one virtual disk; its size is the backing file's, not something we allocate.
  return perRole(pool, RASD_CLASS.disk, { VirtualQuantity: 1, VirtualQuantityUnits: COUNT_UNITS }, {
    Default: { EmulatedType: 0 },
    Minimum: {},
    Maximum: {},
    Increment: {},
  });
}

function networkTemplates(pool: PoolModel): TemplateModel[] {
  // Limit is the interface's rate cap in bit/second (no upper bound is known: none in Default/Maximum).
  return perRole(pool, RASD_CLASS.network, {
    VirtualQuantity: 1, VirtualQuantityUnits: COUNT_UNITS, AllocationUnits: NETWORK_UNITS,
    NetworkType: 'bridge', NetworkName: pool.bridge ?? DEFAULT_BRIDGE,
  }, {
    Default: {},
    // xl rates count bytes: the smallest step is 8 bit/second.
    Minimum: { Limit: 8 },
    Maximum: {},
    Increment: { Limit: 8 },
  });
}

async function hostFigures(virt: VirtManager): Promise<HostFigures> {
  const [host, cap] = await Promise.all([virt.hostInfo(), virt.capacity()]);
  return { processors: host.processors, memoryCapacityMiB: cap.memory.capacityMiB, processorSharePercent: cap.processor.capacityPercent };
}

/** Every template of every pool, in pool order. */
export async function templateModels(virt: VirtManager, pools?: PoolModel[]): Promise<TemplateModel[]> {
  const [list, h] = await Promise.all([pools ? Promise.resolve(pools) : poolModels(virt), hostFigures(virt)]);
  return list.flatMap((p) => {
    switch (p.kind) {
      case 'processor': return processorTemplates(p, h);
      case 'memory': return memoryTemplates(p, h);
      case 'disk': return diskTemplates(p);
      case 'network': return networkTemplates(p);
    }
  });
}

function toInstance(deps: Pick<ProviderDeps, 'repository'>, t: TemplateModel): CimInstance {
  return build(deps, VIRT_NS, t.className, t.values);
}

/**
 * The template RASDs of exactly `className` (for the RASD provider's EnumerateInstances).
 * Empty for a class that has no templates.
 */
export async function listTemplateRasds(deps: Pick<ProviderDeps, 'repository' | 'virt'>, className: string): Promise<CimInstance[]> {
  return (await templateModels(deps.virt)).filter((t) => sameName(t.className, className)).map((t) => toInstance(deps, t));
}

/** One template RASD by InstanceID (for the RASD provider's GetInstance), or undefined. */
export async function getTemplateRasd(deps: Pick<ProviderDeps, 'repository' | 'virt'>, className: string, instanceId: string): Promise<CimInstance | undefined> {
  if (!isTemplateInstanceId(instanceId)) return undefined;
  const t = (await templateModels(deps.virt)).find((m) => m.instanceId === instanceId && sameName(m.className, className));
  return t ? toInstance(deps, t) : undefined;
}
