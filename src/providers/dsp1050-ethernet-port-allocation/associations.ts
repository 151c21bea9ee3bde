/**
 * DSP1050's associations of the Ethernet connections, in the DMTF direction:
 * - Xen_VirtualSystemSettingDataComponent: a system's defined configuration → each of its
 *   connections (they are part of the system's settings, as its RASDs are, DSP1057 §7.3).
 * - Xen_ResourceAllocationFromPool: the network pool of the switch → each connection to it (DSP1041 §7.3).
 * References from a configuration or a connection are answered from its one system.
 */
import { type CimInstance, CimInstanceName, type CimValue, sameName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { parseVssdId, poolName, vssdName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { allSystems, findSystem } from '../shared/systems.js';
import { connections } from './epasd.js';
import { epasdName, parseEpasdId } from './names.js';

const VSSD_COMPONENT = 'Xen_VirtualSystemSettingDataComponent';
const RAFP = 'Xen_ResourceAllocationFromPool';

type Values = Record<string, CimValue>;

function values(assocClass: string, systems: VirtualSystem[], pools: PoolModel[]): Values[] {
  const list = connections(systems);
  if (sameName(assocClass, VSSD_COMPONENT)) {
    return list.map((c) => ({ GroupComponent: vssdName(c.sys.name), PartComponent: epasdName(c.sys.name, c.nic.mac) }));
  }
  return list.flatMap((c) => {
    const pool = pools.find((p) => p.kind === 'network' && p.bridge === c.nic.bridge);
    return pool ? [{ Antecedent: poolName(pool), Dependent: epasdName(c.sys.name, c.nic.mac) }] : [];
  });
}

/** The one system a configuration or connection reference belongs to, if it names one. */
function systemOf(target: CimInstanceName): string | undefined {
  const id = target.keyString('InstanceID');
  const vssd = id === undefined ? undefined : parseVssdId(id);
  return vssd?.role === 'defined' ? vssd.system : parseEpasdId(id)?.system;
}

function refersTo(inst: CimInstance, id: string, role: string | null): boolean {
  return [...inst.properties].some(([n, p]) =>
    (role === null || sameName(n, role)) && p.value instanceof CimInstanceName && p.value.local().identity() === id);
}

function source(deps: ProviderDeps, assocClass: string): ClassSource {
  const make = async (ctx: ProviderContext, systems: VirtualSystem[]): Promise<CimInstance[]> => {
    const pools = sameName(assocClass, RAFP) ? await poolModels(deps.virt) : [];
    return values(assocClass, systems, pools).map((v) => build(ctx, assocClass, v));
  };
  return {
    list: async (ctx) => make(ctx, await allSystems(deps)),
    async referencesTo(ctx, target, role) {
      const system = systemOf(target);
      let systems: VirtualSystem[];
      if (system === undefined) systems = await allSystems(deps);
      else {
        const sys = await findSystem(deps, system);
        systems = sys ? [sys] : [];
      }
      const id = target.local().identity();
      return (await make(ctx, systems)).filter((inst) => refersTo(inst, id, role));
    },
  };
}

export function connectionAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return { [VSSD_COMPONENT]: source(deps, VSSD_COMPONENT), [RAFP]: source(deps, RAFP) };
}
