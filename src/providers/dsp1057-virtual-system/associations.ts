/**
 * The associations of one virtual system (DSP1057 §7), all answered from that one system:
 * - Xen_SystemDevice: CS → each logical device.
 * - Xen_SettingsDefineState: CS ↔ its defined VSSD (`Xen:<name>`, as libvirt-cim), and each
 *   device ↔ the RASD that defines it and ↔ its state RASD.
 * - Xen_ElementSettingData: an inactive system's VSSD with itself (IsDefault/IsCurrent/IsNext = 1,
 *   libvirt-cim's shape); for an active system the current VSSD ↔ the defined one (IsDefault 1,
 *   IsNext 1, IsCurrent 2) and the current VSSD with itself (IsCurrent 1, IsDefault/IsNext 2), so
 *   no element sees two links with the same marker (what the sblim client checks). Each resource's
 *   RASDs the same way: the defined RASD with itself while inactive; while active the state RASD
 *   (`<sys>/<devid>:current`) ↔ the defined one and the state RASD with itself.
 * - Xen_VirtualSystemSettingDataComponent: the defined VSSD → the defined RASDs; the state VSSD →
 *   the state RASDs.
 * - Xen_ElementCapabilities: CS ↔ its Xen_EnabledLogicalElementCapabilities.
 * - Xen_ElementAllocatedFromPool (DSP1041 §7.4): each logical device ← the pool of its RASD.
 * referencesTo answers from the one system a reference belongs to.
 */
import { type CimInstance, CimInstanceName, type CimValue, sameName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import { EAFP, type PoolModel, allocations, poolModels, systemRasds } from '../dsp1041-resource-allocation/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { computerSystemName, elecName, poolName, rasdName, systemOfName, vssdName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { allSystems, findSystem, perSystem } from '../shared/systems.js';
import { deviceRef, systemDevices } from './devices.js';
import { hasCurrentState } from './vssd.js';

export const ASSOC_CLASS = {
  systemDevice: 'Xen_SystemDevice',
  settingsDefineState: 'Xen_SettingsDefineState',
  elementSettingData: 'Xen_ElementSettingData',
  vssdComponent: 'Xen_VirtualSystemSettingDataComponent',
  elementCapabilities: 'Xen_ElementCapabilities',
} as const;

type Values = Record<string, CimValue>;

function esd(me: CimInstanceName, sd: CimInstanceName, isDefault: number, isCurrent: number, isNext: number): Values {
  return { ManagedElement: me, SettingData: sd, IsDefault: isDefault, IsCurrent: isCurrent, IsNext: isNext };
}

/** The association values of one system for one association class (EAFP aside: it needs the pools). */
function systemAssociations(sys: VirtualSystem, assocClass: string): Values[] {
  const cs = computerSystemName(sys.name);
  if (sameName(assocClass, ASSOC_CLASS.systemDevice)) {
    return systemDevices(sys).map((d) => ({ GroupComponent: cs, PartComponent: deviceRef(sys.name, d) }));
  }
  if (sameName(assocClass, ASSOC_CLASS.elementCapabilities)) {
    return [{ ManagedElement: cs, Capabilities: elecName(sys.name) }];
  }
  const defined = vssdName(sys.name, 'defined');
  const current = hasCurrentState(sys) ? vssdName(sys.name, 'current') : undefined;
  const rasds = systemRasds(sys).map((r) => ({ r, ref: rasdName(sys.name, r.kind, r.devid) }));
  // State RASDs, in the same order as the defined ones (same resources), while a domain exists.
  const states = current ? rasds.map((x) => rasdName(sys.name, x.r.kind, x.r.devid, 'current')) : [];
  if (sameName(assocClass, ASSOC_CLASS.settingsDefineState)) {
    const byDevid = new Map<string, CimInstanceName[]>(rasds.map((x, i) => [`${x.r.kind}/${x.r.devid}`, states[i] ? [x.ref, states[i]!] : [x.ref]]));
    return [
      { ManagedElement: cs, SettingData: defined },
      ...systemDevices(sys).flatMap((d) =>
        (byDevid.get(`${d.kind}/${d.rasdDevid}`) ?? []).map((ref) => ({ ManagedElement: deviceRef(sys.name, d), SettingData: ref }))),
    ];
  }
  if (sameName(assocClass, ASSOC_CLASS.elementSettingData)) {
    // The same shape for the VSSDs and for each resource's RASDs.
    const pair = (def: CimInstanceName, state: CimInstanceName | undefined): Values[] =>
      state ? [esd(state, def, 1, 2, 1), esd(state, state, 2, 1, 2)] : [esd(def, def, 1, 1, 1)];
    return [...pair(defined, current), ...rasds.flatMap((x, i) => pair(x.ref, states[i]))];
  }
  if (sameName(assocClass, ASSOC_CLASS.vssdComponent)) {
    return [
      ...rasds.map((x) => ({ GroupComponent: defined, PartComponent: x.ref })),
      ...(current ? states.map((ref) => ({ GroupComponent: current, PartComponent: ref })) : []),
    ];
  }
  return [];
}

/** Each logical device of the systems ← the pool its RASD draws from. */
function allocatedFrom(systems: VirtualSystem[], pools: PoolModel[]): Values[] {
  const byId = new Map(pools.map((p) => [p.poolId, p]));
  const poolOf = new Map(allocations(systems, pools).map((a) => [`${a.system}/${a.kind}/${a.rasdDevid}`, byId.get(a.poolId)]));
  return systems.flatMap((s) => systemDevices(s).flatMap((d) => {
    const pool = poolOf.get(`${s.name}/${d.kind}/${d.rasdDevid}`);
    return pool ? [{ Antecedent: poolName(pool), Dependent: deviceRef(s.name, d) }] : [];
  }));
}

function refersTo(inst: CimInstance, id: string, role: string | null): boolean {
  return [...inst.properties].some(([n, p]) =>
    (role === null || sameName(n, role)) && p.value instanceof CimInstanceName && p.value.local().identity() === id);
}

/** The source of one association class: every system's instances, or one system's for References. */
function associationSource(deps: ProviderDeps, assocClass: string): ClassSource {
  const make = (ctx: ProviderContext, systems: VirtualSystem[]): CimInstance[] =>
    systems.flatMap((s) => systemAssociations(s, assocClass).map((v) => build(ctx, assocClass, v)));
  return {
    ...perSystem(deps, (ctx, s) => make(ctx, [s])),
    async referencesTo(ctx, target, role) {
      const system = systemOfName(target);
      const sys = system === undefined ? undefined : await findSystem(deps, system);
      if (!sys) return [];
      const id = target.local().identity();
      return make(ctx, [sys]).filter((inst) => refersTo(inst, id, role));
    },
  };
}

export function systemAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const out: Record<string, ClassSource> = Object.fromEntries(Object.values(ASSOC_CLASS).map((c) => [c, associationSource(deps, c)]));
  out[EAFP] = {
    async list(ctx) {
      const [systems, pools] = await Promise.all([allSystems(deps), poolModels(deps.virt)]);
      return allocatedFrom(systems, pools).map((v) => build(ctx, EAFP, v));
    },
  };
  return out;
}
