/**
 * Xen_EnabledLogicalElementCapabilities: one per virtual system, InstanceID = system name
 * (libvirt-cim §3.1). RequestedStatesSupported lists exactly what RequestStateChange implements
 * (DSP1057 §7.4; libvirt-cim §6.4 left out 4 although it worked, we do not). The name can be
 * edited (VSMS ModifySystemSettings renames the system): ElementNameEditSupported is true and
 * MaxElementNameLen is the limit the virt layer's name check enforces.
 * The CS ↔ capabilities link (ElementCapabilities) is served by the capabilities provider.
 */
import type { CimInstance, CimInstanceName, CimValue } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import { LIMITS } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { ELEC_CLASS, elecName } from '../shared/naming.js';
import { allSystems, build, findSystem, notFound } from '../shared/systems.js';
import { REQUESTED_STATES_SUPPORTED } from './states.js';

export { ELEC_CLASS, elecName };

function elecValues(system: string): Record<string, CimValue> {
  return {
    InstanceID: system,
    ElementName: `Capabilities for ${system}`,
    RequestedStatesSupported: [...REQUESTED_STATES_SUPPORTED],
    ElementNameEditSupported: true,
    MaxElementNameLen: LIMITS.nameMaxLength,
  };
}

export function createSystemCapabilitiesProvider(deps: ProviderDeps): InstanceProvider {
  return {
    classNames: [ELEC_CLASS],

    async enumerateInstances(ctx: ProviderContext): Promise<CimInstance[]> {
      return (await allSystems(deps)).map((s) => build(ctx, ELEC_CLASS, elecValues(s.name)));
    },

    async getInstance(ctx: ProviderContext, name: CimInstanceName): Promise<CimInstance> {
      const id = name.keyString('InstanceID');
      const sys = id === undefined ? undefined : await findSystem(deps, id);
      if (!sys) notFound(name);
      return build(ctx, ELEC_CLASS, elecValues(sys.name));
    },
  };
}
