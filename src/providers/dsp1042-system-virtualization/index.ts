/**
 * DSP1042 System Virtualization: the host (central and scoping instance), its virtual system
 * management service with all its methods, the service's capabilities, and the host-side
 * associations to the service and to the virtual systems.
 */
import { HOST_CLASS, VIRT_NS, VSMC_CLASS, VSMS_CLASS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { hostAssociationClasses } from './associations.js';
import { managementCapabilitiesSource } from './capabilities.js';
import { hostSystemSource } from './host-system.js';
import { managementServiceMethods, managementServiceSource } from './management-service.js';

export const systemVirtualization: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({
    classes: {
      [HOST_CLASS]: hostSystemSource(deps),
      [VSMS_CLASS]: managementServiceSource(deps),
      [VSMC_CLASS]: managementCapabilitiesSource(),
      ...hostAssociationClasses(deps),
    },
    methods: { [VSMS_CLASS]: managementServiceMethods(deps) },
  }),
}];
