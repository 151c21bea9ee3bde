/**
 * The Ethernet connection of a guest interface (DSP1050): one Xen_EthernetPortAllocationSettingData
 * per interface, InstanceID `<system>/<mac>/connection`. A system name contains no '/', a MAC
 * neither, and no RASD or template InstanceID ends in '/connection', so the shapes cannot be confused.
 */
import type { CimInstanceName } from '../../cim/index.js';
import { instanceIdName } from '../shared/naming.js';

export const EPASD_CLASS = 'Xen_EthernetPortAllocationSettingData';

/** CIM_ResourceAllocationSettingData.ResourceType 33: Ethernet Connection. */
export const ETHERNET_CONNECTION = 33;

const SUFFIX = '/connection';

export function epasdId(system: string, mac: string): string {
  return `${system}/${mac}${SUFFIX}`;
}

export function epasdName(system: string, mac: string): CimInstanceName {
  return instanceIdName(EPASD_CLASS, epasdId(system, mac));
}

export function parseEpasdId(id: string | undefined): { system: string; mac: string } | undefined {
  if (id === undefined || !id.endsWith(SUFFIX)) return undefined;
  const rest = id.slice(0, -SUFFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1 || rest.indexOf('/', slash + 1) !== -1) return undefined;
  return { system: rest.slice(0, slash), mac: rest.slice(slash + 1) };
}
