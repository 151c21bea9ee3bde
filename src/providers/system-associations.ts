/**
 * The associations inside one virtual system (DSP1057 §7; digest C5):
 * - Xen_SystemDevice: CS → each logical device.
 * - Xen_SettingsDefineState: CS ↔ its defined VSSD (`Xen:<name>`, as libvirt-cim and the lead's
 *   naming fix it), and each device ↔ the RASD that defines it.
 * - Xen_ElementSettingData: an inactive system's VSSD with itself (IsDefault/IsCurrent/IsNext = 1,
 *   libvirt-cim's shape); for an active system the current VSSD ↔ the defined one (IsDefault 1,
 *   IsNext 1, IsCurrent 2) and the current VSSD with itself (IsCurrent 1, IsDefault/IsNext 2), so
 *   no element sees two links with the same marker (what the sblim client checks); each RASD with
 *   itself (1/1/1: one RASD set serves both roles).
 * - Xen_VirtualSystemSettingDataComponent: each VSSD → the system's RASDs.
 * referencesTo answers from the one system a reference belongs to.
 */
import { type CimInstance, CimInstanceName, type CimValue, sameName } from '../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../operations/provider.js';
import type { VirtualSystem } from '../virt/index.js';
import type { ProviderDeps } from './context.js';
import { deviceRef, systemDevices } from './devices.js';
import { CS_CLASS, computerSystemName, parseDeviceId } from './naming.js';
import { rasdName, systemRasds } from './rasd.js';
import { allSystems, build, findSystem } from './system-common.js';
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
  const devices = systemDevices(sys);
  if (sameName(assocClass, ASSOC_CLASS.systemDevice)) {
    return devices.map((d) => ({ GroupComponent: cs, PartComponent: deviceRef(sys.name, d) }));
  }
  if (sameName(assocClass, ASSOC_CLASS.settingsDefineState)) {
    const byDevid = new Map(rasds.map((x) => [`${x.r.kind}/${x.r.devid}`, x.ref]));
    return [
      { ManagedElement: cs, SettingData: defined },
      ...devices.flatMap((d) => {
        const ref = byDevid.get(`${d.kind}/${d.rasdDevid}`);
        return ref ? [{ ManagedElement: deviceRef(sys.name, d), SettingData: ref }] : [];
      }),
    ];
  }
  if (sameName(assocClass, ASSOC_CLASS.elementSettingData)) {
    const vssds = current
      ? [esd(current, defined, 1, 2, 1), esd(current, current, 2, 1, 2)]
      : [esd(defined, defined, 1, 1, 1)];
    return [...vssds, ...rasds.map((x) => esd(x.ref, x.ref, 1, 1, 1))];
  }
  if (sameName(assocClass, ASSOC_CLASS.vssdComponent)) {
    const groups = current ? [defined, current] : [defined];
    return groups.flatMap((g) => rasds.map((x) => ({ GroupComponent: g, PartComponent: x.ref })));
  }
  return [];
}

/** The system a reference belongs to, from its keys alone (no lookup). */
export function systemOfRef(ref: CimInstanceName): string | undefined {
  const id = ref.keyString('InstanceID');
  if (id !== undefined) return parseVssdId(id)?.system ?? parseDeviceId(id)?.system;
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
