/** DSP1081's class names and instance names. */
import type { CimInstanceName } from '../../cim/index.js';
import { instanceIdName, serviceName } from '../shared/naming.js';

export const SERVICE = 'Xen_VirtualSystemMigrationService';
export const CAPABILITIES = 'Xen_VirtualSystemMigrationCapabilities';
export const MSD = 'Xen_VirtualSystemMigrationSettingData';
export const DEFAULT_MSD_ID = 'Xen:MigrationSettingData:Default';

export function migrationServiceName(host: string): CimInstanceName {
  return serviceName(SERVICE, 'MigrationService', host);
}

export function capabilitiesName(): CimInstanceName {
  return instanceIdName(CAPABILITIES, 'Xen:MigrationCapabilities');
}
