/**
 * The associations inside one virtual system (DSP1057 §7; digest C5):
 * - Xen_SystemDevice: CS → each logical device.
 * - Xen_SettingsDefineState: CS ↔ its defined VSSD (`Xen:<name>`, as libvirt-cim and the lead's
 *   naming fix it), and each device ↔ the RASD that defines it and ↔ its state RASD.
 * - Xen_ElementSettingData: an inactive system's VSSD with itself (IsDefault/IsCurrent/IsNext = 1,
 *   libvirt-cim's shape); for an active system the current VSSD ↔ the defined one (IsDefault 1,
 *   IsNext 1, IsCurrent 2) and the current VSSD with itself (IsCurrent 1, IsDefault/IsNext 2), so
 *   no element sees two links with the same marker (what the sblim client checks). Each resource's
 *   RASDs the same way: the defined RASD with itself while inactive; while active the state RASD
 *   (`<sys>/<devid>:current`) ↔ the defined one and the state RASD with itself.
 * - Xen_VirtualSystemSettingDataComponent: the defined VSSD → the defined RASDs; the state VSSD →
 *   the state RASDs.
 * referencesTo answers from the one system a reference belongs to.
 */
import { type CimInstance, CimInstanceName, type CimValue, sameName } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { deviceRef, systemDevices } from './devices.js';
import { CS_CLASS, computerSystemName } from '../shared/naming.js';
import { parseRasdId } from '../dsp1041-resource-allocation/rasd-id.js';
import { rasdName, systemRasds } from '../dsp1041-resource-allocation/rasd.js';
import { allSystems, build, findSystem } from '../shared/systems.js';
import { parseVssdId } from './vssd-convert.js';
import { hasCurrentState, vssdName } from './vssd.js';

export const ASSOC_CLASS = {
  systemDevice: 'Xen_SystemDevice',
  settingsDefineState: 'Xen_SettingsDefineState',
  elementSettingData: 'Xen_ElementSettingData',
  vssdComponent: 'Xen_VirtualSystemSettingDataComponent',
} as const;

type Values = Record<string, CimValue>;

function esd(me: CimInstanceName, sd: CimInstanceName, isDefault: number, isCurrent: number, isNext: number): Values {
  return { ManagedElement: me, SettingData: sd, IsDefault: isDefault, IsCurrent: isCurrent, IsNext: isNext };
}

/** The association values of one system for one association class. */
export function systemAssociations(sys: VirtualSystem, assocClass: string): Values[] {
  const cs = computerSystemName(sys.name);
  const defined = vssdName(sys.name, 'defined');
  const current = hasCurrentState(sys) ? vssdName(sys.name, 'current') : undefined;
  const rasds = systemRasds(sys).map((r) => ({ r, ref: rasdName(sys.name, r.kind, r.devid) }));
  // State RASDs, in the same order as the defined ones (same resources), while a domain exists.
  const states = current ? rasds.map((x) => rasdName(sys.name, x.r.kind, x.r.devid, 'current')) : [];
  if (sameName(assocClass, ASSOC_CLASS.systemDevice)) {
    return systemDevices(sys).map((d) => ({ GroupComponent: cs, PartComponent: deviceRef(sys.name, d) }));
  }
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

/** The system a reference belongs to, from its keys alone (no lookup). */
export function systemOfRef(ref: CimInstanceName): string | undefined {
  const id = ref.keyString('InstanceID');
  if (id !== undefined) {
    const vssd = parseVssdId(id);
    if (vssd) return vssd.system;
    const rasd = parseRasdId(id);
    return rasd?.kind === 'system' ? rasd.system : undefined;
  }
  const systemName = ref.keyString('SystemName');
  if (systemName !== undefined) return sameName(ref.keyString('SystemCreationClassName'), CS_CLASS) ? systemName : undefined;
  return sameName(ref.keyString('CreationClassName'), CS_CLASS) ? ref.keyString('Name') : undefined;
}

export function createSystemAssociationProvider(deps: ProviderDeps): InstanceProvider {
  const make = (ctx: ProviderContext, assocClass: string, systems: VirtualSystem[]): CimInstance[] =>
    systems.flatMap((s) => systemAssociations(s, assocClass).map((v) => build(ctx, assocClass, v)));

  return {
    classNames: Object.values(ASSOC_CLASS),

    async enumerateInstances(ctx: ProviderContext, className: string): Promise<CimInstance[]> {
      return make(ctx, className, await allSystems(deps));
    },

    async referencesTo(ctx: ProviderContext, assocClass: string, target: CimInstanceName, role: string | null): Promise<CimInstance[]> {
      const system = systemOfRef(target);
      const sys = system === undefined ? undefined : await findSystem(deps, system);
      if (!sys) return [];
      const id = target.local().identity();
      return make(ctx, assocClass, [sys]).filter((inst) =>
        [...inst.properties].some(([n, p]) =>
          (role === null || sameName(n, role)) && p.value instanceof CimInstanceName && p.value.local().identity() === id));
    },
  };
}
