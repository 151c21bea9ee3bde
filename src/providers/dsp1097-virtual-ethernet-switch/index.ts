/**
 * DSP1097 Virtual Ethernet Switch: each virtual switch of the host as a system with its
 * configuration, capabilities and ports, hosted by the host and drawing from its network pool.
 * Switches are defined and destroyed through DSP1042's management service (management.ts).
 */
import { VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { switchAssociationClasses } from './associations.js';
import { switchClasses } from './classes.js';

export const virtualEthernetSwitch: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({ classes: { ...switchClasses(deps), ...switchAssociationClasses(deps) } }),
}];

// What the management service (DSP1042) and Ethernet port allocation (DSP1050) use.
export { defineSwitch, destroySwitch, isSwitchRef, isSwitchSettings } from './management.js';
export { SWITCH_CLASS, SWITCH_PORT_CLASS, SWITCH_SYSTEM_TYPE, portName, switchName, switchOfName, switchUri } from './names.js';
export { hostSwitches } from './model.js';
