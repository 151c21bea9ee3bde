/** Instance names of the host side that several host providers refer to, built through naming.ts. */
import type { CimInstanceName } from '../../cim/index.js';
import type { ProviderDeps } from './deps.js';
import { AC_CLASS, VSMC_CLASS, VSMC_INSTANCE_ID, VSMS_CLASS, VSMS_NAME, instanceIdName, serviceName } from './naming.js';

export { AC_CLASS, ELEC_CLASS, JOB_CLASS, VSMC_CLASS, elecName, jobName } from './naming.js';

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


