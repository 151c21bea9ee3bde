/**
 * The four RASD classes (DSP1041 §7 / DSP1057 §7.3): one RASD per resource of each system
 * (`<sys>/proc`, `<sys>/mem`, `<sys>/<vdev>`, `<sys>/<mac>`; libvirt-cim §3.1), shared by the
 * defined and the current configuration (the virt layer folds live changes into the definition).
 * The same classes also carry the allocation-capability templates (DSP1043), which the
 * capabilities code owns (templates.ts `listTemplateRasds`): they are served here too, because a
 * provider serves every instance of its classes.
 */
import type { CimInstance, CimInstanceName, CimValue } from '../cim/index.js';
import type { InstanceProvider, ProviderContext } from '../operations/provider.js';
import type { VirtualSystem } from '../virt/index.js';
import type { ProviderDeps } from './context.js';
import { MEM_DEVID, PROC_DEVID, instanceIdName, parseDeviceId, rasdInstanceId } from './naming.js';
import {
  RASD_KINDS, type RasdKind, diskRasdValues, memRasdValues, netRasdValues, procRasdValues, rasdClassOf,
} from './rasd-convert.js';
import { allSystems, build, findSystem, notFound } from './system-common.js';

type TemplatesModule = typeof import('./templates.js');

// Loaded lazily: templates.ts reaches back into the device and pool models, and a static import
// here would close that circle at module initialisation.
let templates: Promise<TemplatesModule | undefined> | undefined;

function templatesModule(deps: ProviderDeps): Promise<TemplatesModule | undefined> {
  templates ??= import('./templates.js').catch((e: unknown) => {
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
  values: Record<string, CimValue | undefined>;
}

/** Every RASD of a system (or only those of one kind), in a stable order: proc, mem, disks, NICs. */
export function systemRasds(sys: VirtualSystem, only?: RasdKind): SystemRasd[] {
  const out: SystemRasd[] = [];
  if (!only || only === 'processor') out.push({ kind: 'processor', devid: PROC_DEVID, values: procRasdValues(sys) });
  if (!only || only === 'memory') out.push({ kind: 'memory', devid: MEM_DEVID, values: memRasdValues(sys) });
  if (!only || only === 'disk') for (const d of sys.config.disks) out.push({ kind: 'disk', devid: d.vdev, values: diskRasdValues(sys, d) });
  if (!only || only === 'network') for (const n of sys.config.nics) out.push({ kind: 'network', devid: n.mac, values: netRasdValues(sys, n) });
  return out;
}

export function rasdName(system: string, kind: RasdKind, devid: string): CimInstanceName {
  return instanceIdName(rasdClassOf(kind), rasdInstanceId(system, devid));
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
      // Only this class's RASDs are built (the server asks once per subclass).
      const own = systems.flatMap((s) => systemRasds(s, kind).map((r) => buildRasd(ctx, r)));
      return [...own, ...templates];
    },

    async getInstance(ctx: ProviderContext, name: CimInstanceName): Promise<CimInstance> {
      const kind = kindOfClass(name.className);
      const id = name.keyString('InstanceID');
      if (!kind || id === undefined) notFound(name);
      const parsed = parseDeviceId(id);
      const sys = parsed ? await findSystem(deps, parsed.system) : undefined;
      const own = sys ? systemRasds(sys, kind).find((r) => r.devid === parsed!.devid) : undefined;
      if (own) return buildRasd(ctx, own);
      const template = await templateRasd(deps, rasdClassOf(kind), id);
      if (template) return template;
      notFound(name);
    },
  };
}

/** The RASD a `<sys>/<devid>` InstanceID designates, with its system, or undefined. */
export async function findRasd(deps: ProviderDeps, instanceId: string): Promise<{ sys: VirtualSystem; rasd: SystemRasd } | undefined> {
  const parsed = parseDeviceId(instanceId);
  if (!parsed) return undefined;
  const sys = await findSystem(deps, parsed.system);
  const rasd = sys ? systemRasds(sys).find((r) => r.devid === parsed.devid) : undefined;
  return sys && rasd ? { sys, rasd } : undefined;
}

