/**
 * DSP1097's associations, in the DMTF direction (References from an element of a switch read that one switch):
 * - Xen_HostedDependency: Antecedent = the host, Dependent = each switch (DSP1097: the switch is
 *   hosted by the host system, as a virtual system is).
 * - Xen_SystemDevice: the switch → each port.
 * - Xen_SettingsDefineState and Xen_ElementSettingData: the switch ↔ its configuration (one
 *   configuration, current and next: a switch has no other state).
 * - Xen_ElementCapabilities: the switch ↔ its state capabilities.
 * - Xen_ElementAllocatedFromPool: the switch and each port ← the network pool of the switch, the
 *   pool its connections are allocated from (DSP1041 §7.4).
 */
import { type CimInstance, CimInstanceName, type CimValue, sameName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { EAFP } from '../dsp1041-resource-allocation/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { HOST_CLASS, POOL_CLASS, hostName, poolName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { type SwitchView, switchViews } from './model.js';
import { portName, switchCapabilitiesName, switchName, switchOfName, switchSettingsName } from './names.js';

const ASSOC = {
  hostedDependency: 'Xen_HostedDependency',
  systemDevice: 'Xen_SystemDevice',
  settingsDefineState: 'Xen_SettingsDefineState',
  elementSettingData: 'Xen_ElementSettingData',
  elementCapabilities: 'Xen_ElementCapabilities',
  allocatedFromPool: EAFP,
} as const;

type Values = Record<string, CimValue>;

function switchAssociations(host: string, v: SwitchView, assocClass: string): Values[] {
  const sw = switchName(v.sw.name);
  const ports = v.ports.map((p) => portName(v.sw.name, p.system.name, p.mac));
  if (sameName(assocClass, ASSOC.hostedDependency)) return [{ Antecedent: hostName(host), Dependent: sw }];
  if (sameName(assocClass, ASSOC.systemDevice)) return ports.map((p) => ({ GroupComponent: sw, PartComponent: p }));
  if (sameName(assocClass, ASSOC.settingsDefineState)) return [{ ManagedElement: sw, SettingData: switchSettingsName(v.sw.name) }];
  if (sameName(assocClass, ASSOC.elementSettingData)) {
    return [{ ManagedElement: sw, SettingData: switchSettingsName(v.sw.name), IsDefault: 1, IsCurrent: 1, IsNext: 1 }];
  }
  if (sameName(assocClass, ASSOC.elementCapabilities)) return [{ ManagedElement: sw, Capabilities: switchCapabilitiesName(v.sw.name) }];
  if (sameName(assocClass, ASSOC.allocatedFromPool) && v.pool) {
    const pool = poolName(v.pool);
    return [sw, ...ports].map((d) => ({ Antecedent: pool, Dependent: d }));
  }
  return [];
}

function isNetworkPool(target: CimInstanceName): boolean {
  return sameName(target.className, POOL_CLASS.network) || (target.keyString('InstanceID') ?? '').startsWith('NetworkPool/');
}

function refersTo(inst: CimInstance, id: string, role: string | null): boolean {
  return [...inst.properties].some(([n, p]) =>
    (role === null || sameName(n, role)) && p.value instanceof CimInstanceName && p.value.local().identity() === id);
}

function associationSource(deps: ProviderDeps, assocClass: string): ClassSource {
  const make = (ctx: ProviderContext, views: SwitchView[]): CimInstance[] =>
    views.flatMap((v) => switchAssociations(deps.hostName, v, assocClass).map((x) => build(ctx, assocClass, x)));
  return {
    list: async (ctx) => make(ctx, await switchViews(deps)),
    async referencesTo(ctx, target, role) {
      const sw = switchOfName(target);
      // The host and a network pool are linked to every switch; an element of a switch to its one
      // switch; anything else (a virtual system's element) to none, found without reading the host.
      if (sw === undefined && !sameName(target.className, HOST_CLASS) && !isNetworkPool(target)) return [];
      const views = sw === undefined ? await switchViews(deps) : await switchViews(deps, sw);
      const id = target.local().identity();
      return make(ctx, views).filter((inst) => refersTo(inst, id, role));
    },
  };
}

export function switchAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return Object.fromEntries(Object.values(ASSOC).map((c) => [c, associationSource(deps, c)]));
}
