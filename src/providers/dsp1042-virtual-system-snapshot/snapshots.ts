/**
 * Snapshots as CIM: each is a Xen_VirtualSystemSettingData of its own (`Xen:snapshot:<id>`, the
 * definition kept when it was taken) with its RASDs as components (`snapshot/<id>/<devid>`),
 * related to its system (Xen_SnapshotOfVirtualSystem), to its parent snapshot
 * (Xen_ParentChildSettingData), and a system to its most current snapshot
 * (Xen_MostCurrentSnapshotInBranch). The instances of classes DSP1057 and DSP1041 also serve
 * (the VSSD, RASD and component classes) are merged by operations/ with theirs.
 */
import { type CimInstance, CimDateTime, CimInstanceName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { SnapshotView, VirtualSystem } from '../../virt/index.js';
import { systemRasds } from '../dsp1041-resource-allocation/index.js';
import { vssdValues } from '../dsp1057-virtual-system/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';
import { RASD_CLASS, VSSD_CLASS, computerSystemName, jobName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import {
  MOST_CURRENT, PARENT_CHILD, SNAPSHOT_OF, VSSD_COMPONENT, parseSnapshotRasdId, parseSnapshotVssdId, snapshotRasdId, snapshotVssdId,
  snapshotVssdName,
} from './naming.js';

const KIND_TEXT = { full: 'full (memory, definition and disks)', disk: 'disk only (definition and disks)' } as const;

/** Every snapshot of every system (one read of the model). */
export async function allSnapshots(deps: ProviderDeps): Promise<SnapshotView[]> {
  if (!deps.virt.snapshots) return [];
  try {
    return await deps.virt.snapshots.list();
  } catch (e) {
    throw toCimError(e, 'listing snapshots');
  }
}

/** The system as the snapshot has it (for the RASD and VSSD converters of DSP1041 and DSP1057). */
function asSystem(s: SnapshotView): VirtualSystem {
  return { name: s.system, uuid: s.systemUuid, state: 'defined', config: s.config, origin: 'defined' };
}

function vssdOf(ctx: ProviderContext, s: SnapshotView): CimInstance {
  return build(ctx, VSSD_CLASS, {
    ...vssdValues(asSystem(s), 'defined'),
    InstanceID: snapshotVssdId(s.id),
    ElementName: s.label,
    Caption: 'Snapshot',
    Description: `Snapshot of ${s.system}, ${KIND_TEXT[s.kind]}, taken while ${s.state}`,
    // A snapshot never changes and lasts until it is destroyed.
    ChangeableType: 0,
    CreationTime: CimDateTime.fromDate(new Date(s.createdAt)),
    Notes: [`kind=${s.kind}`, `state=${s.state}`, ...(s.parent ? [`parent=${snapshotVssdId(s.parent)}`] : []), `bytes=${s.bytes}`],
  });
}

function rasdsOf(ctx: ProviderContext, s: SnapshotView): { devid: string; inst: CimInstance }[] {
  return systemRasds(asSystem(s)).map((r) => ({
    devid: r.devid,
    inst: build(ctx, RASD_CLASS[r.kind], { ...r.values, InstanceID: snapshotRasdId(s.id, r.devid), Caption: 'Snapshot setting' }),
  }));
}

async function findSnapshot(deps: ProviderDeps, id: string | undefined): Promise<SnapshotView | undefined> {
  return id === undefined ? undefined : (await allSnapshots(deps)).find((s) => s.id === id);
}

export function snapshotVssdSource(deps: ProviderDeps): ClassSource {
  return {
    list: async (ctx) => (await allSnapshots(deps)).map((s) => vssdOf(ctx, s)),
    async get(ctx, name) {
      const s = await findSnapshot(deps, parseSnapshotVssdId(name.keyString('InstanceID')));
      return s ? vssdOf(ctx, s) : undefined;
    },
  };
}

function snapshotRasdSource(deps: ProviderDeps, className: string): ClassSource {
  return {
    list: async (ctx) => (await allSnapshots(deps)).flatMap((s) => rasdsOf(ctx, s).map((r) => r.inst)).filter((i) => i.className === className),
    async get(ctx, name) {
      const p = parseSnapshotRasdId(name.keyString('InstanceID'));
      const s = p ? await findSnapshot(deps, p.id) : undefined;
      const r = s ? rasdsOf(ctx, s).find((x) => x.devid === p!.devid) : undefined;
      return r && r.inst.className === className ? r.inst : undefined;
    },
  };
}

export function snapshotRasdClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return Object.fromEntries(Object.values(RASD_CLASS).map((c) => [c, snapshotRasdSource(deps, c)]));
}

/** An association class built from each snapshot; referencesTo filters the same list. */
function association(deps: ProviderDeps, className: string, of: (s: SnapshotView) => Record<string, CimInstanceName>[]): ClassSource {
  const all = async (ctx: ProviderContext): Promise<CimInstance[]> =>
    (await allSnapshots(deps)).flatMap(of).map((refs) => build(ctx, className, refs));
  return {
    list: all,
    async referencesTo(ctx, target, role) {
      return (await all(ctx)).filter((i) => names(i, role, target));
    },
  };
}

/** Whether the association instance's reference `role` (any when null) designates `target`. */
function names(i: CimInstance, role: string | null, target: CimInstanceName): boolean {
  const id = target.local().identity();
  return ['Antecedent', 'Dependent', 'GroupComponent', 'PartComponent'].some((p) => {
    if (role !== null && role.toLowerCase() !== p.toLowerCase()) return false;
    const v = i.get(p);
    return v instanceof CimInstanceName && v.local().identity() === id;
  });
}

export function snapshotAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const rasdName = (ctx: ProviderContext, s: SnapshotView) => rasdsOf(ctx, s).map((r) => r.inst.path!);
  return {
    [SNAPSHOT_OF]: association(deps, SNAPSHOT_OF, (s) => [{ Antecedent: computerSystemName(s.system), Dependent: snapshotVssdName(s.id) }]),
    [MOST_CURRENT]: association(deps, MOST_CURRENT, (s) => s.current ? [{ Antecedent: computerSystemName(s.system), Dependent: snapshotVssdName(s.id) }] : []),
    [PARENT_CHILD]: association(deps, PARENT_CHILD, (s) => s.parent ? [{ Antecedent: snapshotVssdName(s.parent), Dependent: snapshotVssdName(s.id) }] : []),
    // DSP1103: the job of a CreateSnapshot affects the snapshot it made (ElementEffects 5, Create).
    Xen_AffectedJobElement: {
      async list(ctx) {
        const made = deps.virt.snapshots?.madeBy() ?? [];
        if (!made.length) return [];
        const exists = new Set((await allSnapshots(deps)).map((s) => s.id));
        return made.filter(([, id]) => exists.has(id)).map(([job, id]) => build(ctx, 'Xen_AffectedJobElement', {
          AffectedElement: snapshotVssdName(id), AffectingElement: jobName(job), ElementEffects: [5],
        }));
      },
    },
    [VSSD_COMPONENT]: {
      async list(ctx) {
        return (await allSnapshots(deps)).flatMap((s) => rasdName(ctx, s).map((r) => build(ctx, VSSD_COMPONENT, { GroupComponent: snapshotVssdName(s.id), PartComponent: r })));
      },
      async referencesTo(ctx, target, role) {
        const id = target.keyString('InstanceID');
        const snapId = parseSnapshotVssdId(id) ?? parseSnapshotRasdId(id)?.id;
        const s = snapId ? await findSnapshot(deps, snapId) : undefined;
        if (!s) return [];
        return rasdName(ctx, s).map((r) => build(ctx, VSSD_COMPONENT, { GroupComponent: snapshotVssdName(s.id), PartComponent: r }))
          .filter((i) => names(i, role, target));
      },
    },
  };
}
