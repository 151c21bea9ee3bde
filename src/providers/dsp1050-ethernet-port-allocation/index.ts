/**
 * DSP1050 Ethernet Port Resource Virtualization, the Ethernet connection of each guest interface
 * (CIM_EthernetPortAllocationSettingData, DSP1050 1.1): what it connects to (a DSP1097 virtual
 * switch) and its bandwidth, part of the system's configuration and changed through DSP1042's
 * ModifyResourceSettings (modify.ts).
 */
import { VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { connectionAssociationClasses } from './associations.js';
import { epasdSource } from './epasd.js';
import { EPASD_CLASS } from './names.js';

export const ethernetPortAllocation: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({ classes: { [EPASD_CLASS]: epasdSource(deps), ...connectionAssociationClasses(deps) } }),
}];

// What the management service (DSP1042) uses to modify a connection, and to refuse one given without its interface.
export { type ConnectionChange, connectionChange, refuseNewConnection } from './modify.js';
export { EPASD_CLASS, epasdName, parseEpasdId } from './names.js';
