/**
 * Xen_EnabledLogicalElementCapabilities: one per virtual system, InstanceID = system name (as
 * libvirt-cim). RequestedStatesSupported lists exactly what RequestStateChange implements
 * (DSP1057 §7.4; libvirt-cim left out 4 although it worked, we do not). The name can be edited
 * (VSMS ModifySystemSettings renames the system): ElementNameEditSupported is true and
 * MaxElementNameLen is the limit the virt layer's name check enforces. Each system is linked to
 * its capabilities by Xen_ElementCapabilities (associations.ts).
 */
import { LIMITS } from '../../virt/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { ELEC_CLASS } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { findSystem, perSystem } from '../shared/systems.js';
import { REQUESTED_STATES_SUPPORTED } from './states.js';

function elecValues(system: string): Values {
  return {
    InstanceID: system,
    ElementName: `Capabilities for ${system}`,
    RequestedStatesSupported: [...REQUESTED_STATES_SUPPORTED],
    ElementNameEditSupported: true,
    MaxElementNameLen: LIMITS.nameMaxLength,
  };
}

export function capabilitiesSource(deps: ProviderDeps): ClassSource {
  return {
    ...perSystem(deps, (ctx, s) => build(ctx, ELEC_CLASS, elecValues(s.name))),
    async get(ctx, name) {
      const id = name.keyString('InstanceID');
      const sys = id === undefined ? undefined : await findSystem(deps, id);
      return sys ? build(ctx, ELEC_CLASS, elecValues(sys.name)) : undefined;
    },
  };
}
