/**
 * Keys and InstanceIDs of every instance we serve, in one place: the only module that builds
 * instance names. Class names, keys and InstanceID formats follow libvirt-cim's `Xen_` classes,
 * so scripts written for it find the same names here; where an ID of theirs is not unique we
 * say why we differ. A profile's own classes use the generic shapes below (instanceIdName,
 * hostedName) with class-name constants of its own; the classes several profiles refer to have
 * their constants here.
 */
import { CimInstanceName, sameName } from '../../cim/index.js';

export const VIRT_NS = 'root/virt';
export const INTEROP_NS = 'root/interop';

export const HOST_CLASS = 'Xen_HostSystem';
export const CS_CLASS = 'Xen_ComputerSystem';
export const VSMS_CLASS = 'Xen_VirtualSystemManagementService';
export const VSMS_NAME = 'Management Service';
export const VSMC_CLASS = 'Xen_VirtualSystemManagementCapabilities';
export const VSMC_INSTANCE_ID = 'ManagementCapabilities';
export const VSSD_CLASS = 'Xen_VirtualSystemSettingData';
export const AC_CLASS = 'Xen_AllocationCapabilities';
export const ELEC_CLASS = 'Xen_EnabledLogicalElementCapabilities';
export const JOB_CLASS = 'Xen_ConcreteJob';

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

/** The resource kinds we allocate (one RASD class and one pool class each). */
export type ResourceKind = keyof typeof RASD_CLASS;

/** RASD/device identifiers within a system (libvirt-cim's devid): see rasdId. */
export const PROC_DEVID = 'proc';
export const MEM_DEVID = 'mem';

// ------------------------------------------------------------------ generic key shapes

/** A class keyed by InstanceID alone (settings, capabilities, pools, jobs, profiles). */
export function instanceIdName(className: string, instanceId: string): CimInstanceName {
  return CimInstanceName.of(className, { InstanceID: instanceId });
}

/** A metric definition (DSP1053): CIM_BaseMetricDefinition's key is Id. */
export function metricDefinitionName(id: string): CimInstanceName {
  return CimInstanceName.of('Xen_BaseMetricDefinition', { Id: id });
}

/** A system (CIM_System keys): the host, a virtual system. */
export function systemName(className: string, name: string): CimInstanceName {
  return CimInstanceName.of(className, { CreationClassName: className, Name: name });
}

/** A service hosted by the Xen host (VSMS, migration, snapshot, pool configuration services). */
export function serviceName(className: string, name: string, host: string): CimInstanceName {
  return CimInstanceName.of(className, {
    CreationClassName: className,
    Name: name,
    SystemCreationClassName: HOST_CLASS,
    SystemName: host,
  });
}

/**
 * An element scoped by the Xen host with the system keys first (the WBEM server's own object
 * manager and communication mechanism, as pywbem expects to read them).
 */
export function hostedName(className: string, name: string, host: string): CimInstanceName {
  return CimInstanceName.of(className, { SystemCreationClassName: HOST_CLASS, SystemName: host, CreationClassName: className, Name: name });
}

// ------------------------------------------------------------------ the host side

export function hostName(host: string): CimInstanceName {
  return systemName(HOST_CLASS, host);
}

export function vsmsName(host: string): CimInstanceName {
  return serviceName(VSMS_CLASS, VSMS_NAME, host);
}

export function vsmcName(): CimInstanceName {
  return instanceIdName(VSMC_CLASS, VSMC_INSTANCE_ID);
}

/** Pool IDs as libvirt-cim spells them: `ProcessorPool/0`, `MemoryPool/0`, `DiskPool/0`, `NetworkPool/<bridge>`. */
export function poolInstanceId(kind: ResourceKind, name: string): string {
  const prefix = { processor: 'ProcessorPool', memory: 'MemoryPool', disk: 'DiskPool', network: 'NetworkPool' }[kind];
  return `${prefix}/${name}`;
}

/** A pool: InstanceID = PoolID. */
export function poolName(p: { className: string; poolId: string }): CimInstanceName {
  return instanceIdName(p.className, p.poolId);
}

/** AllocationCapabilities of a pool: InstanceID = PoolID (as libvirt-cim). */
export function acName(poolId: string): CimInstanceName {
  return instanceIdName(AC_CLASS, poolId);
}

/** A job (DSP1103): InstanceID = the job's id. */
/** Migration jobs are Xen_MigrationJob (DSP1081), every other job Xen_ConcreteJob (DSP1103). */
export const MIGRATION_JOB_CLASS = 'Xen_MigrationJob';
/** The name every migration job of virt/ starts with (virt/migration.ts). */
const MIGRATION_JOB_PREFIX = 'migrate ';

export function jobClassOf(job: { name: string }): string {
  return job.name.startsWith(MIGRATION_JOB_PREFIX) ? MIGRATION_JOB_CLASS : JOB_CLASS;
}

export function jobName(id: string, className: string = JOB_CLASS): CimInstanceName {
  return instanceIdName(className, id);
}

/** CIM_Namespace of the object manager `manager` (class `managerClass`) on the host. */
export function namespaceName(className: string, ns: string, manager: { className: string; name: string }, host: string): CimInstanceName {
  return CimInstanceName.of(className, {
    SystemCreationClassName: HOST_CLASS, SystemName: host,
    ObjectManagerCreationClassName: manager.className, ObjectManagerName: manager.name,
    CreationClassName: className, Name: ns,
  });
}

// ------------------------------------------------------------------ a virtual system

export function computerSystemName(system: string): CimInstanceName {
  return systemName(CS_CLASS, system);
}

/** A virtual system's Xen_EnabledLogicalElementCapabilities: InstanceID = system name (as libvirt-cim). */
export function elecName(system: string): CimInstanceName {
  return instanceIdName(ELEC_CLASS, system);
}

/** The two configurations of DSP1057 §7.3: the definition and, while a domain exists, the state. */
export type SettingsRole = 'defined' | 'current';

const VSSD_PREFIX = 'Xen:';
const STATE_SUFFIX = ':current';

/** VSSD InstanceID: `Xen:<system>` (defined, libvirt-cim's) or `Xen:<system>:current` (state). */
export function vssdId(system: string, role: SettingsRole = 'defined'): string {
  return role === 'defined' ? `${VSSD_PREFIX}${system}` : `${VSSD_PREFIX}${system}${STATE_SUFFIX}`;
}

/** System names never contain ':' (the driver allows A-Z a-z 0-9 _ . -), so the suffix is unambiguous. */
export function parseVssdId(id: string): { system: string; role: SettingsRole } | undefined {
  if (!id.startsWith(VSSD_PREFIX) || id.length <= VSSD_PREFIX.length) return undefined;
  const rest = id.slice(VSSD_PREFIX.length);
  if (rest.endsWith(STATE_SUFFIX)) {
    const system = rest.slice(0, -STATE_SUFFIX.length);
    return system && !system.includes(':') ? { system, role: 'current' } : undefined;
  }
  return rest.includes(':') ? undefined : { system: rest, role: 'defined' };
}

export function vssdName(system: string, role: SettingsRole = 'defined'): CimInstanceName {
  return instanceIdName(VSSD_CLASS, vssdId(system, role));
}

/**
 * RASD InstanceIDs. Three shapes share the four RASD classes:
 * - defined RASD `<system>/<devid>` (libvirt-cim's): the definition, for the next start;
 * - state RASD `<system>/<devid>:current` (DSP1057 §7.3 state configuration, like the VSSD's
 *   `Xen:<system>:current`): what the running domain has, served while a domain exists;
 * - allocation template `<PoolID>/<Role>` (DSP1043), e.g. `MemoryPool/0/Default`. libvirt-cim's
 *   bare "Default", "Minimum"... repeat across pools and so are not unique keys of one class.
 * A system name never contains '/' or ':' and a devid never contains '/' (proc, mem, a vdev, a
 * MAC) nor ends in ':current' (a MAC ends in two hex digits), so the shapes cannot be confused:
 * a system RASD ID has exactly one '/', a template two or more and ends in a role.
 */
export function rasdId(system: string, devid: string, role: SettingsRole = 'defined'): string {
  return role === 'defined' ? `${system}/${devid}` : `${system}/${devid}${STATE_SUFFIX}`;
}

export const TEMPLATE_ROLES = ['Default', 'Minimum', 'Maximum', 'Increment'] as const;
export type TemplateRole = (typeof TEMPLATE_ROLES)[number];

export function templateInstanceId(poolId: string, role: TemplateRole): string {
  return `${poolId}/${role}`;
}

export type ParsedRasdId =
  | { kind: 'system'; system: string; devid: string; role: SettingsRole }
  | { kind: 'template'; poolId: string; role: TemplateRole };

export function parseRasdId(id: string): ParsedRasdId | undefined {
  if (typeof id !== 'string') return undefined;
  const last = id.lastIndexOf('/');
  if (last > 0 && id.indexOf('/') !== last) {
    const role = id.slice(last + 1);
    return (TEMPLATE_ROLES as readonly string[]).includes(role) ? { kind: 'template', poolId: id.slice(0, last), role: role as TemplateRole } : undefined;
  }
  const p = parseDeviceId(id);
  if (!p) return undefined;
  if (p.devid.endsWith(STATE_SUFFIX)) {
    const devid = p.devid.slice(0, -STATE_SUFFIX.length);
    return devid ? { kind: 'system', system: p.system, devid, role: 'current' } : undefined;
  }
  return { kind: 'system', system: p.system, devid: p.devid, role: 'defined' };
}

export function isTemplateInstanceId(id: string): boolean {
  return parseRasdId(id)?.kind === 'template';
}

export function rasdName(system: string, kind: ResourceKind, devid: string, role: SettingsRole = 'defined'): CimInstanceName {
  return instanceIdName(RASD_CLASS[kind], rasdId(system, devid, role));
}

/** Splits a device ID `<system>/<devid>` at the first '/' (system names never contain '/'). */
export function parseDeviceId(id: string): { system: string; devid: string } | undefined {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return undefined;
  return { system: id.slice(0, slash), devid: id.slice(slash + 1) };
}

/** A logical device of a system: keys SystemCreationClassName, SystemName, CreationClassName, DeviceID `<system>/<devid>`. */
export function deviceName(className: string, system: string, devid: string): CimInstanceName {
  return CimInstanceName.of(className, {
    SystemCreationClassName: CS_CLASS,
    SystemName: system,
    CreationClassName: className,
    DeviceID: `${system}/${devid}`,
  });
}

/** A logical device of a system of another class (a virtual switch's ports): DeviceID unique within that system. */
export function scopedDeviceName(systemClass: string, system: string, className: string, deviceId: string): CimInstanceName {
  return CimInstanceName.of(className, {
    SystemCreationClassName: systemClass,
    SystemName: system,
    CreationClassName: className,
    DeviceID: deviceId,
  });
}

/** The system a reference to one of its elements belongs to, from its keys alone (no lookup). */
export function systemOfName(ref: CimInstanceName): string | undefined {
  const id = ref.keyString('InstanceID');
  if (id !== undefined) {
    if (sameName(ref.className, ELEC_CLASS)) return id;
    const vssd = parseVssdId(id);
    if (vssd) return vssd.system;
    const rasd = parseRasdId(id);
    return rasd?.kind === 'system' ? rasd.system : undefined;
  }
  const system = ref.keyString('SystemName');
  if (system !== undefined) return sameName(ref.keyString('SystemCreationClassName'), CS_CLASS) ? system : undefined;
  return sameName(ref.keyString('CreationClassName'), CS_CLASS) ? ref.keyString('Name') : undefined;
}

/** The classes a reference to a Xen_ComputerSystem may be named by: its own, or an ancestor that declares its keys. */
const CS_REF_CLASSES = [CS_CLASS, 'CIM_ComputerSystem', 'CIM_System'];

/**
 * The system a Xen_ComputerSystem name designates (class and keys checked, not looked up): its
 * class is Xen_ComputerSystem (or CIM_ComputerSystem, CIM_System, whose keys it has) and its
 * CreationClassName Xen_ComputerSystem (DSP0004: a reference designates an instance of its class
 * or a subclass, by all the keys). A reference the schema did not check (one naming a host) to
 * another class, say `CIM_ManagedElement.Name="x"` or `Xen_HostSystem.Name="x"`, names no system.
 */
export function systemOfCsName(name: CimInstanceName): string | undefined {
  if (!CS_REF_CLASSES.some((c) => sameName(name.className, c))) return undefined;
  if (!sameName(name.keyString('CreationClassName'), CS_CLASS)) return undefined;
  return name.keyString('Name');
}

