/**
 * The host side's associations (DSP1042 §7), in the DMTF direction:
 * - Xen_HostedService: Antecedent = host, Dependent = VSMS.
 * - Xen_HostedDependency: Antecedent = host, Dependent = each virtual system.
 * - Xen_ServiceAffectsElement (optional): VSMS → each virtual system, ElementEffects 5 "Manages".
 * - Xen_ElementCapabilities: host ↔ VSMC and VSMS ↔ VSMC (libvirt-cim links both).
 */
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { computerSystemName, hostName, vsmcName, vsmsName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { perSystem } from '../shared/systems.js';

const HOSTED_SERVICE = 'Xen_HostedService';
const HOSTED_DEPENDENCY = 'Xen_HostedDependency';
const SERVICE_AFFECTS = 'Xen_ServiceAffectsElement';
const ELEMENT_CAPABILITIES = 'Xen_ElementCapabilities';

export function hostAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const host = hostName(deps.hostName);
  const vsms = vsmsName(deps.hostName);
  return {
    [HOSTED_SERVICE]: { list: async (ctx) => [build(ctx, HOSTED_SERVICE, { Antecedent: host, Dependent: vsms })] },
    [HOSTED_DEPENDENCY]: {
      ...perSystem(deps, (ctx, s) => build(ctx, HOSTED_DEPENDENCY, { Antecedent: host, Dependent: computerSystemName(s.name) })),
    },
    [SERVICE_AFFECTS]: {
      ...perSystem(deps, (ctx, s) => build(ctx, SERVICE_AFFECTS, {
        AffectedElement: computerSystemName(s.name), AffectingElement: vsms, ElementEffects: [5],
      })),
    },
    [ELEMENT_CAPABILITIES]: {
      list: async (ctx) => [
        build(ctx, ELEMENT_CAPABILITIES, { ManagedElement: host, Capabilities: vsmcName() }),
        build(ctx, ELEMENT_CAPABILITIES, { ManagedElement: vsms, Capabilities: vsmcName() }),
      ],
    },
  };
}
