/**
 * The extrinsic methods of Xen_VirtualSystemManagementService (DSP1042 §8.2; digest B4). The
 * VSMS instance itself is served by the host provider, which delegates invokeMethod here. All
 * six methods are synchronous (return 0, never a Job: the VSMC lists them as synchronous);
 * a refusal is a CimError whose description says why, and it changes nothing.
 */
import { type CimInstanceName, type CimValue, type ClassNameRef, type NameMap, cimError, sameName } from '../../cim/index.js';
import type { MethodResult, ProviderContext, Role } from '../../operations/provider.js';
import type { SystemPatch } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { systemOfCsName } from '../dsp1057-virtual-system/computer-system.js';
import { findSystem } from '../shared/systems.js';
import { stateMemory } from '../dsp1057-virtual-system/states.js';
import { defineSystem } from './define-system.js';
import { type Step, embeddedOne, refOne, runSteps } from './steps.js';
import { addResourceSettings, modifyResourceSettings, removeResourceSettings } from './resource-settings.js';
import { VIRTUAL_SYSTEM_TYPE, parseSystemSettings, parseVssdId } from '../dsp1057-virtual-system/vssd-convert.js';

export type VsmsMethod = (
  ctx: ProviderContext, target: CimInstanceName | ClassNameRef, method: string, params: NameMap<CimValue>,
) => Promise<MethodResult>;

/** Every VSMS method changes what exists: admin only (issue 2 security baseline). */
export const VSMS_METHOD_ROLE: Role = 'admin';

export const VSMS_METHODS = [
  'DefineSystem', 'DestroySystem', 'AddResourceSettings', 'ModifyResourceSettings', 'RemoveResourceSettings', 'ModifySystemSettings',
] as const;

async function destroySystem(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const ref = refOne(params, 'AffectedSystem');
  if (!ref) throw badParam('AffectedSystem (a reference to the Xen_ComputerSystem) is required');
  const name = systemOfCsName(ref);
  const sys = name === undefined ? undefined : await findSystem(deps, name);
  if (!sys) throw cimError('NOT_FOUND', `AffectedSystem ${ref.toString()} does not exist`);
  try {
    // DSP1042: an active system is deactivated (hard) first, then its definition is removed.
    await deps.virt.deleteSystem(sys.name);
  } catch (e) {
    throw toCimError(e, `DestroySystem of '${sys.name}'`);
  }
  stateMemory(deps.virt).forget(sys.name);
  deps.log(`DestroySystem: '${sys.name}' (was ${sys.state}) destroyed`);
  return { returnValue: 0 };
}

/**
 * DSP1042 ModifySystemSettings: start-up, shutdown and crash actions, priority, and the name.
 * ElementName / VirtualSystemIdentifier (which must agree) naming another name than the
 * InstanceID's `Xen:<old>` renames the system (the running domain too): the virt layer checks the
 * name (as DefineSystem does) and its uniqueness. The rename runs first, then the other changes on
 * the new name; if those are refused the rename is undone, so a refused call changes nothing.
 */
async function modifySystemSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const inst = embeddedOne(params, 'SystemSettings');
  if (!inst) throw badParam('SystemSettings (an embedded Xen_VirtualSystemSettingData with its InstanceID) is required');
  const id = inst.get('InstanceID');
  const parsed = typeof id === 'string' ? parseVssdId(id) : undefined;
  if (!parsed) throw badParam(`SystemSettings needs the InstanceID of an existing configuration (Xen:<name>), got ${JSON.stringify(id ?? null)}`);
  const sys = await findSystem(deps, parsed.system);
  if (!sys) throw cimError('NOT_FOUND', `no virtual system configuration has InstanceID "${String(id)}"`);
  const input = parseSystemSettings(inst);
  const c = sys.config;
  if (input.uuid !== undefined && input.uuid.toLowerCase() !== sys.uuid.toLowerCase()) throw badParam(`the UUID of '${sys.name}' cannot change`);
  if (input.type !== undefined && input.type !== c.type) {
    throw badParam(`'${sys.name}' is ${VIRTUAL_SYSTEM_TYPE[c.type]}: changing its virtual system type needs a new definition`);
  }
  for (const k of ['kernel', 'ramdisk', 'cmdline', 'bootloader'] as const) {
    if (input.boot[k] !== undefined && input.boot[k] !== c.boot[k]) throw badParam(`changing the boot settings (${k}) of '${sys.name}' is not supported`);
  }
  const patch: SystemPatch = {};
  if (input.autostart !== undefined && input.autostart !== c.autostart) patch.autostart = input.autostart;
  if (input.onPoweroff !== undefined && input.onPoweroff !== c.onPoweroff) patch.onPoweroff = input.onPoweroff;
  if (input.onCrash !== undefined && input.onCrash !== c.onCrash) patch.onCrash = input.onCrash;
  if (input.priority !== undefined && input.priority !== c.priority) patch.priority = input.priority;
  const oldName = sys.name;
  const newName = input.name !== undefined && input.name !== oldName ? input.name : undefined;
  let name = oldName;
  const steps: Step[] = [];
  if (newName !== undefined) {
    steps.push({
      what: `renaming '${oldName}' to '${newName}'`,
      run: async () => {
        await deps.virt.renameSystem(oldName, newName);
        name = newName;
        stateMemory(deps.virt).rename(oldName, newName);
      },
      undo: async () => {
        await deps.virt.renameSystem(newName, oldName);
        name = oldName;
        stateMemory(deps.virt).rename(newName, oldName);
      },
    });
  }
  if (Object.keys(patch).length > 0) {
    const previous: SystemPatch = {};
    for (const k of Object.keys(patch) as (keyof SystemPatch)[]) Object.assign(previous, { [k]: c[k as keyof typeof c] });
    steps.push({
      what: `changing ${Object.keys(patch).join(', ')} of '${oldName}'`,
      run: async () => {
        await deps.virt.modifySystem(name, patch);
      },
      undo: async () => {
        await deps.virt.modifySystem(name, previous);
      },
    });
  }
  await runSteps(deps, `ModifySystemSettings of '${oldName}'`, steps);
  if (newName !== undefined) deps.log(`ModifySystemSettings: '${oldName}' renamed to '${newName}'${sys.live ? ' (running domain too)' : ''}`);
  if (Object.keys(patch).length > 0) deps.log(`ModifySystemSettings: '${name}' ${JSON.stringify(patch)}`);
  return { returnValue: 0 };
}

/** The VSMS method dispatcher the host provider delegates to. */
export function createVsmsMethods(deps: ProviderDeps): VsmsMethod {
  const table: [string, (deps: ProviderDeps, params: NameMap<CimValue>) => Promise<MethodResult>][] = [
    ['DefineSystem', defineSystem],
    ['DestroySystem', destroySystem],
    ['AddResourceSettings', addResourceSettings],
    ['ModifyResourceSettings', modifyResourceSettings],
    ['RemoveResourceSettings', removeResourceSettings],
    ['ModifySystemSettings', modifySystemSettings],
  ];
  return async (_ctx, _target, method, params) => {
    const entry = table.find(([n]) => sameName(n, method));
    if (!entry) throw cimError('METHOD_NOT_AVAILABLE', `Xen_VirtualSystemManagementService.${method} is not implemented`);
    return entry[1](deps, params);
  };
}
