/**
 * Which instances conform to which registered profile (DSP1033 §7.3, central class methodology
 * of DSP1001; digest E3): Xen_ElementConformsToProfile from each profile to each instance of its
 * central class. The association crosses namespaces (profiles in root/interop, most central
 * instances in root/virt), so it is served in both and each side's foreign reference carries its
 * namespace: AssociatorNames then works from the profile and from the managed element.
 *
 * Central instances we know: the host (DSP1042), each virtual system (DSP1057), each pool of the
 * profile's pool class (DSP1041/1044/1045/1047/1050/1059), each AllocationCapabilities (DSP1043)
 * and the object manager (DSP1033). None for classes nobody serves yet (migration service,
 * metrics, indication service) nor for DSP1103, whose jobs are transient and are found from the
 * VSMS through OwningJobElement (scoping class methodology).
 */
import { type CimInstance, type CimInstanceName, sameName } from '../../cim/index.js';
import type { ProfileRegistration, ProviderDeps } from '../shared/deps.js';
import { CS_CLASS, HOST_CLASS, INTEROP_NS, POOL_CLASS, VIRT_NS, computerSystemName, hostName } from '../shared/naming.js';
import { build, type Lister } from '../shared/provider.js';
import { AC_CLASS, acName, poolName } from '../shared/service-names.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/pool-model.js';
import { OM_CLASS, objectManagerName } from './server.js';
import { profileName } from './registered-profiles.js';

export const ECTP_CLASS = 'Xen_ElementConformsToProfile';

/** One lazily-filled view of the host, shared by all profiles of one request. */
class Snapshot {
  private pools?: Promise<PoolModel[]>;
  private systems?: Promise<string[]>;
  constructor(private readonly deps: ProviderDeps) {}
  poolList(): Promise<PoolModel[]> {
    return (this.pools ??= poolModels(this.deps.virt));
  }
  systemNames(): Promise<string[]> {
    return (this.systems ??= this.deps.virt.listSystems().then((l) => l.map((s) => s.name)));
  }
}

/** The central instances of `profile`, local names (in the profile's `namespace`). */
export async function centralInstances(deps: ProviderDeps, profile: ProfileRegistration, snap = new Snapshot(deps)): Promise<CimInstanceName[]> {
  const cls = profile.centralClass;
  if (!cls) return [];
  if (sameName(cls, HOST_CLASS)) return [hostName(deps.hostName)];
  if (sameName(cls, CS_CLASS)) return (await snap.systemNames()).map((s) => computerSystemName(s));
  if (sameName(cls, AC_CLASS)) return (await snap.poolList()).map((p) => acName(p.poolId));
  if (Object.values(POOL_CLASS).some((c) => sameName(c, cls))) {
    return (await snap.poolList()).filter((p) => sameName(p.className, cls)).map((p) => poolName(p));
  }
  if (sameName(cls, OM_CLASS)) return [objectManagerName(deps)];
  return [];
}

const inInterop = (p: ProfileRegistration) => sameName(p.namespace, INTEROP_NS);

/** The central instances with their namespace (for GetCentralInstances). */
export async function centralInstancePaths(deps: ProviderDeps, profile: ProfileRegistration): Promise<CimInstanceName[]> {
  return (await centralInstances(deps, profile)).map((n) => n.withNamespace(profile.namespace));
}

/** ECTP as served in the interop namespace: every profile; foreign ManagedElements carry their namespace. */
export function interopEctpLister(deps: ProviderDeps): Lister {
  return async (ctx) => {
    const snap = new Snapshot(deps);
    const out: CimInstance[] = [];
    for (const p of deps.profiles) {
      for (const n of await centralInstances(deps, p, snap)) {
        out.push(build(ctx, ctx.namespace, ECTP_CLASS, {
          ConformantStandard: profileName(p),
          ManagedElement: inInterop(p) ? n : n.withNamespace(p.namespace),
        }));
      }
    }
    return out;
  };
}

/** ECTP as served in root/virt: profiles whose central instances live there; the profile reference carries root/interop. */
export function virtEctpLister(deps: ProviderDeps): Lister {
  return async (ctx) => {
    const snap = new Snapshot(deps);
    const out: CimInstance[] = [];
    for (const p of deps.profiles.filter((q) => sameName(q.namespace, VIRT_NS))) {
      for (const n of await centralInstances(deps, p, snap)) {
        out.push(build(ctx, VIRT_NS, ECTP_CLASS, { ConformantStandard: profileName(p).withNamespace(INTEROP_NS), ManagedElement: n }));
      }
    }
    return out;
  };
}
