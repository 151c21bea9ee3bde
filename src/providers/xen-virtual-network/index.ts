/**
 * Virtual networks (a vendor profile, no DMTF document covers them): Xen_VirtualNetwork with its
 * members, switches and links as components and RequestStateChange over the whole network;
 * Xen_VirtualLink; the network management service (DefineNetwork, DestroyNetwork, AddLink,
 * RemoveLink, SetLinkBandwidth) with its capabilities, hosted by the Xen host.
 */
import { CimInstanceName, cimError } from '../../cim/index.js';
import { VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { networkAssociationClasses } from './associations.js';
import { linkSource, networkSource } from './elements.js';
import { CAPABILITIES_CLASS, LINK_CLASS, NETWORK_CLASS, SERVICE_CLASS, networkOfName } from './names.js';
import { requestNetworkStateChange } from './request-state-change.js';
import { capabilitiesSource, serviceMethods, serviceSource } from './service.js';

export const virtualNetwork: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({
    classes: {
      [NETWORK_CLASS]: networkSource(deps),
      [LINK_CLASS]: linkSource(deps),
      [SERVICE_CLASS]: serviceSource(deps),
      [CAPABILITIES_CLASS]: capabilitiesSource(),
      ...networkAssociationClasses(deps),
    },
    methods: {
      [SERVICE_CLASS]: serviceMethods(deps),
      [NETWORK_CLASS]: {
        // Launching and parking networks is operator business, as for a single system (DSP1057).
        RequestStateChange: {
          role: 'operator',
          run(ctx, target, params) {
            const network = target instanceof CimInstanceName ? networkOfName(target) : undefined;
            if (network === undefined) throw cimError('INVALID_PARAMETER', `${NETWORK_CLASS}.RequestStateChange needs an instance of ${NETWORK_CLASS}`);
            return requestNetworkStateChange(deps, network, params, ctx.signal);
          },
        },
      },
    },
  }),
}];

export { networkEventInstance } from './elements.js';
