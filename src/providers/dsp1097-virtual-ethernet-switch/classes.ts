/**
 * DSP1097's instances: each virtual switch as a Xen_VirtualEthernetSwitch (a CIM_ComputerSystem,
 * DSP1097), its configuration (Xen_VirtualEthernetSwitchSettingData, VirtualSystemType
 * DMTF:Virtual Ethernet Switch, AssociatedResourcePool = its network pool), its state
 * capabilities (none can be requested: a switch is up while it exists) and its ports.
 */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { ELEC_CLASS, VIRT_NS, poolName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { type SwitchPort, type SwitchView, switchViews } from './model.js';
import {
  SWITCH_CLASS, SWITCH_PORT_CLASS, SWITCH_SETTINGS_CLASS, SWITCH_SYSTEM_TYPE, portDeviceId, switchOfName, switchSettingsId,
} from './names.js';

/** CIM_ComputerSystem.Dedicated 38: Ethernet Switch. */
const ETHERNET_SWITCH = 38;

function switchValues(v: SwitchView): Values {
  const { name, up } = v.sw;
  return {
    CreationClassName: SWITCH_CLASS,
    Name: name,
    ElementName: name,
    Caption: 'Virtual Ethernet Switch',
    Description: `Virtual Ethernet switch ${name} with ${v.ports.length} port(s)`,
    // A switch that is down still exists and accepts interfaces: Enabled but Offline, Dormant.
    EnabledState: up ? 2 : 6,
    RequestedState: 12,
    EnabledDefault: 2,
    AvailableRequestedStates: [],
    OperationalStatus: [up ? 2 : 15],
    HealthState: 5,
    Dedicated: [ETHERNET_SWITCH],
  };
}

function settingsValues(v: SwitchView): Values {
  return {
    InstanceID: switchSettingsId(v.sw.name),
    ElementName: v.sw.name,
    VirtualSystemIdentifier: v.sw.name,
    VirtualSystemType: SWITCH_SYSTEM_TYPE,
    Caption: 'Virtual Ethernet switch configuration',
    AssociatedResourcePool: v.pool ? [poolName(v.pool).withNamespace(VIRT_NS).toString()] : [],
    // A plain learning bridge (IEEE 802.1D): Virtual Ethernet Bridge.
    EVBMode: 2,
  };
}

function capabilitiesValues(v: SwitchView): Values {
  return {
    InstanceID: switchSettingsId(v.sw.name),
    ElementName: `Capabilities for switch ${v.sw.name}`,
    RequestedStatesSupported: [],
    ElementNameEditSupported: false,
  };
}

function portValues(v: SwitchView, p: SwitchPort): Values {
  return {
    SystemCreationClassName: SWITCH_CLASS,
    SystemName: v.sw.name,
    CreationClassName: SWITCH_PORT_CLASS,
    DeviceID: portDeviceId(p.system.name, p.mac),
    ElementName: `${p.system.name} ${p.mac}`,
    EnabledState: p.system.state === 'paused' ? 9 : 2,
    RequestedState: 12,
    HealthState: 5,
    OperationalStatus: [2],
    LinkTechnology: 2,
    Speed: p.bitsPerSecond,
    MaxSpeed: p.bitsPerSecond,
  };
}

/** A class with instances per switch: listed from every switch, got from the one its name designates. */
function perSwitch(deps: ProviderDeps, className: string, make: (v: SwitchView) => Values[]): ClassSource {
  const built = (ctx: ProviderContext, views: SwitchView[]): CimInstance[] => views.flatMap((v) => make(v).map((x) => build(ctx, className, x)));
  return {
    list: async (ctx) => built(ctx, await switchViews(deps)),
    async get(ctx, name) {
      const sw = switchOfName(name);
      if (sw === undefined) return undefined;
      const id = name.identity();
      return built(ctx, await switchViews(deps, sw)).find((i) => i.path!.identity() === id);
    },
  };
}

export function switchClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return {
    [SWITCH_CLASS]: perSwitch(deps, SWITCH_CLASS, (v) => [switchValues(v)]),
    [SWITCH_SETTINGS_CLASS]: perSwitch(deps, SWITCH_SETTINGS_CLASS, (v) => [settingsValues(v)]),
    [ELEC_CLASS]: perSwitch(deps, ELEC_CLASS, (v) => [capabilitiesValues(v)]),
    [SWITCH_PORT_CLASS]: perSwitch(deps, SWITCH_PORT_CLASS, (v) => v.ports.map((p) => portValues(v, p))),
  };
}
