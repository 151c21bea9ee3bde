/**
 * Template RASDs (DSP1043 §7.3-7.5): for each pool's AllocationCapabilities, four RASDs saying
 * what a client may ask for: Default (ValueRole 0 "Default", ValueRange 0 "Point"), Minimum (3
 * "Supported", 1 "Minimums"), Maximum (3, 2 "Maximums") and Increment (3, 3 "Increments"),
 * linked by Xen_SettingsDefineCapabilities. They are instances of the four RASD classes, next to
 * the systems' own RASDs (served by DSP1041's provider): InstanceID `<PoolID>/<Role>`, e.g.
 * `MemoryPool/0/Default` (shared/naming.ts).
 *
 * Limits are computed from the host (libvirt-cim's memory maximum was a build constant):
 * memory maximum = advertised memory capacity; vCPU maximum = host processors; cap maximum =
 * 100 × processors; CPU reservation maximum = advertised processor share. The Default template
 * holds the defaults DefineSystem applies to what a client leaves out.
 */
import type { CimInstanceName } from '../../cim/index.js';
import { LIMITS, type VirtManager } from '../../virt/index.js';
import {
  COUNT_UNITS, MEMORY_UNITS, NETWORK_UNITS, PROCESSOR_UNITS, type PoolModel, RASD_KINDS, memoryOut, poolModels,
} from '../dsp1041-resource-allocation/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { RASD_CLASS, TEMPLATE_ROLES, type TemplateRole, instanceIdName, parseRasdId, templateInstanceId } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';

/** SettingsDefineCapabilities ValueRole / ValueRange per template (DSP1043 Table 3). */
export const TEMPLATE_SDC: Record<TemplateRole, { ValueRole: number; ValueRange: number }> = {
  Default: { ValueRole: 0, ValueRange: 0 },
  Minimum: { ValueRole: 3, ValueRange: 1 },
  Maximum: { ValueRole: 3, ValueRange: 2 },
  Increment: { ValueRole: 3, ValueRange: 3 },
};

/**
 * What a new system gets when its definition leaves it out (the Default templates; DefineSystem,
 * DSP1042 §8.2): 512 MiB of memory (at most what the host can give), one vCPU, and Xen's default
 * bridge (xl.cfg vif `bridge=` default) for the primordial network pool.
 */
export const DEFAULTS = { memoryMiB: 512, vcpus: 1, bridge: 'xenbr0' } as const;

export interface TemplateModel {
  poolId: string;
  role: TemplateRole;
  className: string;
  instanceId: string;
  values: Values;
}


interface HostFigures {
  processors: number;
  memoryCapacityMiB: number;
  processorSharePercent: number;
}

function perRole(pool: PoolModel, className: string, common: Values, by: Record<TemplateRole, Values>): TemplateModel[] {
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
    Default: { VirtualQuantity: DEFAULTS.vcpus, Weight: LIMITS.defaultWeight, Limit: 0, Reservation: 0 },
    Minimum: { VirtualQuantity: 1, Weight: LIMITS.weightMin, Limit: 0, Reservation: 0 },
    Maximum: { VirtualQuantity: maxVcpus, Weight: LIMITS.weightMax, Limit: 100 * h.processors, Reservation: h.processorSharePercent },
    Increment: { VirtualQuantity: 1, Weight: 1, Limit: 1, Reservation: 1 },
  });
}

function memoryTemplates(pool: PoolModel, h: HostFigures): TemplateModel[] {
  const max = Math.max(LIMITS.memoryMinMiB, h.memoryCapacityMiB);
  const def = defaultMemoryMiB(h);
  return perRole(pool, RASD_CLASS.memory, { AllocationUnits: MEMORY_UNITS, VirtualQuantityUnits: MEMORY_UNITS }, {
    Default: { VirtualQuantity: memoryOut(def), Reservation: memoryOut(def), Limit: memoryOut(def) },
    Minimum: { VirtualQuantity: memoryOut(LIMITS.memoryMinMiB), Reservation: 0, Limit: memoryOut(LIMITS.memoryMinMiB) },
    Maximum: { VirtualQuantity: memoryOut(max), Reservation: memoryOut(max), Limit: memoryOut(max) },
    // The model keeps whole MiB.
    Increment: { VirtualQuantity: memoryOut(1), Reservation: memoryOut(1), Limit: memoryOut(1) },
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
    NetworkType: 'bridge', NetworkName: pool.bridge ?? DEFAULTS.bridge,
  }, {
    Default: {},
    // xl rates count bytes: the smallest step is 8 bit/second.
    Minimum: { Limit: 8 },
    Maximum: {},
    Increment: { Limit: 8 },
  });
}

function defaultMemoryMiB(h: HostFigures): number {
  return Math.min(DEFAULTS.memoryMiB, Math.max(LIMITS.memoryMinMiB, h.memoryCapacityMiB));
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

/**
 * The templates for one request: an enumeration of CIM_ResourceAllocationSettingData asks every
 * RASD class in turn, and the pools and capacity they come from are worked out once for all.
 */
const perRequest = new WeakMap<object, Promise<TemplateModel[]>>();
function templatesOfRequest(ctx: object, deps: ProviderDeps): Promise<TemplateModel[]> {
  let t = perRequest.get(ctx);
  if (!t) {
    t = templateModels(deps.virt);
    perRequest.set(ctx, t);
  }
  return t;
}

/** The Default template's figures: what DefineSystem gives a new system that names no memory or vCPUs. */
export async function defaultAllocation(virt: VirtManager): Promise<{ memoryMiB: number; vcpus: number }> {
  return { memoryMiB: defaultMemoryMiB(await hostFigures(virt)), vcpus: DEFAULTS.vcpus };
}

export function templateName(t: Pick<TemplateModel, 'className' | 'instanceId'>): CimInstanceName {
  return instanceIdName(t.className, t.instanceId);
}

/** The template RASDs of one RASD class (this profile's contribution to the class). */
function templateSource(deps: ProviderDeps, className: string): ClassSource {
  return {
    list: async (ctx) => (await templatesOfRequest(ctx, deps)).filter((t) => t.className === className).map((t) => build(ctx, t.className, t.values)),
    async get(ctx, name) {
      const id = name.keyString('InstanceID');
      if (id === undefined || parseRasdId(id)?.kind !== 'template') return undefined;
      const t = (await templateModels(deps.virt)).find((m) => m.instanceId === id && m.className === className);
      return t ? build(ctx, t.className, t.values) : undefined;
    },
  };
}

export function templateClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return Object.fromEntries(RASD_KINDS.map((k) => [RASD_CLASS[k], templateSource(deps, RASD_CLASS[k])]));
}
