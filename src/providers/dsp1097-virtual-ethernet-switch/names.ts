/**
 * The names of DSP1097's instances: a virtual switch is a system of its own class (keys
 * CreationClassName, Name = the switch name), its configuration and capabilities are keyed
 * `Xen:switch:<name>` (never a virtual system's `Xen:<name>`: system names contain no ':'), and
 * a port is the device `<system>/<mac>` of the switch, one per guest interface plugged into it.
 */
import { type CimInstanceName, sameName } from '../../cim/index.js';
import { ELEC_CLASS, VIRT_NS, instanceIdName, scopedDeviceName, systemName } from '../shared/naming.js';

export const SWITCH_CLASS = 'Xen_VirtualEthernetSwitch';
export const SWITCH_SETTINGS_CLASS = 'Xen_VirtualEthernetSwitchSettingData';
export const SWITCH_PORT_CLASS = 'Xen_VirtualEthernetSwitchPort';

/**
 * CIM_VirtualSystemSettingData.VirtualSystemType of a switch's configuration (DSP1097): the value
 * Hyper-V's and XenServer's switch configurations carry.
 */
export const SWITCH_SYSTEM_TYPE = 'DMTF:Virtual Ethernet Switch';

const SETTINGS_PREFIX = 'Xen:switch:';

export function switchName(name: string): CimInstanceName {
  return systemName(SWITCH_CLASS, name);
}

/** The switch as a WBEM URI (DSP0207), for HostResource and AssociatedResourcePool values. */
export function switchUri(name: string): string {
  return switchName(name).withNamespace(VIRT_NS).toString();
}

export function switchSettingsId(name: string): string {
  return `${SETTINGS_PREFIX}${name}`;
}

export function switchSettingsName(name: string): CimInstanceName {
  return instanceIdName(SWITCH_SETTINGS_CLASS, switchSettingsId(name));
}

/** The switch's Xen_EnabledLogicalElementCapabilities (same InstanceID shape as its configuration). */
export function switchCapabilitiesName(name: string): CimInstanceName {
  return instanceIdName(ELEC_CLASS, switchSettingsId(name));
}

export function portDeviceId(system: string, mac: string): string {
  return `${system}/${mac}`;
}

export function portName(switchName_: string, system: string, mac: string): CimInstanceName {
  return scopedDeviceName(SWITCH_CLASS, switchName_, SWITCH_PORT_CLASS, portDeviceId(system, mac));
}

/** The switch an InstanceID of ours names (`Xen:switch:<name>`), or undefined. */
export function switchOfSettingsId(id: string | undefined): string | undefined {
  return id !== undefined && id.startsWith(SETTINGS_PREFIX) && id.length > SETTINGS_PREFIX.length ? id.slice(SETTINGS_PREFIX.length) : undefined;
}

/** The switch a reference designates, from its keys alone: the switch itself (its CreationClassName), its settings, capabilities or a port. */
export function switchOfName(ref: CimInstanceName): string | undefined {
  const id = ref.keyString('InstanceID');
  if (id !== undefined) return switchOfSettingsId(id);
  if (sameName(ref.keyString('SystemCreationClassName'), SWITCH_CLASS)) return ref.keyString('SystemName');
  return sameName(ref.keyString('CreationClassName'), SWITCH_CLASS) ? ref.keyString('Name') : undefined;
}
