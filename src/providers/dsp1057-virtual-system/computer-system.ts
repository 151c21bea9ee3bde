/**
 * Xen_ComputerSystem: one instance per virtual system (DSP1057 §7.1; libvirt-cim §3.1/§3.2:
 * Name = the system name), with RequestStateChange (DSP1057 §8.1, digest C4).
 */
import {
  type CimInstance, CimInstanceName, type CimValue, type ClassNameRef, type NameMap, cimError, sameName,
} from '../../cim/index.js';
import type { InstanceProvider, MethodResult, ProviderContext, Role } from '../../operations/provider.js';
import { availableTargets, type VirtualSystem } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { CS_CLASS, computerSystemName } from '../shared/naming.js';
import { requestStateChange } from './request-state-change.js';
import { allSystems, build, findSystem, notFound } from '../shared/systems.js';
import { codeOfTarget, stateMemory, stateView, timeOf } from './states.js';

export function csValues(deps: ProviderDeps, sys: VirtualSystem): Record<string, CimValue | undefined> {
  const view = stateView(sys.state);
  const memory = stateMemory(deps.virt);
  return {
    CreationClassName: CS_CLASS,
    Name: sys.name,
    ElementName: sys.name,
    Caption: 'Virtual System',
    Description: 'Virtual System',
    EnabledState: view.enabled,
    RequestedState: memory.requested(sys.name),
    // EnabledDefault: the state the element comes to when its host starts (autostart).
    EnabledDefault: sys.config.autostart ? 2 : 3,
    TransitioningToState: view.transitioningTo,
    AvailableRequestedStates: availableTargets(sys.state).map(codeOfTarget).sort((a, b) => a - b),
    OperationalStatus: view.operational,
    // A system expected to run that disappeared from the hypervisor is degraded (DESIGN §4 recovery).
    HealthState: sys.vanished ? 10 : view.health,
    TimeOfLastStateChange: timeOf(memory.observe(sys)),
    UUID: sys.uuid,
    Dedicated: [0],
    OtherIdentifyingInfo: ['Virtual System', 'Xen Virtual System', sys.uuid],
    IdentifyingDescriptions: ['Type', 'Model', 'UUID'],
  };
}

/** The system a Xen_ComputerSystem name designates (name checked, not looked up). */
export function systemOfCsName(name: CimInstanceName): string | undefined {
  const ccn = name.keyString('CreationClassName');
  if (ccn !== undefined && !sameName(ccn, CS_CLASS)) return undefined;
  return name.keyString('Name');
}

export function createComputerSystemProvider(deps: ProviderDeps): InstanceProvider {
  return {
    classNames: [CS_CLASS],

    async enumerateInstances(ctx: ProviderContext): Promise<CimInstance[]> {
      const systems = await allSystems(deps);
      return systems.map((s) => build(ctx, CS_CLASS, csValues(deps, s)));
    },

    async enumerateInstanceNames(): Promise<CimInstanceName[]> {
      return (await allSystems(deps)).map((s) => computerSystemName(s.name));
    },

    async getInstance(ctx: ProviderContext, name: CimInstanceName): Promise<CimInstance> {
      const sysName = systemOfCsName(name);
      const sys = sysName === undefined ? undefined : await findSystem(deps, sysName);
      if (!sys) notFound(name);
      return build(ctx, CS_CLASS, csValues(deps, sys));
    },

    async invokeMethod(
      ctx: ProviderContext, target: CimInstanceName | ClassNameRef, method: string, params: NameMap<CimValue>,
    ): Promise<MethodResult> {
      if (!sameName(method, 'RequestStateChange')) throw cimError('METHOD_NOT_AVAILABLE', `${CS_CLASS}.${method} is not implemented`);
      const sysName = target instanceof CimInstanceName ? systemOfCsName(target) : undefined;
      if (sysName === undefined) throw cimError('INVALID_PARAMETER', `${CS_CLASS}.RequestStateChange needs an instance of ${CS_CLASS}`);
      return requestStateChange(deps, ctx, sysName, params);
    },

    // Starting and stopping guests is operator business; defining and destroying them is admin's (VSMS).
    methodRole(): Role {
      return 'operator';
    },
  };
}
