/**
 * DSP1057 Virtual System: each virtual system (Xen_ComputerSystem) with its state and
 * RequestStateChange, its capabilities, its two configurations (VSSD; its RASDs come from
 * DSP1041), its logical devices, and the associations inside one system.
 */
import { CS_CLASS, ELEC_CLASS, VIRT_NS, VSSD_CLASS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { systemAssociationClasses } from './associations.js';
import { capabilitiesSource } from './capabilities.js';
import { computerSystemMethods, computerSystemSource } from './computer-system.js';
import { deviceClasses } from './devices.js';
import { vssdSource } from './vssd.js';

export const virtualSystem: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({
    classes: {
      [CS_CLASS]: computerSystemSource(deps),
      [ELEC_CLASS]: capabilitiesSource(deps),
      [VSSD_CLASS]: vssdSource(deps),
      ...deviceClasses(deps),
      ...systemAssociationClasses(deps),
    },
    methods: { [CS_CLASS]: computerSystemMethods(deps) },
  }),
}];

// What the management service (DSP1042) and the snapshot service (a snapshot is a VSSD) use to define, change and destroy virtual systems.
export { VIRTUAL_SYSTEM_TYPE, parseSystemSettings, parseSystemType, vssdValues } from './vssd-convert.js';
export { computerSystemInstance } from './computer-system.js';
export { findConfiguration } from './vssd.js';
