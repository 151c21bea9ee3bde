/**
 * Defining and destroying virtual switches through the host's VSMS (DSP1097: a switch is
 * defined and destroyed as a virtual system is, DSP1042 §8.2). DefineSystem with a switch
 * configuration (its class, or VirtualSystemType DMTF:Virtual Ethernet Switch) creates the switch
 * up and without ports; DestroySystem of a switch removes it, refused while an interface of any
 * system, running or not, is defined on it (the systems are named).
 */
import { type CimInstance, type CimInstanceName, type CimValue, type NameMap, cimError, sameName } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { readInstances, readRef, readString } from '../shared/params.js';
import { hostSwitches } from './model.js';
import { SWITCH_CLASS, SWITCH_SYSTEM_TYPE, switchName } from './names.js';

/** VirtualSystemType spellings of a switch, compared without spaces and case: DMTF:Virtual Ethernet Switch, DMTF:VirtualEthernetSwitch. */
const SWITCH_TYPES = new Set(['dmtf:virtualethernetswitch']);

function isSwitchType(text: string | undefined): boolean {
  return text !== undefined && SWITCH_TYPES.has(text.toLowerCase().replace(/\s+/g, ''));
}

/** Whether DefineSystem's SystemSettings describe a switch rather than a virtual system. */
export function isSwitchSettings(settings: CimInstance): boolean {
  if (/VirtualEthernetSwitchSettingData$/i.test(settings.className)) return true;
  const type = settings.get('VirtualSystemType');
  return typeof type === 'string' && isSwitchType(type);
}

/** Whether DestroySystem's AffectedSystem names a switch. */
export function isSwitchRef(ref: CimInstanceName): boolean {
  return sameName(ref.className, SWITCH_CLASS) || sameName(ref.keyString('CreationClassName'), SWITCH_CLASS);
}

export async function defineSwitch(deps: ProviderDeps, settings: CimInstance, params: NameMap<CimValue>): Promise<MethodResult> {
  const where = `SystemSettings (${settings.className})`;
  const type = readString(settings, 'VirtualSystemType', where);
  if (type !== undefined && type !== '' && !isSwitchType(type)) {
    throw badParam(`${where}: VirtualSystemType "${type}" is not a switch type (use ${SWITCH_SYSTEM_TYPE})`);
  }
  const name = readString(settings, 'VirtualSystemIdentifier', where) || readString(settings, 'ElementName', where);
  if (!name) throw badParam(`${where} needs VirtualSystemIdentifier (or ElementName): the name of the new switch`);
  const id = readString(settings, 'VirtualSystemIdentifier', where);
  const element = readString(settings, 'ElementName', where);
  if (id && element && id !== element) throw badParam(`${where}: VirtualSystemIdentifier "${id}" and ElementName "${element}" name different switches`);
  if (readRef(params, 'ReferenceConfiguration')) throw badParam('ReferenceConfiguration: a virtual switch is not copied from another configuration');
  if (readInstances(params, 'ResourceSettings').length > 0) {
    throw badParam('ResourceSettings: a new virtual switch has no ports or uplinks to allocate (interfaces are plugged in from the systems\' side)');
  }
  try {
    await deps.virt.defineSwitch(name);
  } catch (e) {
    throw toCimError(e, `DefineSystem of the virtual switch '${name}'`);
  }
  deps.log(`DefineSystem: created virtual switch '${name}'`);
  return { returnValue: 0, out: { ResultingSystem: switchName(name) } };
}

export async function destroySwitch(deps: ProviderDeps, ref: CimInstanceName): Promise<MethodResult> {
  const name = ref.keyString('Name');
  if (name === undefined || !(await hostSwitches(deps)).some((s) => s.name === name)) {
    throw cimError('NOT_FOUND', `AffectedSystem ${ref.toString()} does not exist`);
  }
  try {
    await deps.virt.destroySwitch(name);
  } catch (e) {
    throw toCimError(e, `DestroySystem of the virtual switch '${name}'`);
  }
  deps.log(`DestroySystem: removed virtual switch '${name}'`);
  return { returnValue: 0 };
}
