/**
 * Xen_VirtualSystemManagementService (DSP1042), the host's service, and its methods (§8.2) in
 * one table: name, implementation, the role a caller needs, and the value the capabilities list
 * it under (CIM_VirtualSystemManagementCapabilities). Those that run hypervisor calls (power-off,
 * hot-plug) answer 4096 with a job when the work outlasts the budget (shared/budget.ts); the
 * others complete before returning. A refusal is a CimError whose description says why, and it
 * changes nothing.
 */
import { CimInstanceName, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult, Role } from '../../operations/provider.js';
import type { SettingsPatch } from '../../virt/index.js';
import { VIRTUAL_SYSTEM_TYPE, findConfiguration, parseSystemSettings } from '../dsp1057-virtual-system/index.js';
import { destroySwitch, isSwitchRef } from '../dsp1097-virtual-ethernet-switch/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { answerWithin } from '../shared/budget.js';
import { badParam, toCimError } from '../shared/errors.js';
import { CS_CLASS, VSMS_CLASS, VSMS_NAME, parseVssdId, systemOfCsName, vsmsName } from '../shared/naming.js';
import { readInstance, readRef, readString } from '../shared/params.js';
import type { ClassSource, Method } from '../shared/provider.js';
import { findSystem } from '../shared/systems.js';
import { defineSystem } from './define-system.js';
import { addResourceSettings, modifyResourceSettings, removeResourceSettings } from './resource-settings.js';

async function destroySystem(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const ref = readRef(params, 'AffectedSystem');
  if (!ref) throw badParam('AffectedSystem (a reference to the Xen_ComputerSystem) is required');
  if (isSwitchRef(ref)) return destroySwitch(deps, ref);
  const name = systemOfCsName(ref);
  if (name === undefined) throw badParam(`AffectedSystem ${ref.toString()} is not a reference to a ${CS_CLASS} (nor to a virtual switch)`);
  const sys = await findSystem(deps, name);
  if (!sys) throw cimError('NOT_FOUND', `AffectedSystem ${ref.toString()} does not exist`);
  // DSP1042: an active system is deactivated (hard) first, then its definition is removed. A
  // power-off that outlasts the budget goes on as a job the client can follow or terminate.
  const job = deps.virt.jobs.start(`deletion of ${sys.name}`, sys.name, (ctx) => deps.virt.deleteSystem(sys.name, { signal: ctx.signal, asJob: true }), undefined, 'deletion');
  void job.done.then(() => deps.log(`DestroySystem: '${sys.name}' (was ${sys.state}) destroyed`), () => {});
  try {
    return await answerWithin(deps, job, () => ({ returnValue: 0 }));
  } catch (e) {
    throw toCimError(e, `DestroySystem of '${sys.name}'`);
  }
}

/**
 * DSP1042 ModifySystemSettings: start-up, shutdown and crash actions, priority, and the name.
 * ElementName / VirtualSystemIdentifier (which must agree) naming another name than the
 * InstanceID's `Xen:<old>` renames the system (the running domain too): the virt layer checks the
 * name (as DefineSystem does) and its uniqueness, and applies rename and policies as one change
 * under the system's lock, so a refused call changes nothing.
 */
async function modifySystemSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const inst = readInstance(params, 'SystemSettings');
  if (!inst) throw badParam('SystemSettings (an embedded Xen_VirtualSystemSettingData with its InstanceID) is required');
  const id = readString(inst, 'InstanceID', 'SystemSettings');
  if (id === undefined || !parseVssdId(id)) throw badParam(`SystemSettings needs the InstanceID of an existing configuration (Xen:<name>), got ${JSON.stringify(id ?? null)}`);
  const sys = (await findConfiguration(deps, id))?.sys;
  if (!sys) throw cimError('NOT_FOUND', `no virtual system configuration has InstanceID "${id}"`);
  const input = parseSystemSettings(inst, { name: sys.name, autostart: sys.config.autostart });
  const c = sys.config;
  if (input.uuid !== undefined && input.uuid.toLowerCase() !== sys.uuid.toLowerCase()) throw badParam(`the UUID of '${sys.name}' cannot change`);
  if (input.type !== undefined && input.type !== c.type) {
    throw badParam(`'${sys.name}' is ${VIRTUAL_SYSTEM_TYPE[c.type]}: changing its virtual system type needs a new definition`);
  }
  for (const k of ['kernel', 'ramdisk', 'cmdline', 'bootloader'] as const) {
    if (input.boot[k] !== undefined && input.boot[k] !== c.boot[k]) throw badParam(`changing the boot settings (${k}) of '${sys.name}' is not supported`);
  }
  const patch: SettingsPatch = {};
  if (input.autostart !== undefined && input.autostart !== c.autostart) patch.autostart = input.autostart;
  if (input.onPoweroff !== undefined && input.onPoweroff !== c.onPoweroff) patch.onPoweroff = input.onPoweroff;
  if (input.onCrash !== undefined && input.onCrash !== c.onCrash) patch.onCrash = input.onCrash;
  if (input.priority !== undefined && input.priority !== c.priority) patch.priority = input.priority;
  const oldName = sys.name;
  const newName = input.name !== undefined && input.name !== oldName ? input.name : undefined;
  const changed = Object.keys(patch).length > 0;
  if (newName === undefined && !changed) return { returnValue: 0 };
  try {
    // One compound change of the model, under the system's lock: the rename first, then the policies; all or nothing.
    await deps.virt.modifySystemSettings(oldName, { ...(newName !== undefined ? { name: newName } : {}), ...(changed ? { patch } : {}) });
  } catch (e) {
    throw toCimError(e, `ModifySystemSettings of '${oldName}'`);
  }
  if (newName !== undefined) deps.log(`ModifySystemSettings: '${oldName}' renamed to '${newName}'${sys.live ? ' (running domain too)' : ''}`);
  if (changed) deps.log(`ModifySystemSettings: '${newName ?? oldName}' ${JSON.stringify(patch)}`);
  return { returnValue: 0 };
}

export interface VsmsMethod {
  name: string;
  run(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult>;
  /** Every VSMS method changes what exists: admin only. */
  role: Role;
  /** Its value in CIM_VirtualSystemManagementCapabilities.Synchronous/AsynchronousMethodsSupported. */
  capability: number;
  /** May answer 4096 with a job (listed as asynchronous), or always completes before answering. */
  mayRunAsJob: boolean;
}

/** The VSMS methods we implement: the one list the dispatch and the capabilities derive from. */
export const VSMS_METHODS: readonly VsmsMethod[] = [
  { name: 'DefineSystem', run: defineSystem, role: 'admin', capability: 2, mayRunAsJob: false },
  { name: 'DestroySystem', run: destroySystem, role: 'admin', capability: 3, mayRunAsJob: true },
  { name: 'ModifyResourceSettings', run: modifyResourceSettings, role: 'admin', capability: 5, mayRunAsJob: true },
  { name: 'ModifySystemSettings', run: modifySystemSettings, role: 'admin', capability: 6, mayRunAsJob: false },
  { name: 'RemoveResourceSettings', run: removeResourceSettings, role: 'admin', capability: 7, mayRunAsJob: true },
  { name: 'AddResourceSettings', run: addResourceSettings, role: 'admin', capability: 10, mayRunAsJob: true },
];

export function managementServiceSource(deps: ProviderDeps): ClassSource {
  return {
    async list(ctx) {
      const info = await deps.virt.hostInfo();
      const name = vsmsName(deps.hostName);
      return [build(ctx, VSMS_CLASS, {
        ...Object.fromEntries(name.keybindings.map((k) => [k.name, k.value as CimValue])),
        ElementName: VSMS_NAME,
        Caption: 'Virtual system management service',
        EnabledState: 2,
        OperationalStatus: [2],
        HealthState: 5,
        Started: true,
        StartMode: 'Automatic',
        Release: deps.product.version,
        // The hypervisor toolstack in use (libvirt-cim's LibvirtVersion slot), e.g. "xen 4.17.7".
        LibvirtVersion: `${info.hypervisor} ${info.hypervisorVersion}`,
      })];
    },
  };
}

export function managementServiceMethods(deps: ProviderDeps): Record<string, Method> {
  return Object.fromEntries(VSMS_METHODS.map((m): [string, Method] => [m.name, {
    role: m.role,
    run(_ctx, target, params) {
      // Not static (CIM_VirtualSystemManagementService): invoked on the host's service instance.
      if (!(target instanceof CimInstanceName)) throw cimError('INVALID_PARAMETER', `${VSMS_CLASS}.${m.name} must be invoked on the management service instance, not on the class`);
      return m.run(deps, params);
    },
  }]));
}
