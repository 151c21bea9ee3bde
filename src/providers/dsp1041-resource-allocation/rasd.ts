/**
 * The four RASD classes (DSP1041 §7, DSP1057 §7.3), the settings of every virtual system: per
 * resource a defined RASD (`<sys>/proc`, `<sys>/mem`, `<sys>/<vdev>`, `<sys>/<mac>`, as
 * libvirt-cim names them): the definition, for the next start; and while a domain exists, a
 * state RASD (`<sys>/<devid>:current`) with what the running domain has (online vCPUs, live
 * weight/cap, memory target and maximum, attached devices). They differ when a change could
 * only go to the definition. The allocation templates of the same classes are served by
 * DSP1043's provider.
 */
import type { CimInstance, CimInstanceName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { MEM_DEVID, PROC_DEVID, RASD_CLASS, type SettingsRole, parseRasdId } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { findSystem, perSystem } from '../shared/systems.js';
import { RASD_KINDS, type RasdKind, diskRasdValues, memRasdValues, netRasdValues, procRasdValues } from './rasd-convert.js';

export interface SystemRasd {
  kind: RasdKind;
  devid: string;
  role: SettingsRole;
  values: Values;
}

/**
 * The RASDs of a system in one role (or only those of one kind), in a stable order: proc, mem,
 * disks, NICs. The 'current' (state) role is empty while the system has no domain.
 */
export function systemRasds(sys: VirtualSystem, only?: RasdKind, role: SettingsRole = 'defined'): SystemRasd[] {
  const out: SystemRasd[] = [];
  if (role === 'current' && !sys.live) return out;
  if (!only || only === 'processor') out.push({ kind: 'processor', devid: PROC_DEVID, role, values: procRasdValues(sys, role) });
  if (!only || only === 'memory') out.push({ kind: 'memory', devid: MEM_DEVID, role, values: memRasdValues(sys, role) });
  if (!only || only === 'disk') for (const d of sys.config.disks) out.push({ kind: 'disk', devid: d.vdev, role, values: diskRasdValues(sys, d, role) });
  if (!only || only === 'network') for (const n of sys.config.nics) out.push({ kind: 'network', devid: n.mac, role, values: netRasdValues(sys, n, role) });
  return out;
}

function buildRasd(ctx: ProviderContext, r: SystemRasd): CimInstance {
  return build(ctx, RASD_CLASS[r.kind], r.values);
}

/**
 * The RASD a `<sys>/<devid>` (or `<sys>/<devid>:current`) InstanceID designates, with its system,
 * or undefined. Both designate the same resource; the state one exists only while a domain does.
 */
export async function findRasd(deps: Pick<ProviderDeps, 'virt'>, instanceId: string): Promise<{ sys: VirtualSystem; rasd: SystemRasd } | undefined> {
  const parsed = parseRasdId(instanceId);
  if (parsed?.kind !== 'system') return undefined;
  const sys = await findSystem(deps, parsed.system);
  const rasd = sys ? systemRasds(sys, undefined, parsed.role).find((r) => r.devid === parsed.devid) : undefined;
  return sys && rasd ? { sys, rasd } : undefined;
}

/** The RASDs of one kind of every system: one snapshot for all, only this class built. */
function rasdSource(deps: ProviderDeps, kind: RasdKind): ClassSource {
  return {
    ...perSystem(deps, (ctx, s) => {
      const out = systemRasds(s, kind).map((r) => buildRasd(ctx, r));
      if (s.live) for (const r of systemRasds(s, kind, 'current')) out.push(buildRasd(ctx, r));
      return out;
    }),
    async get(ctx, name: CimInstanceName) {
      const id = name.keyString('InstanceID');
      const found = id === undefined ? undefined : await findRasd(deps, id);
      return found && found.rasd.kind === kind ? buildRasd(ctx, found.rasd) : undefined;
    },
  };
}

export function rasdClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return Object.fromEntries(RASD_KINDS.map((k) => [RASD_CLASS[k], rasdSource(deps, k)]));
}
