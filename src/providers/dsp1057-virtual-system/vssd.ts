/**
 * Xen_VirtualSystemSettingData in its two DSP1057 roles (§7.3): the defined configuration of
 * every system (`Xen:<name>`, libvirt-cim's InstanceID, the one SettingsDefineState ties to the
 * CS), and the current-state configuration of a system that exists on the hypervisor
 * (`Xen:<name>:current`). Live changes are folded into the definition by the virt layer, so both
 * carry the same values; they differ in role (ElementSettingData IsCurrent/IsNext) and lifetime.
 */
import type { CimInstance, CimInstanceName } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { VSSD_CLASS, instanceIdName } from '../shared/naming.js';
import { allSystems, build, findSystem, notFound } from '../shared/systems.js';
import { type VssdRole, parseVssdId, vssdId, vssdValues } from './vssd-convert.js';

/** A system has a current-state configuration while a domain exists for it. */
export function hasCurrentState(sys: VirtualSystem): boolean {
  return sys.live !== undefined;
}

export function vssdRoles(sys: VirtualSystem): VssdRole[] {
  return hasCurrentState(sys) ? ['defined', 'current'] : ['defined'];
}

export function vssdName(system: string, role: VssdRole = 'defined'): CimInstanceName {
  return instanceIdName(VSSD_CLASS, vssdId(system, role));
}

export function buildVssd(ctx: ProviderContext, sys: VirtualSystem, role: VssdRole): CimInstance {
  return build(ctx, VSSD_CLASS, vssdValues(sys, role));
}

export function createVssdProvider(deps: ProviderDeps): InstanceProvider {
  return {
    classNames: [VSSD_CLASS],

    async enumerateInstances(ctx: ProviderContext): Promise<CimInstance[]> {
      const systems = await allSystems(deps);
      return systems.flatMap((s) => vssdRoles(s).map((r) => buildVssd(ctx, s, r)));
    },

    async getInstance(ctx: ProviderContext, name: CimInstanceName): Promise<CimInstance> {
      const id = name.keyString('InstanceID');
      const parsed = id === undefined ? undefined : parseVssdId(id);
      const sys = parsed ? await findSystem(deps, parsed.system) : undefined;
      if (!parsed || !sys || !vssdRoles(sys).includes(parsed.role)) notFound(name);
      return buildVssd(ctx, sys, parsed.role);
    },
  };
}
