/**
 * Keys and InstanceIDs of every instance we serve, in one place (libvirt-cim.md §3.1): scripts
 * written for libvirt-cim's `Xen_` classes find the same names here. Providers build and parse
 * instance names only through these functions.
 */
import { CimInstanceName } from '../../cim/index.js';

export const VIRT_NS = 'root/virt';
export const INTEROP_NS = 'root/interop';

export const HOST_CLASS = 'Xen_HostSystem';
export const CS_CLASS = 'Xen_ComputerSystem';
export const VSMS_CLASS = 'Xen_VirtualSystemManagementService';
export const VSMS_NAME = 'Management Service';
export const VSMC_INSTANCE_ID = 'ManagementCapabilities';
export const VSSD_CLASS = 'Xen_VirtualSystemSettingData';
export const VSMC_CLASS = 'Xen_VirtualSystemManagementCapabilities';
export const AC_CLASS = 'Xen_AllocationCapabilities';
export const ELEC_CLASS = 'Xen_EnabledLogicalElementCapabilities';
export const JOB_CLASS = 'Xen_ConcreteJob';

/** RASD/device identifiers within a system (libvirt-cim devid): see rasdInstanceId. */
export const PROC_DEVID = 'proc';
export const MEM_DEVID = 'mem';

export function hostName(host: string): CimInstanceName {
  return CimInstanceName.of(HOST_CLASS, { CreationClassName: HOST_CLASS, Name: host });
}

export function computerSystemName(system: string): CimInstanceName {
  return CimInstanceName.of(CS_CLASS, { CreationClassName: CS_CLASS, Name: system });
}

/** A hosted service (VSMS, migration, snapshot, pool configuration): keyed by the host. */
export function serviceName(className: string, name: string, host: string): CimInstanceName {
  return CimInstanceName.of(className, {
    CreationClassName: className,
    Name: name,
    SystemCreationClassName: HOST_CLASS,
    SystemName: host,
  });
}

/** VSSD InstanceID `Xen:<system>` (libvirt-cim §3.1). */
export function vssdInstanceId(system: string): string {
  return `Xen:${system}`;
}

export function systemOfVssdInstanceId(id: string): string | undefined {
  return id.startsWith('Xen:') && id.length > 4 ? id.slice(4) : undefined;
}

/** RASD InstanceID and logical device DeviceID: `<system>/<devid>`. */
export function rasdInstanceId(system: string, devid: string): string {
  return `${system}/${devid}`;
}

/** Splits `<system>/<devid>` at the first '/' (system names never contain '/'). */
export function parseDeviceId(id: string): { system: string; devid: string } | undefined {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return undefined;
  return { system: id.slice(0, slash), devid: id.slice(slash + 1) };
}

/** A logical device of a system: keys SystemCreationClassName, SystemName, CreationClassName, DeviceID. */
export function deviceName(className: string, system: string, devid: string): CimInstanceName {
  return CimInstanceName.of(className, {
    SystemCreationClassName: CS_CLASS,
    SystemName: system,
    CreationClassName: className,
    DeviceID: rasdInstanceId(system, devid),
  });
}

/** Pool IDs as libvirt-cim spells them: `ProcessorPool/0`, `MemoryPool/0`, `DiskPool/0`, `NetworkPool/<bridge>`. */
export function poolInstanceId(kind: 'processor' | 'memory' | 'disk' | 'network', name: string): string {
  const prefix = { processor: 'ProcessorPool', memory: 'MemoryPool', disk: 'DiskPool', network: 'NetworkPool' }[kind];
  return `${prefix}/${name}`;
}

export const POOL_CLASS = {
  processor: 'Xen_ProcessorPool',
  memory: 'Xen_MemoryPool',
  disk: 'Xen_DiskPool',
  network: 'Xen_NetworkPool',
} as const;

export const RASD_CLASS = {
  processor: 'Xen_ProcResourceAllocationSettingData',
  memory: 'Xen_MemResourceAllocationSettingData',
  disk: 'Xen_DiskResourceAllocationSettingData',
  network: 'Xen_NetResourceAllocationSettingData',
} as const;

/** CIM_ResourceAllocationSettingData.ResourceType values we serve (DSP1041). */
export const RESOURCE_TYPE = { processor: 3, memory: 4, network: 10, disk: 17 } as const;

export function instanceIdName(className: string, instanceId: string): CimInstanceName {
  return CimInstanceName.of(className, { InstanceID: instanceId });
}

/** A virtual system's Xen_EnabledLogicalElementCapabilities: InstanceID = system name (libvirt-cim §3.1). */
export function elecName(system: string): CimInstanceName {
  return instanceIdName(ELEC_CLASS, system);
}

/** A job (DSP1103): InstanceID = the job's id. */
export function jobName(id: string): CimInstanceName {
  return instanceIdName(JOB_CLASS, id);
}
