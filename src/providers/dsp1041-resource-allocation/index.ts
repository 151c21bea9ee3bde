/**
 * DSP1041 Resource Allocation (and the resource-type profiles built on it: DSP1044 processors,
 * DSP1045 memory, DSP1047 storage, DSP1050 Ethernet ports, DSP1059 generic devices): the pools,
 * the RASDs of every virtual system and their conversion to and from the virt model, and the
 * associations between host, pools and RASDs.
 */
import { VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { allocationAssociations } from './associations.js';
import { poolClasses } from './pools.js';
import { rasdClasses } from './rasd.js';

export const resourceAllocation: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({ classes: { ...poolClasses(deps), ...rasdClasses(deps), ...allocationAssociations(deps) } }),
}];

// What the profiles that allocate resources (DSP1042 methods, DSP1043 templates, DSP1057 devices) use.
export { EAFP } from './associations.js';
export { type AllocationModel, type PoolModel, allocations, poolModels } from './pool-model.js';
export {
  RASD_KINDS, RESOURCE_TYPE, type RasdKind, classifyRasd, parseDiskRasd, parseMemRasd, parseNetRasd, parseProcRasd,
} from './rasd-convert.js';
export { diskChanged, mergeDisk, mergeNic } from './rasd-modify.js';
export { refuseUnknownSwitch } from './rasd-switch.js';
export { type SystemRasd, findRasd, systemRasds } from './rasd.js';
export { COUNT_UNITS, MEMORY_UNITS, NETWORK_UNITS, PROCESSOR_UNITS, memoryOut, toBytesPerSecond } from './rasd-units.js';
