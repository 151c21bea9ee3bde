/**
 * DSP1033 Profile Registration and the server's self-description, namespace root/interop
 * (digest E; what pywbem's WBEMServer expects, E4), plus the root/virt half of the
 * cross-namespace Xen_ElementConformsToProfile.
 */
import { type CimInstanceName, cimError, isClassNameRef, sameName } from '../../cim/index.js';
import type { InstanceProvider } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { listProvider } from '../shared/provider.js';
import { type ServerDescriptionOptions, serverListers } from './server.js';
import { PROFILE_CLASS, profileListers } from './registered-profiles.js';
import { ECTP_CLASS, centralInstancePaths, interopEctpLister, virtEctpLister } from './conformance.js';

export type InteropOptions = ServerDescriptionOptions;

/** Providers of root/interop (register them in INTEROP_NS and in any alias of it). */
export function createInteropProviders(deps: ProviderDeps, opts: InteropOptions = {}): InstanceProvider[] {
  const profiles = profileListers(deps);
  const profileProvider = listProvider(profiles, {
    // GetCentralInstances (DSP1033 1.1, optional): the central class methodology in one call.
    async invokeMethod(_ctx, target, method) {
      if (!sameName(method, 'GetCentralInstances')) throw cimError('METHOD_NOT_AVAILABLE', `${PROFILE_CLASS}.${method} is not implemented`);
      if (isClassNameRef(target)) throw cimError('INVALID_PARAMETER', 'GetCentralInstances must be invoked on a registered profile');
      const id = (target as CimInstanceName).keyString('InstanceID');
      const profile = deps.profiles.find((p) => p.instanceId === id);
      if (!profile) throw cimError('NOT_FOUND', `no registered profile ${target.toString()}`);
      return { returnValue: 0, out: { CentralInstances: await centralInstancePaths(deps, profile) } };
    },
    methodRole: () => 'reader',
  });
  return [
    listProvider(serverListers(deps, opts)),
    profileProvider,
    listProvider({ [ECTP_CLASS]: interopEctpLister(deps) }),
  ];
}

/**
 * The root/virt half of the associations that cross namespaces (register in VIRT_NS), so they
 * are navigable from both ends: Xen_ElementConformsToProfile (profile → central instance), and
 * the host's CIM_HostedService / CIM_HostedAccessPoint to the object manager and its
 * communication mechanism in root/interop.
 */
export function createVirtEctpProvider(deps: ProviderDeps, opts: InteropOptions = {}): InstanceProvider {
  const server = serverListers(deps, opts);
  return listProvider({
    [ECTP_CLASS]: virtEctpLister(deps),
    CIM_HostedService: server.CIM_HostedService!,
    CIM_HostedAccessPoint: server.CIM_HostedAccessPoint!,
  });
}
