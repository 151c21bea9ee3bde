/**
 * Registered profiles (DSP1033 §7.1-7.2) from profiles/*.json: one Xen_RegisteredProfile each
 * (libvirt-cim's class and InstanceIDs), and Xen_ReferencedProfile in the DMTF direction:
 * Antecedent = the referenced / component profile, Dependent = the referencing / scoping one.
 * SNIA's (and xs-cim's) opposite direction is not followed.
 */
import type { CimInstanceName } from '../../cim/index.js';
import { build } from '../shared/build.js';
import type { ProfileRegistration, ProviderDeps } from '../shared/deps.js';
import { instanceIdName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';

export const PROFILE_CLASS = 'Xen_RegisteredProfile';
const REFERENCED_CLASS = 'Xen_ReferencedProfile';

export function profileName(p: Pick<ProfileRegistration, 'instanceId'>): CimInstanceName {
  return instanceIdName(PROFILE_CLASS, p.instanceId);
}

/**
 * (referenced, referencing) pairs, each once: from referencedProfiles and from scopingProfile. A
 * component that lists its scoping profile among its references (DSP1081 lists DSP1042) is linked
 * to it once, as its component: the reverse pair would make the scoping profile a component of its
 * own component, and a client following the DMTF direction down from it would loop.
 */
function profileReferences(profiles: ProfileRegistration[]): { antecedent: ProfileRegistration; dependent: ProfileRegistration }[] {
  const byDsp = (dsp: string) => profiles.filter((p) => p.dsp === dsp);
  const seen = new Set<string>();
  const out: { antecedent: ProfileRegistration; dependent: ProfileRegistration }[] = [];
  const add = (antecedent: ProfileRegistration, dependent: ProfileRegistration) => {
    const key = `${antecedent.instanceId}\u0000${dependent.instanceId}`;
    if (antecedent === dependent || seen.has(key)) return;
    seen.add(key);
    out.push({ antecedent, dependent });
  };
  for (const p of profiles) {
    for (const dsp of p.referencedProfiles ?? []) if (dsp !== p.scopingProfile) for (const q of byDsp(dsp)) add(q, p);
    if (p.scopingProfile) for (const s of byDsp(p.scopingProfile)) add(p, s);
  }
  return out;
}

export function profileClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return {
    [PROFILE_CLASS]: {
      list: async (ctx) => deps.profiles.map((p) => build(ctx, PROFILE_CLASS, {
        InstanceID: p.instanceId,
        ElementName: p.registeredName,
        SpecificationType: 2,
        RegisteredOrganization: p.registeredOrganization,
        OtherRegisteredOrganization: p.otherRegisteredOrganization,
        RegisteredName: p.registeredName,
        RegisteredVersion: p.registeredVersion,
        AdvertiseTypes: p.advertiseTypes,
        AdvertiseTypeDescriptions: p.advertiseTypes.map((t) => (t === 2 ? 'Not Advertised' : t === 3 ? 'SLP' : 'Other')),
      })),
    },
    [REFERENCED_CLASS]: {
      list: async (ctx) => profileReferences(deps.profiles).map(({ antecedent, dependent }) =>
        build(ctx, REFERENCED_CLASS, { Antecedent: profileName(antecedent), Dependent: profileName(dependent) })),
    },
  };
}
