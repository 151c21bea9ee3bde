/**
 * The classes of the virtual network profile and their instance names, built with the generic
 * shapes of shared/naming.ts: a network and a switch are systems (CreationClassName, Name), a
 * link is keyed by InstanceID `<network>/<link>` (a network name never contains '/', as a
 * system name), the service is hosted by the Xen host.
 */
import { type CimInstanceName, sameName } from '../../cim/index.js';
import { instanceIdName, serviceName, systemName } from '../shared/naming.js';

export const NETWORK_CLASS = 'Xen_VirtualNetwork';
export const LINK_CLASS = 'Xen_VirtualLink';
export const COMPONENT_CLASS = 'Xen_VirtualNetworkComponent';
export const SERVICE_CLASS = 'Xen_VirtualNetworkManagementService';
export const SERVICE_NAME = 'Network Management Service';
export const CAPABILITIES_CLASS = 'Xen_VirtualNetworkManagementCapabilities';
export const CAPABILITIES_ID = 'NetworkManagementCapabilities';
/** Served by the DSP1097 profile; referenced here by its keys (CreationClassName, Name = the switch). */
export const SWITCH_CLASS = 'Xen_VirtualEthernetSwitch';

export function networkName(network: string): CimInstanceName {
  return systemName(NETWORK_CLASS, network);
}

export function linkId(network: string, link: string): string {
  return `${network}/${link}`;
}

export function linkName(network: string, link: string): CimInstanceName {
  return instanceIdName(LINK_CLASS, linkId(network, link));
}

export function switchName(name: string): CimInstanceName {
  return systemName(SWITCH_CLASS, name);
}

export function networkServiceName(host: string): CimInstanceName {
  return serviceName(SERVICE_CLASS, SERVICE_NAME, host);
}

export function networkCapabilitiesName(): CimInstanceName {
  return instanceIdName(CAPABILITIES_CLASS, CAPABILITIES_ID);
}

/** The network a Xen_VirtualNetwork name designates (keys checked, not looked up). */
export function networkOfName(name: CimInstanceName): string | undefined {
  const ccn = name.keyString('CreationClassName');
  if (ccn !== undefined && !sameName(ccn, NETWORK_CLASS)) return undefined;
  return name.keyString('Name');
}

/** The (network, link) a Xen_VirtualLink name designates: its InstanceID split at the first '/'. */
export function linkOfName(name: CimInstanceName): { network: string; link: string } | undefined {
  const id = name.keyString('InstanceID');
  const slash = id === undefined ? -1 : id.indexOf('/');
  if (id === undefined || slash <= 0 || slash === id.length - 1) return undefined;
  return { network: id.slice(0, slash), link: id.slice(slash + 1) };
}
