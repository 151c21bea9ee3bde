/**
 * Xen_VirtualSystemSnapshotService (hosted by the host) with CreateSnapshot, ApplySnapshot and
 * DestroySnapshot (CIM_VirtualSystemSnapshotService), and its capabilities. Each method runs as a
 * virt job (Xen_ConcreteJob, DSP1103): the call waits for it a short while and answers 0 (with
 * ResultingSnapshot for CreateSnapshot) when it is done by then, otherwise 4096 with the Job. A
 * request refused before anything starts (an unknown system or snapshot, a SnapshotType other
 * than 2 Full or 3 Disk, a state, a disk format or a limit that does not allow it) fails with a
 * CIM error whose description says why, as the management service's methods do; a job that
 * failed within the wait, the same way.
 */
import { type CimInstanceName, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult, ProviderContext } from '../../operations/provider.js';
import { type SnapshotJob, type SnapshotKind, VirtError } from '../../virt/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { CS_CLASS, HOST_CLASS, hostName, jobName } from '../shared/naming.js';
import { readInstance, readNumber, readRef, readString } from '../shared/params.js';
import type { ClassSource, Method } from '../shared/provider.js';
import {
  CAPABILITIES_CLASS, CAPABILITIES_ID, SERVICE_CLASS, SERVICE_NAME, capabilitiesName, parseSnapshotVssdId, serviceNameOf, snapshotVssdName,
} from './naming.js';

/** How long a method waits for its job before it answers 4096 (a snapshot of a small router takes well under it). */
export const SNAPSHOT_WAIT_MS = 2_000;

/** CIM_VirtualSystemSnapshotService return codes (its ValueMap). */
const RC = { completed: 0, jobStarted: 4096 } as const;

/** SnapshotType (CIM_VirtualSystemSnapshotService.CreateSnapshot ValueMap) ⇄ the model's kinds. */
const TYPE_OF: Readonly<Record<number, SnapshotKind>> = { 2: 'full', 3: 'disk' };

/** CIM_VirtualSystemSnapshotServiceCapabilities method values. */
const METHODS = { create: 2, destroy: 3, apply: 4 } as const;

/** EnabledState of the system states a snapshot may be taken in. */
const ENABLED_STATE = { running: 2, stopped: 3, paused: 9 } as const;

export function snapshotServiceClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const service = serviceNameOf(deps.hostName);
  return {
    [SERVICE_CLASS]: {
      list: async (ctx) => deps.virt.snapshots ? [build(ctx, SERVICE_CLASS, {
        CreationClassName: SERVICE_CLASS, Name: SERVICE_NAME, SystemCreationClassName: HOST_CLASS, SystemName: deps.hostName,
        ElementName: 'Snapshot Service', Caption: 'Virtual system snapshots',
        Description: 'Takes, applies and destroys snapshots of virtual systems (memory state, definition, disks)',
        EnabledState: 2, RequestedState: 12, EnabledDefault: 2, OperationalStatus: [2], HealthState: 5, Started: true,
      })] : [],
    },
    [CAPABILITIES_CLASS]: {
      async list(ctx) {
        const caps = deps.virt.snapshots?.capabilities();
        if (!caps) return [];
        const all = [METHODS.create, METHODS.destroy, METHODS.apply];
        const states = [...new Set(Object.values(caps.statesFor).flat())].map((s) => ENABLED_STATE[s]).sort();
        return [build(ctx, CAPABILITIES_CLASS, {
          InstanceID: CAPABILITIES_ID, ElementName: 'Snapshot capabilities',
          // A method completes within the call when its job ends quickly, else it returns a job.
          SynchronousMethodsSupported: all, AynchronousMethodsSupported: all,
          SnapshotTypesSupported: caps.kinds.map((k) => (k === 'full' ? 2 : 3)),
          SystemStatesSupported: states,
          DiskFormatsSupported: caps.diskFormats,
          MaxSnapshotsPerSystem: caps.limits.maxPerSystem,
          MaxSnapshotBytesPerSystem: BigInt(caps.limits.maxBytesPerSystem),
        })];
      },
    },
    Xen_HostedService: {
      list: async (ctx) => deps.virt.snapshots ? [build(ctx, 'Xen_HostedService', { Antecedent: hostName(deps.hostName), Dependent: service })] : [],
    },
    Xen_ElementCapabilities: {
      list: async (ctx) => deps.virt.snapshots ? [build(ctx, 'Xen_ElementCapabilities', { ManagedElement: service, Capabilities: capabilitiesName() })] : [],
    },
  };
}

export function snapshotServiceMethods(deps: ProviderDeps): Record<string, Method> {
  return {
    CreateSnapshot: { role: 'operator', run: (ctx, _t, params) => createSnapshot(deps, ctx, params) },
    ApplySnapshot: { role: 'operator', run: (ctx, _t, params) => onSnapshot(deps, params, 'Snapshot', 'ApplySnapshot') },
    DestroySnapshot: { role: 'operator', run: (ctx, _t, params) => onSnapshot(deps, params, 'AffectedSnapshot', 'DestroySnapshot') },
  };
}

function service(deps: ProviderDeps): NonNullable<ProviderDeps['virt']['snapshots']> {
  if (!deps.virt.snapshots) throw cimError('NOT_SUPPORTED', 'this hypervisor driver takes no snapshots');
  return deps.virt.snapshots;
}

async function createSnapshot(deps: ProviderDeps, _ctx: ProviderContext, params: NameMap<CimValue>): Promise<MethodResult> {
  const system = readRef(params, 'AffectedSystem');
  if (!system) throw badParam('AffectedSystem is required: the Xen_ComputerSystem to take a snapshot of');
  if (system.className.toLowerCase() !== CS_CLASS.toLowerCase() && system.className.toLowerCase() !== 'cim_computersystem') {
    throw badParam(`AffectedSystem must name a ${CS_CLASS}, not a ${system.className}`);
  }
  const name = system.keyString('Name');
  if (!name) throw badParam('AffectedSystem has no Name key');
  const type = readNumber(params, 'SnapshotType') ?? 2;
  const kind = TYPE_OF[type];
  if (!kind) throw badParam(`SnapshotType ${type} is not supported: 2 (Full Snapshot: memory state, definition and disks) or 3 (Disk Snapshot: definition and disks)`);
  // SnapshotSettings may name the snapshot (its ElementName); nothing else of it applies here.
  const settings = readInstance(params, 'SnapshotSettings');
  const label = settings ? readString(settings, 'ElementName', 'SnapshotSettings') : undefined;
  if (label !== undefined && (label.length > 256 || /[\0-\x1f]/.test(label))) throw badParam('SnapshotSettings.ElementName must be at most 256 printable characters');
  let started: SnapshotJob;
  try {
    started = await service(deps).create(name, kind, label);
  } catch (e) {
    if (VirtError.is(e, 'not_found')) throw cimError('NOT_FOUND', `no virtual system named '${name}'`);
    throw toCimError(e, `CreateSnapshot of '${name}'`);
  }
  return answer(deps, started, 'CreateSnapshot', true);
}

async function onSnapshot(deps: ProviderDeps, params: NameMap<CimValue>, param: string, method: 'ApplySnapshot' | 'DestroySnapshot'): Promise<MethodResult> {
  const ref = readRef(params, param);
  if (!ref) throw badParam(`${param} is required: the snapshot's Xen_VirtualSystemSettingData`);
  const id = parseSnapshotVssdId(ref.keyString('InstanceID'));
  if (!id) throw badParam(`${param} does not name a snapshot (its InstanceID is Xen:snapshot:<id>)`);
  let started: SnapshotJob;
  try {
    started = method === 'ApplySnapshot' ? await service(deps).apply(id) : await service(deps).destroy(id);
  } catch (e) {
    if (VirtError.is(e, 'not_found')) throw cimError('NOT_FOUND', `no snapshot ${ref.keyString('InstanceID')}`);
    throw toCimError(e, `${method} of ${ref.keyString('InstanceID')}`);
  }
  return answer(deps, started, method, false);
}

async function answer(deps: ProviderDeps, started: SnapshotJob, method: string, resulting: boolean): Promise<MethodResult> {
  const { job, snapshot } = started;
  const out: Record<string, CimValue> = {};
  const done = await Promise.race([
    job.done.then(() => 'ok' as const, (e: unknown) => e),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), deps.snapshotWaitMs ?? SNAPSHOT_WAIT_MS).unref()),
  ]);
  if (done === 'pending') return { returnValue: RC.jobStarted, out: { Job: jobName(job.id) } };
  if (done !== 'ok') {
    deps.log(`${method} failed: ${done instanceof Error ? done.message : String(done)}`);
    throw toCimError(done, method);
  }
  if (resulting) out.ResultingSnapshot = snapshotVssdName(snapshot.id) as CimInstanceName;
  return { returnValue: RC.completed, out };
}
