/**
 * Xen_VirtualNetworkManagementService, hosted by the Xen host, and its capabilities. Its methods
 * are in one table (name, implementation, role, value in the capabilities), as the DSP1042
 * management service's: every one completes before returning (0), a refusal is a CimError whose
 * description names the parameter and element at fault, and it changes nothing.
 */
import { type CimInstanceName, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult, Role } from '../../operations/provider.js';
import type { LinkBandwidth } from '../../virt/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { readInstance, readNumber, readRef } from '../shared/params.js';
import type { ClassSource, Method } from '../shared/provider.js';
import { defineNetwork } from './define-network.js';
import { parseLink } from './link-settings.js';
import { findNetwork, networkModel } from './model.js';
import { NETWORK_STATES_SUPPORTED } from './network-state.js';
import {
  CAPABILITIES_CLASS, CAPABILITIES_ID, SERVICE_CLASS, SERVICE_NAME, linkName, linkOfName, networkOfName, networkServiceName,
} from './names.js';

async function affectedNetwork(deps: ProviderDeps, params: NameMap<CimValue>): Promise<string> {
  const ref = readRef(params, 'AffectedNetwork');
  if (!ref) throw badParam('AffectedNetwork (a reference to the Xen_VirtualNetwork) is required');
  const name = networkOfName(ref);
  const net = name === undefined ? undefined : await findNetwork(deps, name);
  if (!net) throw cimError('NOT_FOUND', `AffectedNetwork ${ref.toString()} does not exist`);
  return net.name;
}

async function affectedLink(deps: ProviderDeps, params: NameMap<CimValue>): Promise<{ network: string; link: string; ref: CimInstanceName }> {
  const ref = readRef(params, 'AffectedLink');
  if (!ref) throw badParam('AffectedLink (a reference to the Xen_VirtualLink) is required');
  const parsed = linkOfName(ref);
  const net = parsed ? await findNetwork(deps, parsed.network) : undefined;
  if (!parsed || !net?.links.some((l) => l.name === parsed.link)) throw cimError('NOT_FOUND', `AffectedLink ${ref.toString()} does not exist`);
  return { ...parsed, ref };
}

async function destroyNetwork(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const network = await affectedNetwork(deps, params);
  try {
    await networkModel(deps).destroy(network);
  } catch (e) {
    throw toCimError(e, `DestroyNetwork '${network}'`);
  }
  deps.log(`DestroyNetwork: '${network}' destroyed`);
  return { returnValue: 0 };
}

async function addLink(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const network = await affectedNetwork(deps, params);
  const settings = readInstance(params, 'LinkSettings');
  if (!settings) throw badParam('LinkSettings (an embedded Xen_VirtualLink) is required');
  const spec = parseLink(settings, 'LinkSettings');
  try {
    const net = await networkModel(deps).addLink(network, spec);
    const link = net.links.find((l) => l.name === spec.name)!;
    deps.log(`AddLink: '${link.name}' in '${network}' (${link.ends[0].system} ↔ ${link.ends[1].system} on ${link.switch})`);
    return { returnValue: 0, out: { ResultingLink: linkName(network, link.name) } };
  } catch (e) {
    throw toCimError(e, `AddLink '${spec.name}' to '${network}'`);
  }
}

async function removeLink(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const { network, link } = await affectedLink(deps, params);
  try {
    await networkModel(deps).removeLink(network, link);
  } catch (e) {
    throw toCimError(e, `RemoveLink '${link}' of '${network}'`);
  }
  deps.log(`RemoveLink: '${link}' of '${network}' removed`);
  return { returnValue: 0 };
}

/** Limit and Reservation in bit/s: NULL leaves one unchanged, 0 removes it (unlimited, no guarantee). */
async function setLinkBandwidth(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const { network, link } = await affectedLink(deps, params);
  const change: LinkBandwidth = {};
  for (const [param, key] of [['Limit', 'limitBitsPerSecond'], ['Reservation', 'reservationBitsPerSecond']] as const) {
    const n = readNumber(params, param);
    if (n === undefined) continue;
    if (n < 0) throw badParam(`${param} ${n} must not be negative`);
    change[key] = n === 0 ? null : n;
  }
  if (Object.keys(change).length === 0) throw badParam('SetLinkBandwidth needs Limit or Reservation (bit/s; 0 removes it)');
  try {
    const { link: l, effect } = await networkModel(deps).setLinkBandwidth(network, link, change);
    deps.log(`SetLinkBandwidth: '${link}' of '${network}' limit ${l.limitBitsPerSecond ?? 'none'}, reservation ${l.reservationBitsPerSecond ?? 'none'} bit/s (${effect === 'live' ? 'live' : 'from the next start'})`);
  } catch (e) {
    throw toCimError(e, `SetLinkBandwidth of '${link}' in '${network}'`);
  }
  return { returnValue: 0 };
}

interface ServiceMethod {
  name: string;
  run(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult>;
  role: Role;
  /** Its value in SynchronousMethodsSupported. */
  synchronous: number;
}

/** The service's methods: the one list the dispatch and the capabilities derive from. */
export const NETWORK_SERVICE_METHODS: readonly ServiceMethod[] = [
  { name: 'DefineNetwork', run: defineNetwork, role: 'admin', synchronous: 2 },
  { name: 'DestroyNetwork', run: destroyNetwork, role: 'admin', synchronous: 3 },
  { name: 'AddLink', run: addLink, role: 'admin', synchronous: 4 },
  { name: 'RemoveLink', run: removeLink, role: 'admin', synchronous: 5 },
  // Bandwidth is operations business, as starting and stopping systems is.
  { name: 'SetLinkBandwidth', run: setLinkBandwidth, role: 'operator', synchronous: 6 },
];

export function serviceMethods(deps: ProviderDeps): Record<string, Method> {
  return Object.fromEntries(NETWORK_SERVICE_METHODS.map((m): [string, Method] => [m.name, { role: m.role, run: (_ctx, _target, params) => m.run(deps, params) }]));
}

export function serviceSource(deps: ProviderDeps): ClassSource {
  return {
    list: async (ctx) => [build(ctx, SERVICE_CLASS, {
      ...Object.fromEntries(networkServiceName(deps.hostName).keybindings.map((k) => [k.name, k.value as CimValue])),
      ElementName: SERVICE_NAME,
      Caption: 'Virtual network management service',
      EnabledState: 2,
      RequestedState: 12,
      OperationalStatus: [2],
      HealthState: 5,
      Started: true,
      StartMode: 'Automatic',
    })],
  };
}

export function capabilitiesSource(): ClassSource {
  return {
    list: async (ctx) => [build(ctx, CAPABILITIES_CLASS, {
      InstanceID: CAPABILITIES_ID,
      ElementName: 'Virtual network management capabilities',
      SynchronousMethodsSupported: NETWORK_SERVICE_METHODS.map((m) => m.synchronous),
      AsynchronousMethodsSupported: [],
      RequestedStatesSupported: [...NETWORK_STATES_SUPPORTED],
      // 2 By Reference (Routers), 3 By Embedded Settings (RouterSettings with their RASDs).
      RouterDefinitionsSupported: [2, 3],
      LiveBandwidthChangeSupported: true,
      BandwidthReservationSupported: true,
    })],
  };
}
