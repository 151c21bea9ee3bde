/**
 * Instance names of the host side that several host providers refer to, built only through
 * naming.ts (candidates to move there: see the report to the lead).
 */
import type { CimInstanceName } from '../../cim/index.js';
import type { ProviderDeps } from '../context.js';
import { VSMC_INSTANCE_ID, VSMS_CLASS, VSMS_NAME, instanceIdName, serviceName } from '../naming.js';

export const VSMC_CLASS = 'Xen_VirtualSystemManagementCapabilities';
export const AC_CLASS = 'Xen_AllocationCapabilities';
export const ELEC_CLASS = 'Xen_EnabledLogicalElementCapabilities';
export const JOB_CLASS = 'Xen_ConcreteJob';

export function vsmsName(deps: Pick<ProviderDeps, 'hostName'>): CimInstanceName {
  return serviceName(VSMS_CLASS, VSMS_NAME, deps.hostName);
}

export function vsmcName(): CimInstanceName {
  return instanceIdName(VSMC_CLASS, VSMC_INSTANCE_ID);
}

/** AllocationCapabilities of a pool: InstanceID = PoolID (libvirt-cim §3.7). */
export function acName(poolId: string): CimInstanceName {
  return instanceIdName(AC_CLASS, poolId);
}

export function poolName(p: { className: string; poolId: string }): CimInstanceName {
  return instanceIdName(p.className, p.poolId);
}

/** A virtual system's Xen_EnabledLogicalElementCapabilities: InstanceID = system name (libvirt-cim §3.1). */
export function elecName(system: string): CimInstanceName {
  return instanceIdName(ELEC_CLASS, system);
}

export function jobName(id: string): CimInstanceName {
  return instanceIdName(JOB_CLASS, id);
}
