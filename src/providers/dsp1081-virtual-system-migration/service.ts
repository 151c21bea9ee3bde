/**
 * Xen_VirtualSystemMigrationService's methods (DSP1081; CIM_VirtualSystemMigrationService return
 * ValueMap: 0 Completed, 1 Not Supported, 4 Invalid Parameter, 4096 Job Started).
 *
 * - MigrateVirtualSystemToHost / ToSystem: the destination is a configured peer, named by host
 *   name (DestinationHost) or by its Xen_HostSystem reference (DestinationSystem); ToSystem's
 *   NewComputerSystem is the system's full path on the destination's server. Every refusal
 *   comes before anything changes, with its reasons (a CIM error; CIM_ERR_NOT_FOUND when the
 *   ComputerSystem does not exist, as for the checks); then 4096 and a Xen_MigrationJob.
 * - CheckVirtualSystemIsMigratableToHost / ToSystem: IsMigratable, and the reasons when not
 *   (Reasons, xen-wbem's addition); nothing moves.
 * - MigrationSettingData: MigrationType 2 Live (default) or 3 Resume (suspended at the source for
 *   the whole copy); 4 Restart and 1 Other are not supported. Priority is accepted (a system
 *   migrates one at a time, nothing queues). New settings on the way (NewSystemSettingData,
 *   NewResourceSettingData) are not supported.
 * - Check/Prepare/Confirm/CancelIncomingVirtualSystem: xen-wbem's own, the destination's side,
 *   called by the source server with the definition it hands over (Confirm once the system is
 *   there: the destination lists it before the source's job ends).
 */
import { type CimInstanceName, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import { type MigrationPeer, type PortableDefinition, VirtError } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';
import { HOST_CLASS, MIGRATION_JOB_CLASS, VIRT_NS, computerSystemName, jobName, systemOfCsName } from '../shared/naming.js';
import { readInstance, readNumber, readRef, readString, readStrings } from '../shared/params.js';
import type { Method } from '../shared/provider.js';

const JOB_STARTED = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function systemOf(params: NameMap<CimValue>, method: string): string {
  const ref = readRef(params, 'ComputerSystem', method);
  const name = ref && systemOfCsName(ref);
  if (!name) throw cimError('INVALID_PARAMETER', `${method}: ComputerSystem must reference a Xen_ComputerSystem`);
  return name;
}

function peerNamed(deps: ProviderDeps, host: string, method: string): MigrationPeer {
  const h = host.toLowerCase();
  if (h === deps.hostName.toLowerCase()) throw cimError('INVALID_PARAMETER', `${method}: ${host} is this host`);
  const peer = (deps.peers ?? []).find((p) => p.name.toLowerCase() === h || p.address.toLowerCase() === h);
  if (!peer) {
    const known = (deps.peers ?? []).map((p) => p.name);
    throw cimError('INVALID_PARAMETER', `${method}: no host '${host}' is configured (${known.length ? `peers: ${known.join(', ')}` : 'no peers: xen-wbem serve --peer NAME=URL'})`);
  }
  return peer;
}

function destinationHost(deps: ProviderDeps, params: NameMap<CimValue>, method: string): MigrationPeer {
  const host = readString(params, 'DestinationHost', method);
  if (!host) throw cimError('INVALID_PARAMETER', `${method}: DestinationHost is required`);
  return peerNamed(deps, host, method);
}

function destinationSystem(deps: ProviderDeps, params: NameMap<CimValue>, method: string): MigrationPeer {
  const ref = readRef(params, 'DestinationSystem', method);
  const ccn = ref?.keyString('CreationClassName');
  const name = ref?.keyString('Name');
  if (!ref || name === undefined || (ccn !== undefined && ccn.toLowerCase() !== HOST_CLASS.toLowerCase())) {
    throw cimError('INVALID_PARAMETER', `${method}: DestinationSystem must reference a ${HOST_CLASS}`);
  }
  return peerNamed(deps, name, method);
}

/** Live (MigrationType 2, the default) or not (3 Resume); anything else refused. */
function liveOf(params: NameMap<CimValue>, method: string): boolean {
  const msd = readInstance(params, 'MigrationSettingData', method);
  if (readInstance(params, 'NewSystemSettingData', method) || readStrings(params, 'NewResourceSettingData', method).length > 0) {
    throw cimError('NOT_SUPPORTED', `${method}: changing the settings on the way (NewSystemSettingData, NewResourceSettingData) is not supported`);
  }
  if (!msd) return true;
  const type = readNumber(msd, 'MigrationType', `${method}: MigrationSettingData`);
  if (type === undefined || type === 2) return true;
  if (type === 3) return false;
  throw cimError('NOT_SUPPORTED', `${method}: MigrationType ${type} is not supported (2 Live, 3 Resume are)`);
}

async function migrate(deps: ProviderDeps, params: NameMap<CimValue>, method: string, peer: MigrationPeer, withNewSystem: boolean): Promise<MethodResult> {
  const name = systemOf(params, method);
  const live = liveOf(params, method);
  try {
    const job = await deps.virt.migrateSystem(name, peer, { live });
    return {
      returnValue: JOB_STARTED,
      out: { Job: jobName(job.id, MIGRATION_JOB_CLASS), ...(withNewSystem ? { NewComputerSystem: newSystem(name, peer) } : {}) },
    };
  } catch (err) {
    throw toCimError(err, method);
  }
}

/** The system as it will be on the destination: a full path to the destination's server when its address is known. */
function newSystem(name: string, peer: MigrationPeer): CimInstanceName {
  const local = computerSystemName(name);
  return peer.endpoint ? local.withNamespace(VIRT_NS, peer.endpoint) : local;
}

async function check(deps: ProviderDeps, params: NameMap<CimValue>, method: string, peer: MigrationPeer): Promise<MethodResult> {
  const name = systemOf(params, method);
  liveOf(params, method);
  let reasons: string[];
  try {
    reasons = await deps.virt.migrationReasons(name, peer);
  } catch (err) {
    throw toCimError(err, method);
  }
  return { returnValue: 0, out: { IsMigratable: reasons.length === 0, Reasons: reasons } };
}

function definitionOf(params: NameMap<CimValue>, method: string): PortableDefinition {
  const text = readString(params, 'Definition', method);
  if (!text) throw cimError('INVALID_PARAMETER', `${method}: Definition is required`);
  try {
    const def = JSON.parse(text) as PortableDefinition;
    if (typeof def !== 'object' || def === null || typeof def.config !== 'object') throw new Error('no config');
    return def;
  } catch (e) {
    throw cimError('INVALID_PARAMETER', `${method}: Definition is not a system definition (${(e as Error).message})`);
  }
}

export function migrationMethods(deps: ProviderDeps): Record<string, Method> {
  return {
    MigrateVirtualSystemToHost: {
      role: 'admin',
      run: async (_ctx, _target, params) => migrate(deps, params, 'MigrateVirtualSystemToHost', destinationHost(deps, params, 'MigrateVirtualSystemToHost'), false),
    },
    MigrateVirtualSystemToSystem: {
      role: 'admin',
      run: async (_ctx, _target, params) => migrate(deps, params, 'MigrateVirtualSystemToSystem', destinationSystem(deps, params, 'MigrateVirtualSystemToSystem'), true),
    },
    // The checks ask the other host with the peer's credentials (an admin's there): a reader here
    // must not reach the other host through them, so they need the role a move needs.
    CheckVirtualSystemIsMigratableToHost: {
      role: 'admin',
      run: async (_ctx, _target, params) => check(deps, params, 'CheckVirtualSystemIsMigratableToHost', destinationHost(deps, params, 'CheckVirtualSystemIsMigratableToHost')),
    },
    CheckVirtualSystemIsMigratableToSystem: {
      role: 'admin',
      run: async (_ctx, _target, params) => check(deps, params, 'CheckVirtualSystemIsMigratableToSystem', destinationSystem(deps, params, 'CheckVirtualSystemIsMigratableToSystem')),
    },
    CheckIncomingVirtualSystem: {
      role: 'admin',
      async run(_ctx, _target, params) {
        const def = definitionOf(params, 'CheckIncomingVirtualSystem');
        try {
          return { returnValue: 0, out: { Reasons: await deps.virt.incomingReasons(def, deps.hostName) } };
        } catch (err) {
          throw toCimError(err, 'CheckIncomingVirtualSystem');
        }
      },
    },
    PrepareIncomingVirtualSystem: {
      role: 'admin',
      async run(_ctx, _target, params) {
        const def = definitionOf(params, 'PrepareIncomingVirtualSystem');
        const seconds = readNumber(params, 'TimeoutSeconds', 'PrepareIncomingVirtualSystem') ?? 360;
        if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw cimError('INVALID_PARAMETER', 'PrepareIncomingVirtualSystem: TimeoutSeconds must be 1 to 86400');
        try {
          const reasons = await deps.virt.incomingReasons(def, deps.hostName);
          if (reasons.length > 0) return { returnValue: 5, out: { Reasons: reasons } };
          await deps.virt.expectIncoming(def, seconds * 1000, deps.hostName);
          return { returnValue: 0, out: { Reasons: [] } };
        } catch (err) {
          if (VirtError.is(err, 'invalid_state')) return { returnValue: 5, out: { Reasons: [err.message] } };
          throw toCimError(err, 'PrepareIncomingVirtualSystem');
        }
      },
    },
    ConfirmIncomingVirtualSystem: {
      role: 'admin',
      async run(_ctx, _target, params) {
        const uuid = readString(params, 'UUID', 'ConfirmIncomingVirtualSystem');
        if (!uuid || !UUID.test(uuid)) throw cimError('INVALID_PARAMETER', 'ConfirmIncomingVirtualSystem: UUID must be a UUID');
        try {
          return { returnValue: (await deps.virt.confirmIncoming(uuid)) ? 0 : 2 };
        } catch (err) {
          throw toCimError(err, 'ConfirmIncomingVirtualSystem');
        }
      },
    },
    CancelIncomingVirtualSystem: {
      role: 'admin',
      async run(_ctx, _target, params) {
        const uuid = readString(params, 'UUID', 'CancelIncomingVirtualSystem');
        if (!uuid || !UUID.test(uuid)) {
          throw cimError('INVALID_PARAMETER', 'CancelIncomingVirtualSystem: UUID must be a UUID');
        }
        try {
          await deps.virt.forgetIncoming(uuid);
        } catch (err) {
          throw toCimError(err, 'CancelIncomingVirtualSystem');
        }
        return { returnValue: 0 };
      },
    },
  };
}

