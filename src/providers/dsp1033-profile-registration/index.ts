/**
 * DSP1033 Profile Registration and the server's self-description: root/interop holds the
 * registered profiles, the object manager, its namespaces and communication mechanism; the
 * cross-namespace associations (ElementConformsToProfile, the object manager hosted by the Xen
 * host) also have their root/virt half, so they are navigable from both ends.
 */
import { INTEROP_NS, VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { ECTP_CLASS, interopConformance, localConformance, profileMethods } from './conformance.js';
import { PROFILE_CLASS, profileClasses } from './registered-profiles.js';
import { hostingClasses, serverClasses } from './server.js';

export const profileRegistration: ProfileProviders = (deps) => [
  {
    namespace: INTEROP_NS,
    provider: profileProvider({
      classes: { ...serverClasses(deps), ...profileClasses(deps), [ECTP_CLASS]: interopConformance(deps) },
      methods: { [PROFILE_CLASS]: profileMethods(deps) },
    }),
  },
  {
    namespace: VIRT_NS,
    provider: profileProvider({ classes: { [ECTP_CLASS]: localConformance(deps), ...hostingClasses(deps) } }),
  },
];
