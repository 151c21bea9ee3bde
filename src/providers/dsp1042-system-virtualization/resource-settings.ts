/**
 * VSMS Add/Modify/RemoveResourceSettings (DSP1042 §8.2). The virt layer
 * changes the definition always, and the running domain where one exists and Xen allows it
 * (hot-plug, mem-set within the maximum the domain booted with, vcpu-set, sched-credit; a raised
 * memory maximum waits for the next start); a saved (suspended) system refuses memory/vCPU changes
 * (its image fixes them). Every call is all-or-nothing (steps.ts runSteps) and refusals are
 * CimErrors that say why (admission: "insufficient resources").
 *
 * Which of the two happened is in the result (DSP1057's two configurations): ResultingResourceSettings
 * holds the defined RASD (`<sys>/<devid>`) of every setting, in input order, then the state RASD
 * (`<sys>/<devid>:current`) of every setting whose change took effect on the running domain — so a
 * setting with only its defined RASD changed for the next start only, and the state RASD shows the
 * live figure.
 */
import { type CimInstanceName, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import type { SystemPatch, VirtualSystem } from '../../virt/index.js';
import {
  type RasdKind, classifyRasd, diskChanged, findRasd, mergeDisk, mergeNic, parseDiskRasd, parseMemRasd, parseNetRasd, parseProcRasd,
} from '../dsp1041-resource-allocation/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam } from '../shared/errors.js';
import { parseVssdId, rasdId, rasdName } from '../shared/naming.js';
import { readInstances, readRef, readRefs, readString } from '../shared/params.js';
import { findSystem } from '../shared/systems.js';
import { type Step, runSteps } from './steps.js';

async function systemOfVssdRef(deps: ProviderDeps, ref: CimInstanceName | undefined, param: string): Promise<VirtualSystem> {
  if (!ref) throw badParam(`${param} (a reference to the system's Xen_VirtualSystemSettingData) is required`);
  const id = ref.keyString('InstanceID');
  const parsed = id === undefined ? undefined : parseVssdId(id);
  const sys = parsed ? await findSystem(deps, parsed.system) : undefined;
  if (!sys) throw cimError('NOT_FOUND', `${param} ${ref.toString()} does not name an existing virtual system configuration`);
  return sys;
}

/** What one input setting changed: the resource, and the fields of the system patch it set. */
interface Touched {
  system: string;
  kind: RasdKind;
  devid: string;
  fields: (keyof SystemPatch)[];
}

/** Patch fields whose live value the virt model reports apart from the definition (LiveInfo). */
const LIVE_FIGURE: Partial<Record<keyof SystemPatch, (live: NonNullable<VirtualSystem['live']>) => number>> = {
  memoryMiB: (l) => l.targetMemoryMiB,
  maxMemoryMiB: (l) => l.maxMemoryMiB,
  cpuWeight: (l) => l.cpuWeight,
  cpuCap: (l) => l.cpuCap,
};

/**
 * ResultingResourceSettings: every defined RASD, then the state RASD of each setting whose change
 * took effect on the running domain (it has one, and every field the setting changed has its live
 * figure equal to the definition). One read of each system concerned, after the change.
 */
async function resultingSettings(deps: ProviderDeps, touched: Touched[]): Promise<CimInstanceName[]> {
  const after = new Map<string, VirtualSystem | undefined>();
  for (const t of touched) if (!after.has(t.system)) after.set(t.system, await findSystem(deps, t.system));
  const defined = touched.map((t) => rasdName(t.system, t.kind, t.devid));
  const live = touched.filter((t) => {
    const sys = after.get(t.system);
    if (!sys?.live) return false;
    return t.fields.every((f) => {
      const figure = LIVE_FIGURE[f];
      return !figure || figure(sys.live!) === sys.config[f as keyof typeof sys.config];
    });
  }).map((t) => rasdName(t.system, t.kind, t.devid, 'current'));
  return [...defined, ...live];
}

export async function addResourceSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const sys = await systemOfVssdRef(deps, readRef(params, 'AffectedConfiguration'), 'AffectedConfiguration');
  const list = readInstances(params, 'ResourceSettings');
  if (list.length === 0) throw badParam('ResourceSettings is empty: nothing to add');
  const results: Touched[] = [];
  const steps: Step[] = list.map((r, i): Step => {
    const where = `ResourceSettings[${i}] (${r.className})`;
    const { kind, cdrom } = classifyRasd(r, where);
    if (kind === 'processor' || kind === 'memory') {
      throw badParam(`${where}: a system has exactly one ${kind} setting: change it with ModifyResourceSettings`);
    }
    if (kind === 'disk') {
      const d = parseDiskRasd(r, where, cdrom);
      return {
        what: `adding disk ${d.vdev} to '${sys.name}'`,
        run: async () => {
          const added = await deps.virt.addDisk(sys.name, d);
          results.push({ system: sys.name, kind: 'disk', devid: added.vdev, fields: [] });
        },
        undo: () => deps.virt.removeDisk(sys.name, d.vdev),
      };
    }
    const n = parseNetRasd(r, where);
    let mac = n.mac;
    return {
      what: `adding an interface on ${n.bridge} to '${sys.name}'`,
      run: async () => {
        const added = await deps.virt.addInterface(sys.name, n);
        mac = added.mac;
        results.push({ system: sys.name, kind: 'network', devid: added.mac, fields: [] });
      },
      undo: async () => {
        if (mac) await deps.virt.removeInterface(sys.name, mac);
      },
    };
  });
  await runSteps(deps, 'AddResourceSettings', steps);
  deps.log(`AddResourceSettings: '${sys.name}' (${sys.state}) +${results.length} device(s)${sys.live ? ', hot-plugged' : ''}`);
  return { returnValue: 0, out: { ResultingResourceSettings: await resultingSettings(deps, results) } };
}

const PATCH_KEYS: readonly (keyof SystemPatch)[] = [
  'memoryMiB', 'maxMemoryMiB', 'vcpus', 'cpuWeight', 'cpuCap', 'memoryReservationMiB', 'cpuReservationPercent',
];

/** The current values of the fields a patch changes: its undo. */
function previousOf(sys: VirtualSystem, patch: SystemPatch): SystemPatch {
  const prev: Record<string, unknown> = {};
  for (const k of PATCH_KEYS) if (patch[k] !== undefined) prev[k] = sys.config[k as keyof typeof sys.config];
  return prev as SystemPatch;
}

/** Drops fields equal to the current values: a RASD sent back as read changes nothing. */
function changedOnly(sys: VirtualSystem, patch: SystemPatch): SystemPatch {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined && v !== sys.config[k as keyof typeof sys.config]) out[k] = v;
  }
  return out as SystemPatch;
}

export async function modifyResourceSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const list = readInstances(params, 'ResourceSettings');
  if (list.length === 0) throw badParam('ResourceSettings is empty: nothing to modify');
  const patches = new Map<string, { sys: VirtualSystem; patch: SystemPatch }>();
  const steps: Step[] = [];
  const touched: Touched[] = [];
  const seen = new Set<string>();
  for (const [i, r] of list.entries()) {
    const where = `ResourceSettings[${i}] (${r.className})`;
    const id = readString(r, 'InstanceID', where);
    if (!id) throw badParam(`${where}: InstanceID is required to say which setting to modify`);
    if (seen.has(id)) throw badParam(`${where}: ${id} is given twice`);
    seen.add(id);
    const found = await findRasd(deps, id);
    if (!found) throw cimError('NOT_FOUND', `${where}: no resource setting has InstanceID "${id}"`);
    const { sys, rasd } = found;
    const kind: RasdKind = classifyRasd(r, where, rasd.kind).kind;
    const t: Touched = { system: sys.name, kind, devid: rasd.devid, fields: [] };
    touched.push(t);
    if (kind === 'processor' || kind === 'memory') {
      const entry = patches.get(sys.name) ?? { sys, patch: {} };
      const part = kind === 'processor' ? parseProcRasd(r, where) : parseMemRasd(r, where);
      // Every field given (changed or sent back as read): its state RASD is returned only if the domain has it.
      t.fields = (Object.keys(part) as (keyof SystemPatch)[]).filter((k) => part[k] !== undefined);
      Object.assign(entry.patch, part);
      patches.set(sys.name, entry);
    } else if (kind === 'disk') {
      const old = sys.config.disks.find((d) => d.vdev === rasd.devid)!;
      const next = mergeDisk(old, r, where);
      if (diskChanged(old, next)) {
        steps.push({
          what: `replacing disk ${old.vdev} of '${sys.name}'`,
          run: async () => {
            await deps.virt.removeDisk(sys.name, old.vdev);
            try {
              await deps.virt.addDisk(sys.name, next);
            } catch (e) {
              await deps.virt.addDisk(sys.name, old).catch(() => {});
              throw e;
            }
          },
          undo: async () => {
            await deps.virt.removeDisk(sys.name, old.vdev);
            await deps.virt.addDisk(sys.name, old);
          },
        });
      }
    } else {
      const old = sys.config.nics.find((n) => n.mac === rasd.devid)!;
      const change = mergeNic(old, r, where);
      if (change.rateOnly) {
        steps.push({
          what: `setting the rate of ${old.mac} of '${sys.name}'`,
          run: () => deps.virt.setInterfaceRate(sys.name, old.mac, change.next.rate ?? null),
          undo: () => deps.virt.setInterfaceRate(sys.name, old.mac, old.rate ?? null),
        });
      } else if (change.changed) {
        steps.push({
          what: `re-plugging ${old.mac} of '${sys.name}'`,
          run: async () => {
            await deps.virt.removeInterface(sys.name, old.mac);
            try {
              await deps.virt.addInterface(sys.name, change.next);
            } catch (e) {
              await deps.virt.addInterface(sys.name, old).catch(() => {});
              throw e;
            }
          },
          undo: async () => {
            await deps.virt.removeInterface(sys.name, old.mac);
            await deps.virt.addInterface(sys.name, old);
          },
        });
      }
    }
  }
  // Scheduler/memory changes first: they are the ones admission control may refuse.
  const patchSteps: Step[] = [...patches.values()].map(({ sys, patch }) => ({ sys, patch: changedOnly(sys, patch) }))
    .filter(({ patch }) => Object.keys(patch).length > 0).map(({ sys, patch }) => ({
    what: `changing ${Object.keys(patch).join(', ')} of '${sys.name}'`,
    run: async () => {
      await deps.virt.modifySystem(sys.name, patch);
      deps.log(`ModifyResourceSettings: '${sys.name}' ${JSON.stringify(patch)} applied to the definition${sys.live ? ' and, where Xen allows, live' : ' (next start)'}`);
    },
    undo: async () => {
      await deps.virt.modifySystem(sys.name, previousOf(sys, patch));
    },
  }));
  await runSteps(deps, 'ModifyResourceSettings', [...patchSteps, ...steps]);
  const results = await resultingSettings(deps, touched);
  const deferred = touched.filter((t) => !results.some((r) => r.keyString('InstanceID') === rasdId(t.system, t.devid, 'current')));
  if (deferred.length > 0 && touched.some((t) => t.fields.length > 0)) {
    deps.log(`ModifyResourceSettings: for the next start only: ${deferred.map((t) => rasdId(t.system, t.devid)).join(', ')}`);
  }
  return { returnValue: 0, out: { ResultingResourceSettings: results } };
}

export async function removeResourceSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const refs = readRefs(params, 'ResourceSettings');
  if (refs.length === 0) throw badParam('ResourceSettings is empty: nothing to remove');
  const steps: Step[] = [];
  for (const [i, ref] of refs.entries()) {
    const where = `ResourceSettings[${i}]`;
    const id = ref.keyString('InstanceID');
    const found = id === undefined ? undefined : await findRasd(deps, id);
    if (!found) throw cimError('NOT_FOUND', `${where}: ${ref.toString()} does not exist`);
    const { sys, rasd } = found;
    if (rasd.kind === 'processor' || rasd.kind === 'memory') {
      throw badParam(`${where}: the ${rasd.kind} setting of '${sys.name}' cannot be removed (change it with ModifyResourceSettings)`);
    }
    if (rasd.kind === 'disk') {
      const old = sys.config.disks.find((d) => d.vdev === rasd.devid)!;
      steps.push({
        what: `removing disk ${old.vdev} from '${sys.name}'`,
        run: () => deps.virt.removeDisk(sys.name, old.vdev),
        undo: async () => {
          await deps.virt.addDisk(sys.name, old);
        },
      });
    } else {
      const old = sys.config.nics.find((n) => n.mac === rasd.devid)!;
      steps.push({
        what: `removing interface ${old.mac} from '${sys.name}'`,
        run: () => deps.virt.removeInterface(sys.name, old.mac),
        undo: async () => {
          await deps.virt.addInterface(sys.name, old);
        },
      });
    }
  }
  await runSteps(deps, 'RemoveResourceSettings', steps);
  return { returnValue: 0 };
}
