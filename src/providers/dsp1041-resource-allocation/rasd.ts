/**
 * The four RASD classes (DSP1041 §7 / DSP1057 §7.3). Per resource of each system, a defined RASD
 * (`<sys>/proc`, `<sys>/mem`, `<sys>/<vdev>`, `<sys>/<mac>`; libvirt-cim §3.1): the definition,
 * for the next start; and while a domain exists, a state RASD (`<sys>/<devid>:current`,
 * rasd-id.ts) with what the running domain has (online vCPUs, live weight/cap, memory target and
 * maximum, attached devices). They differ when a change could only go to the definition.
 * The same classes also carry the allocation-capability templates (DSP1043), which the
 * capabilities code owns (templates.ts `listTemplateRasds`): they are served here too, because a
 * provider serves every instance of its classes.
 */
import type { CimInstance, CimInstanceName, CimValue } from '../../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { MEM_DEVID, PROC_DEVID, instanceIdName } from '../shared/naming.js';
import { type RasdRole, parseRasdId, rasdId } from './rasd-id.js';
import {
  RASD_KINDS, type RasdKind, diskRasdValues, memRasdValues, netRasdValues, procRasdValues, rasdClassOf,
} from './rasd-convert.js';
import { allSystems, build, findSystem, notFound } from '../shared/systems.js';

type TemplatesModule = typeof import('../dsp1043-allocation-capabilities/templates.js');

// Loaded lazily: templates.ts reaches back into the device and pool models, and a static import
// here would close that circle at module initialisation.
let templates: Promise<TemplatesModule | undefined> | undefined;

function templatesModule(deps: ProviderDeps): Promise<TemplatesModule | undefined> {
  templates ??= import('../dsp1043-allocation-capabilities/templates.js').catch((e: unknown) => {
    deps.log(`template RASDs unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  return templates;
}

/** The template RASDs of `className` (DSP1043 Default/Minimum/Maximum/Increment), or none. */
export async function templateRasds(deps: ProviderDeps, className: string): Promise<CimInstance[]> {
  const m = await templatesModule(deps);
  return m ? m.listTemplateRasds(deps, className) : [];
}

async function templateRasd(deps: ProviderDeps, className: string, instanceId: string): Promise<CimInstance | undefined> {
  const m = await templatesModule(deps);
  return m ? m.getTemplateRasd(deps, className, instanceId) : undefined;
}

export interface SystemRasd {
  kind: RasdKind;
  devid: string;
  role: RasdRole;
  values: Record<string, CimValue | undefined>;
}

/** The configurations a system has RASDs in: the definition, plus the state while a domain exists. */
export function rasdRoles(sys: VirtualSystem): RasdRole[] {
  return sys.live ? ['defined', 'current'] : ['defined'];
}

/**
 * The RASDs of a system in one role (or only those of one kind), in a stable order: proc, mem,
 * disks, NICs. The 'current' (state) role is empty while the system has no domain.
 */
export function systemRasds(sys: VirtualSystem, only?: RasdKind, role: RasdRole = 'defined'): SystemRasd[] {
  const out: SystemRasd[] = [];
  if (role === 'current' && !sys.live) return out;
  if (!only || only === 'processor') out.push({ kind: 'processor', devid: PROC_DEVID, role, values: procRasdValues(sys, role) });
  if (!only || only === 'memory') out.push({ kind: 'memory', devid: MEM_DEVID, role, values: memRasdValues(sys, role) });
  if (!only || only === 'disk') for (const d of sys.config.disks) out.push({ kind: 'disk', devid: d.vdev, role, values: diskRasdValues(sys, d, role) });
  if (!only || only === 'network') for (const n of sys.config.nics) out.push({ kind: 'network', devid: n.mac, role, values: netRasdValues(sys, n, role) });
  return out;
}

export function rasdName(system: string, kind: RasdKind, devid: string, role: RasdRole = 'defined'): CimInstanceName {
  return instanceIdName(rasdClassOf(kind), rasdId(system, devid, role));
}

export function buildRasd(ctx: ProviderContext, r: SystemRasd): CimInstance {
  return build(ctx, rasdClassOf(r.kind), r.values);
}

function kindOfClass(className: string): RasdKind | undefined {
  return RASD_KINDS.find((k) => rasdClassOf(k).toLowerCase() === className.toLowerCase());
}

export function createRasdProvider(deps: ProviderDeps): InstanceProvider {
  return {
    classNames: RASD_KINDS.map(rasdClassOf),

    async enumerateInstances(ctx: ProviderContext, className: string): Promise<CimInstance[]> {
      const kind = kindOfClass(className);
      if (!kind) return [];
      const [systems, templates] = await Promise.all([allSystems(deps), templateRasds(deps, rasdClassOf(kind))]);
      // Only this class's RASDs are built (the server asks once per subclass); one snapshot for all.
      const own: CimInstance[] = [];
      for (const s of systems) {
        for (const r of systemRasds(s, kind)) own.push(buildRasd(ctx, r));
        if (s.live) for (const r of systemRasds(s, kind, 'current')) own.push(buildRasd(ctx, r));
      }
      return [...own, ...templates];
    },

    async getInstance(ctx: ProviderContext, name: CimInstanceName): Promise<CimInstance> {
      const kind = kindOfClass(name.className);
      const id = name.keyString('InstanceID');
      if (!kind || id === undefined) notFound(name);
      const parsed = parseRasdId(id);
      if (parsed?.kind === 'template') {
        const template = await templateRasd(deps, rasdClassOf(kind), id);
        if (template) return template;
        notFound(name);
      }
      // A state RASD of a system without a domain (stopped, saved) does not exist.
      const sys = parsed ? await findSystem(deps, parsed.system) : undefined;
      const own = sys && parsed ? systemRasds(sys, kind, parsed.role).find((r) => r.devid === parsed.devid) : undefined;
      if (!own) notFound(name);
      return buildRasd(ctx, own);
    },
  };
}

/**
 * The RASD a `<sys>/<devid>` (or `<sys>/<devid>:current`) InstanceID designates, with its system,
 * or undefined. Both designate the same resource; the state one exists only while a domain does.
 */
export async function findRasd(deps: ProviderDeps, instanceId: string): Promise<{ sys: VirtualSystem; rasd: SystemRasd } | undefined> {
  const parsed = parseRasdId(instanceId);
  if (parsed?.kind !== 'system') return undefined;
  const sys = await findSystem(deps, parsed.system);
  const rasd = sys ? systemRasds(sys, undefined, parsed.role).find((r) => r.devid === parsed.devid) : undefined;
  return sys && rasd ? { sys, rasd } : undefined;
}
