/**
 * Xen_VirtualSystemSettingData in its two DSP1057 roles (§7.3): the defined configuration of
 * every system (`Xen:<name>`, libvirt-cim's InstanceID, the one SettingsDefineState ties to the
 * CS), and the current-state configuration of a system that exists on the hypervisor
 * (`Xen:<name>:current`). Live changes are folded into the definition by the virt layer, so both
 * carry the same values; they differ in role (ElementSettingData IsCurrent/IsNext) and lifetime.
 */
import type { VirtualSystem } from '../../virt/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { type SettingsRole, VSSD_CLASS, parseVssdId } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { findSystem, perSystem } from '../shared/systems.js';
import { vssdValues } from './vssd-convert.js';

/** A system has a current-state configuration while a domain exists for it. */
export function hasCurrentState(sys: VirtualSystem): boolean {
  return sys.live !== undefined;
}

function vssdRoles(sys: VirtualSystem): SettingsRole[] {
  return hasCurrentState(sys) ? ['defined', 'current'] : ['defined'];
}

/**
 * The configuration a VSSD InstanceID designates, with its system, or undefined when there is
 * none: what GetInstance finds and what a method given that InstanceID (a reference, an embedded
 * VSSD) acts on. The state one (`Xen:<name>:current`) exists only while a domain does.
 */
export async function findConfiguration(deps: Pick<ProviderDeps, 'virt'>, id: string | undefined): Promise<{ sys: VirtualSystem; role: SettingsRole } | undefined> {
  const parsed = id === undefined ? undefined : parseVssdId(id);
  const sys = parsed ? await findSystem(deps, parsed.system) : undefined;
  return parsed && sys && vssdRoles(sys).includes(parsed.role) ? { sys, role: parsed.role } : undefined;
}

export function vssdSource(deps: ProviderDeps): ClassSource {
  return {
    ...perSystem(deps, (ctx, s) => vssdRoles(s).map((r) => build(ctx, VSSD_CLASS, vssdValues(s, r)))),
    async get(ctx, name) {
      const found = await findConfiguration(deps, name.keyString('InstanceID'));
      return found ? build(ctx, VSSD_CLASS, vssdValues(found.sys, found.role)) : undefined;
    },
  };
}
