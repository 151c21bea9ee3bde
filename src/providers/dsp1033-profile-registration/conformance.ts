/**
 * Which instances conform to which registered profile (DSP1033 §7.3, the central class
 * methodology of DSP1001), derived from the profile data alone: Xen_ElementConformsToProfile
 * from each profile to every instance of its `centralClass` (and subclasses) in its `namespace`,
 * whoever serves them, read through the CIMOM handle. A profile registered with the scoping
 * class methodology (`"methodology": "scoping"`, e.g. DSP1103, whose jobs are transient and are
 * found from the VSMS through OwningJobElement) has none.
 *
 * The association crosses namespaces (profiles in root/interop, most central instances in
 * root/virt), so it is served in both and each side's foreign reference carries its namespace:
 * AssociatorNames then works from the profile and from the managed element. GetCentralInstances
 * (DSP1033 1.1, optional) answers a profile's central instances in one call, whichever way the
 * profile is advertised.
 */
import { type CimInstance, CimInstanceName, cimError, sameName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { build } from '../shared/build.js';
import type { ProfileRegistration, ProviderDeps } from '../shared/deps.js';
import { INTEROP_NS } from '../shared/naming.js';
import type { ClassSource, Method } from '../shared/provider.js';
import { profileName } from './registered-profiles.js';

export const ECTP_CLASS = 'Xen_ElementConformsToProfile';

type WithCentralClass = ProfileRegistration & { centralClass: string };

/** Whether the profile advertises its central instances with ElementConformsToProfile. */
function advertised(p: ProfileRegistration): p is WithCentralClass {
  return p.centralClass !== undefined && p.methodology !== 'scoping';
}

/**
 * The central instances of each profile (local names in its namespace), each central class
 * asked once per request however many profiles share it (the four pool types' profiles do).
 */
async function centralInstancesOf(ctx: ProviderContext, profiles: ProfileRegistration[]): Promise<[ProfileRegistration, CimInstanceName[]][]> {
  return centralInstancesOfClass(ctx, profiles.filter(advertised));
}

async function centralInstancesOfClass(ctx: ProviderContext, profiles: WithCentralClass[]): Promise<[ProfileRegistration, CimInstanceName[]][]> {
  const asked = new Map<string, Promise<CimInstanceName[]>>();
  const namesOf = (p: ProfileRegistration & { centralClass: string }) => {
    const key = `${p.namespace.toLowerCase()}:${p.centralClass.toLowerCase()}`;
    let names = asked.get(key);
    if (!names) asked.set(key, (names = ctx.cimom.enumerateInstanceNames(p.namespace, p.centralClass)));
    return names;
  };
  return Promise.all(profiles.map(async (p): Promise<[ProfileRegistration, CimInstanceName[]]> => [p, await namesOf(p)]));
}

/**
 * The central instances of one profile with their namespace (GetCentralInstances), whichever way
 * it is advertised: a profile found by the scoping class methodology has central instances too.
 */
async function centralInstancePaths(ctx: ProviderContext, profile: ProfileRegistration): Promise<CimInstanceName[]> {
  if (profile.centralClass === undefined) return [];
  const [found] = await centralInstancesOfClass(ctx, [{ ...profile, centralClass: profile.centralClass }]);
  return (found?.[1] ?? []).map((n) => n.withNamespace(profile.namespace));
}

/** ECTP as served in the interop namespace: every profile; foreign ManagedElements carry their namespace. */
export function interopConformance(deps: ProviderDeps): ClassSource {
  return {
    async list(ctx) {
      const out: CimInstance[] = [];
      for (const [p, names] of await centralInstancesOf(ctx, deps.profiles)) {
        const local = sameName(p.namespace, ctx.namespace);
        for (const n of names) {
          out.push(build(ctx, ECTP_CLASS, { ConformantStandard: profileName(p), ManagedElement: local ? n : n.withNamespace(p.namespace) }));
        }
      }
      return out;
    },
  };
}

/** ECTP as served in another namespace: the profiles whose central instances live there; the profile reference carries root/interop. */
export function localConformance(deps: ProviderDeps): ClassSource {
  return {
    async list(ctx) {
      const here = deps.profiles.filter((p) => sameName(p.namespace, ctx.namespace));
      const out: CimInstance[] = [];
      for (const [p, names] of await centralInstancesOf(ctx, here)) {
        for (const n of names) out.push(build(ctx, ECTP_CLASS, { ConformantStandard: profileName(p).withNamespace(INTEROP_NS), ManagedElement: n }));
      }
      return out;
    },
  };
}

/** Xen_RegisteredProfile's methods. */
export function profileMethods(deps: ProviderDeps): Record<string, Method> {
  return {
    GetCentralInstances: {
      role: 'reader',
      async run(ctx, target) {
        if (!(target instanceof CimInstanceName)) throw cimError('INVALID_PARAMETER', 'GetCentralInstances must be invoked on a registered profile');
        const id = target.keyString('InstanceID');
        const profile = deps.profiles.find((p) => p.instanceId === id);
        if (!profile) throw cimError('NOT_FOUND', `no registered profile ${target.toString()}`);
        return { returnValue: 0, out: { CentralInstances: await centralInstancePaths(ctx, profile) } };
      },
    },
  };
}
