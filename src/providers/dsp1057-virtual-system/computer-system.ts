/**
 * Xen_ComputerSystem: one instance per virtual system (DSP1057 §7.1; Name = the system name, as
 * libvirt-cim), with RequestStateChange (DSP1057 §8.1, request-state-change.ts).
 */
import { CimInstanceName, cimError } from '../../cim/index.js';
import type { VirtualSystem } from '../../virt/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { CS_CLASS, computerSystemName, systemOfCsName } from '../shared/naming.js';
import type { ClassSource, Method } from '../shared/provider.js';
import { allSystems, findSystem, perSystem } from '../shared/systems.js';
import { requestStateChange } from './request-state-change.js';
import { availableRequestedStates, requestedCode, stateView, timeOf } from './states.js';

function csValues(sys: VirtualSystem): Values {
  const view = stateView(sys.state, sys.vanished);
  return {
    CreationClassName: CS_CLASS,
    Name: sys.name,
    ElementName: sys.name,
    Caption: 'Virtual System',
    Description: 'Virtual System',
    EnabledState: view.enabled,
    RequestedState: requestedCode(sys.requested),
    // EnabledDefault: the state the element comes to when its host starts (autostart).
    EnabledDefault: sys.config.autostart ? 2 : 3,
    TransitioningToState: view.transitioningTo,
    AvailableRequestedStates: availableRequestedStates(sys.state),
    OperationalStatus: view.operational,
    // DSP1081: 10 Emigrating while a migration moves it away.
    OperatingStatus: sys.state === 'migrating' ? 10 : undefined,
    HealthState: view.health,
    TimeOfLastStateChange: timeOf(sys.stateChangedAt),
    UUID: sys.uuid,
    Dedicated: [0],
    OtherIdentifyingInfo: ['Virtual System', 'Xen Virtual System', sys.uuid],
    IdentifyingDescriptions: ['Type', 'Model', 'UUID'],
  };
}

/** The Xen_ComputerSystem of a system as given (e.g. as it was before a change, for an indication). */
export function computerSystemInstance(ctx: Parameters<typeof build>[0], sys: VirtualSystem): ReturnType<typeof build> {
  return build(ctx, CS_CLASS, csValues(sys));
}

export function computerSystemSource(deps: ProviderDeps): ClassSource {
  return {
    ...perSystem(deps, (ctx, s) => build(ctx, CS_CLASS, csValues(s))),
    names: async () => (await allSystems(deps)).map((s) => computerSystemName(s.name)),
    async get(ctx, name) {
      const system = systemOfCsName(name);
      const sys = system === undefined ? undefined : await findSystem(deps, system);
      return sys ? build(ctx, CS_CLASS, csValues(sys)) : undefined;
    },
  };
}

/** Starting and stopping guests is operator business; defining and destroying them is admin's (VSMS). */
export function computerSystemMethods(deps: ProviderDeps): Record<string, Method> {
  return {
    RequestStateChange: {
      role: 'operator',
      run(ctx, target, params) {
        const system = target instanceof CimInstanceName ? systemOfCsName(target) : undefined;
        if (system === undefined) throw cimError('INVALID_PARAMETER', `${CS_CLASS}.RequestStateChange needs an instance of ${CS_CLASS}`);
        return requestStateChange(deps, system, params, ctx.signal);
      },
    },
  };
}
