/**
 * The snapshot service's class names and the InstanceIDs of snapshots. A snapshot's VSSD is
 * `Xen:snapshot:<id>` and its RASDs `snapshot/<id>/<devid>`: stable across a rename of the
 * system, and shapes the virtual systems' own VSSD and RASD IDs can never take (a system name has
 * no ':' and no '/'; a RASD ID with two '/' is a template only when it ends in a template role).
 */
import type { CimInstanceName } from '../../cim/index.js';
import { VSSD_CLASS, instanceIdName, serviceName } from '../shared/naming.js';

export const SERVICE_CLASS = 'Xen_VirtualSystemSnapshotService';
export const SERVICE_NAME = 'SnapshotService';
export const CAPABILITIES_CLASS = 'Xen_VirtualSystemSnapshotServiceCapabilities';
export const CAPABILITIES_ID = 'SnapshotCapabilities';
export const SNAPSHOT_OF = 'Xen_SnapshotOfVirtualSystem';
export const MOST_CURRENT = 'Xen_MostCurrentSnapshotInBranch';
export const PARENT_CHILD = 'Xen_ParentChildSettingData';
export const VSSD_COMPONENT = 'Xen_VirtualSystemSettingDataComponent';

const VSSD_PREFIX = 'Xen:snapshot:';
const RASD_PREFIX = 'snapshot/';
const ID = /^[0-9a-f]{12}$/;

export function snapshotVssdId(id: string): string {
  return `${VSSD_PREFIX}${id}`;
}

export function parseSnapshotVssdId(instanceId: string | undefined): string | undefined {
  if (!instanceId?.startsWith(VSSD_PREFIX)) return undefined;
  const id = instanceId.slice(VSSD_PREFIX.length);
  return ID.test(id) ? id : undefined;
}

export function snapshotVssdName(id: string): CimInstanceName {
  return instanceIdName(VSSD_CLASS, snapshotVssdId(id));
}

export function snapshotRasdId(id: string, devid: string): string {
  return `${RASD_PREFIX}${id}/${devid}`;
}

export function parseSnapshotRasdId(instanceId: string | undefined): { id: string; devid: string } | undefined {
  if (!instanceId?.startsWith(RASD_PREFIX)) return undefined;
  const rest = instanceId.slice(RASD_PREFIX.length);
  const slash = rest.indexOf('/');
  const id = rest.slice(0, slash);
  return slash > 0 && ID.test(id) && rest.length > slash + 1 ? { id, devid: rest.slice(slash + 1) } : undefined;
}

export function serviceNameOf(host: string): CimInstanceName {
  return serviceName(SERVICE_CLASS, SERVICE_NAME, host);
}

export function capabilitiesName(): CimInstanceName {
  return instanceIdName(CAPABILITIES_CLASS, CAPABILITIES_ID);
}
