/**
 * DSP1050's associations of the Ethernet connections, in the DMTF direction:
 * - Xen_VirtualSystemSettingDataComponent: a system's defined configuration → each of its
 *   connections (they are part of the system's settings, as its RASDs are, DSP1057 §7.3).
 * - Xen_ResourceAllocationFromPool: the network pool of the switch → each connection to it (DSP1041 §7.3).
 * - Xen_SettingsDefineState: the switch port a connection is realised as (DSP1097), while the
 *   system's domain exists → the connection.
 * References from a configuration, a connection or a port are answered from its one system.
 */
import { type CimInstance, CimInstanceName, type CimValue, sameName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { SWITCH_PORT_CLASS, hostSwitches, portName } from '../dsp1097-virtual-ethernet-switch/index.js';
import { POOL_CLASS, parseDeviceId, parseVssdId, poolName, vssdName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { SYSTEMS_PER_BATCH, allSystems, findSystem } from '../shared/systems.js';
import { connections } from './epasd.js';
import { epasdName, parseEpasdId } from './names.js';

const VSSD_COMPONENT = 'Xen_VirtualSystemSettingDataComponent';
const RAFP = 'Xen_ResourceAllocationFromPool';
const SDS = 'Xen_SettingsDefineState';

type Values = Record<string, CimValue>;

function values(assocClass: string, systems: VirtualSystem[], pools: PoolModel[], switches: ReadonlySet<string>): Values[] {
  const list = connections(systems);
  if (sameName(assocClass, VSSD_COMPONENT)) {
    return list.map((c) => ({ GroupComponent: vssdName(c.sys.name), PartComponent: epasdName(c.sys.name, c.nic.mac) }));
  }
  if (sameName(assocClass, SDS)) {
    // A port exists while the interface is plugged in: while the system's domain exists, on a switch the host has.
    return list.filter((c) => c.sys.live && switches.has(c.nic.bridge)).map((c) => ({ ManagedElement: portName(c.nic.bridge, c.sys.name, c.nic.mac), SettingData: epasdName(c.sys.name, c.nic.mac) }));
  }
  // The pool of each switch by name, once: a search per connection made a host of many switches quadratic.
  const poolOf = new Map<string, PoolModel>();
  for (const p of pools) if (p.kind === 'network' && p.bridge !== undefined && !poolOf.has(p.bridge)) poolOf.set(p.bridge, p);
  return list.flatMap((c) => {
    const pool = poolOf.get(c.nic.bridge);
    return pool ? [{ Antecedent: poolName(pool), Dependent: epasdName(c.sys.name, c.nic.mac) }] : [];
  });
}

/**
 * Which systems' connections a reference can be an end of, for `assocClass`: a connection's or
 * (by class) a configuration's or port's one system, every system for a network pool, none for
 * anything else (answered without reading the host).
 */
function systemsFor(assocClass: string, target: CimInstanceName): { one: string } | 'all' | 'none' {
  const id = target.keyString('InstanceID');
  const connection = parseEpasdId(id);
  if (connection) return { one: connection.system };
  if (sameName(assocClass, VSSD_COMPONENT)) {
    const vssd = id === undefined ? undefined : parseVssdId(id);
    return vssd?.role === 'defined' ? { one: vssd.system } : 'none';
  }
  if (sameName(assocClass, SDS)) {
    const port = sameName(target.className, SWITCH_PORT_CLASS) ? parseDeviceId(target.keyString('DeviceID') ?? '') : undefined;
    return port ? { one: port.system } : 'none';
  }
  return sameName(target.className, POOL_CLASS.network) || (id ?? '').startsWith('NetworkPool/') ? 'all' : 'none';
}

function refersTo(inst: CimInstance, id: string, role: string | null): boolean {
  return [...inst.properties].some(([n, p]) =>
    (role === null || sameName(n, role)) && p.value instanceof CimInstanceName && p.value.local().identity() === id);
}

function source(deps: ProviderDeps, assocClass: string): ClassSource {
  const make = async (ctx: ProviderContext, systems: VirtualSystem[]): Promise<CimInstance[]> => {
    const pools = sameName(assocClass, RAFP) ? await poolModels(deps.virt) : [];
    const switches = new Set(sameName(assocClass, SDS) ? (await hostSwitches(deps)).map((sw) => sw.name) : []);
    return values(assocClass, systems, pools, switches).map((v) => build(ctx, assocClass, v));
  };
  return {
    list: async (ctx) => make(ctx, await allSystems(deps)),
    async *stream(ctx) {
      const systems = await allSystems(deps);
      for (let i = 0; i < systems.length; i += SYSTEMS_PER_BATCH) yield make(ctx, systems.slice(i, i + SYSTEMS_PER_BATCH));
    },
    async referencesTo(ctx, target, role) {
      const which = systemsFor(assocClass, target);
      if (which === 'none') return [];
      let systems: VirtualSystem[];
      if (which === 'all') systems = await allSystems(deps);
      else {
        const sys = await findSystem(deps, which.one);
        systems = sys ? [sys] : [];
      }
      const id = target.local().identity();
      return (await make(ctx, systems)).filter((inst) => refersTo(inst, id, role));
    },
  };
}

export function connectionAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return { [VSSD_COMPONENT]: source(deps, VSSD_COMPONENT), [RAFP]: source(deps, RAFP), [SDS]: source(deps, SDS) };
}
