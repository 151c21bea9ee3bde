/**
 * Instance operations (DSP0200 §5.3.2.2 GetInstance, §5.3.2.11 EnumerateInstances, §5.3.2.12
 * EnumerateInstanceNames, §5.3.2.6-8 Create/Modify/DeleteInstance, §5.3.2.20-21
 * Get/SetProperty). LocalOnly on instances is deprecated and ignored (treated as false, as
 * DSP0200 1.4 recommends); IncludeQualifiers is deprecated and false unless asked.
 */
import {
  CimInstance, CimInstanceName, type CimValue, type IntrinsicResponse, NameSet, cimError, sameName, valuesEqual,
} from '../cim/index.js';
import type { OpContext } from './context.js';
import { NO_FLAGS, encodeFlags, restrictToClass } from './flags.js';
import {
  checkInstanceName, enumerateDeep, enumerateNamesDeep, fetchInstance, streamDeep,
} from './instances.js';
import type { Params } from './params.js';
import { declOf, declaredProperty, typeInstance, typeValue } from './typing.js';

export async function getInstance(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const { name } = checkInstanceName(ctx, p.instanceName('InstanceName'));
  p.bool('LocalOnly', false); // deprecated (DSP0200 1.4): validated, then ignored
  const propertyList = p.propertyList();
  const instance = await fetchInstance(ctx, name, propertyList);
  return {
    result: { kind: 'instance', instance },
    flags: encodeFlags(p.bool('IncludeQualifiers', false), p.bool('IncludeClassOrigin', false), propertyList),
  };
}

export async function enumerateInstances(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const cls = ctx.requireClass(p.requiredClassName('ClassName'));
  p.bool('LocalOnly', false);
  const asked = p.propertyList();
  const deep = p.bool('DeepInheritance', true);
  const propertyList = deep ? asked : restrictToClass(cls, asked);
  const result: IntrinsicResponse['result'] = ctx.streaming
    ? { kind: 'namedInstanceStream', batches: streamDeep(ctx, cls.name, propertyList) }
    : { kind: 'namedInstances', instances: await enumerateDeep(ctx, cls.name, propertyList) };
  return {
    result,
    flags: encodeFlags(p.bool('IncludeQualifiers', false), p.bool('IncludeClassOrigin', false), propertyList, deep ? undefined : asked),
  };
}

export async function enumerateInstanceNames(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const cls = ctx.requireClass(p.requiredClassName('ClassName'));
  return { result: { kind: 'instanceNames', names: await enumerateNamesDeep(ctx, cls.name) }, flags: NO_FLAGS };
}

export async function getProperty(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const { cls, name } = checkInstanceName(ctx, p.instanceName('InstanceName'));
  const propName = p.requiredString('PropertyName');
  const decl = cls.properties.get(propName);
  if (!decl) throw cimError('NO_SUCH_PROPERTY', `class ${cls.name} has no property "${propName}"`);
  const inst = await fetchInstance(ctx, name, new NameSet([decl.name]));
  const result: IntrinsicResponse['result'] = { kind: 'value', value: inst.get(decl.name) ?? null, type: decl.type, isArray: decl.isArray };
  if (decl.embeddedObject) result.embeddedObject = decl.embeddedObject;
  return { result, flags: NO_FLAGS };
}

/** The owner of a class for a change, or CIM_ERR_NOT_SUPPORTED naming what is missing. */
function writer<K extends 'createInstance' | 'modifyInstance' | 'deleteInstance'>(ctx: OpContext, className: string, op: K) {
  const provider = ctx.providers(className)?.owner;
  const fn = provider?.[op];
  if (!provider || !fn) throw cimError('NOT_SUPPORTED', `instances of ${className} cannot be ${op === 'createInstance' ? 'created' : op === 'modifyInstance' ? 'modified' : 'deleted'} here`);
  return fn.bind(provider) as NonNullable<(typeof provider)[K]>;
}

/** SetProperty is ModifyInstance with a one-property PropertyList (DSP0200 §5.3.2.21). */
export async function setProperty(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const { cls, name } = checkInstanceName(ctx, p.instanceName('InstanceName'));
  // A class nobody can modify is refused as such before its properties are looked at.
  const modify = writer(ctx, cls.name, 'modifyInstance');
  const propName = p.requiredString('PropertyName');
  const decl = cls.properties.get(propName);
  if (!decl) throw cimError('NO_SUCH_PROPERTY', `class ${cls.name} has no property "${propName}"`);
  if (decl.isKey) throw cimError('INVALID_PARAMETER', `"${decl.name}" is a key of ${cls.name} and cannot be changed`);
  const { value } = p.value('NewValue');
  const typed = typeValue(ctx, value, declOf(decl), `new value of property "${decl.name}"`, 'TYPE_MISMATCH');
  await fetchInstance(ctx, name, new NameSet([decl.name]));
  const inst = new CimInstance(cls.name);
  for (const k of name.keybindings) inst.properties.set(k.name, declaredProperty(cls.properties.get(k.name)!, k.value));
  inst.properties.set(decl.name, declaredProperty(decl, typed));
  inst.path = name;
  await ctx.call(`setting ${cls.name}.${decl.name}`, () => modify(ctx.providerCtx, inst, new NameSet([decl.name])));
  return { result: { kind: 'void' }, flags: NO_FLAGS };
}

export async function createInstance(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const given = p.instance('NewInstance');
  const cls = ctx.requireClass(given.className);
  if (cls.isAbstract) throw cimError('INVALID_CLASS', `class ${cls.name} is abstract and cannot have instances`);
  const create = writer(ctx, cls.name, 'createInstance');
  const inst = typeInstance(ctx, cls, given, { fillDefaults: true, error: 'INVALID_PARAMETER' });
  const created = await ctx.call(`creating an instance of ${cls.name}`, () => create(ctx.providerCtx, inst));
  if (!(created instanceof CimInstanceName)) throw cimError('FAILED', `the provider of ${cls.name} returned no name for the new instance`);
  return { result: { kind: 'instanceName', name: created.local() }, flags: NO_FLAGS };
}

export async function modifyInstance(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const given = p.instance('ModifiedInstance');
  if (!given.path) throw cimError('INVALID_PARAMETER', 'ModifiedInstance must be a named instance (VALUE.NAMEDINSTANCE)');
  const { cls, name } = checkInstanceName(ctx, given.path);
  if (!sameName(given.className, cls.name)) {
    throw cimError('INVALID_PARAMETER', `ModifiedInstance is of class ${given.className} but its path names ${cls.name}`);
  }
  p.bool('IncludeQualifiers', true); // deprecated; qualifiers are never modified
  // NOT_SUPPORTED for a class nobody can modify comes before any check of the properties: the
  // client learns the operation is unavailable, not a detail it would fix in vain.
  const modify = writer(ctx, cls.name, 'modifyInstance');
  const listed = p.propertyList();
  if (listed) {
    for (const n of listed) if (!cls.properties.has(n)) throw cimError('NO_SUCH_PROPERTY', `class ${cls.name} has no property "${n}"`);
  }
  const inst = typeInstance(ctx, cls, given, { fillDefaults: false, error: 'INVALID_PARAMETER' });
  for (const k of name.keybindings) {
    const v = inst.get(k.name);
    if (v !== undefined && v !== null && !valuesEqual(v, k.value as CimValue)) {
      throw cimError('INVALID_PARAMETER', `key "${k.name}" of ${cls.name} cannot be modified`);
    }
  }
  inst.path = name;
  const propertyList = listed ? new NameSet([...listed].map((n) => cls.properties.spelling(n)!)) : null;
  await fetchInstance(ctx, name, propertyList);
  await ctx.call(`modifying ${name.toString()}`, () => modify(ctx.providerCtx, inst, propertyList));
  return { result: { kind: 'void' }, flags: NO_FLAGS };
}

export async function deleteInstance(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const { cls, name } = checkInstanceName(ctx, p.instanceName('InstanceName'));
  const del = writer(ctx, cls.name, 'deleteInstance');
  await fetchInstance(ctx, name, new NameSet());
  await ctx.call(`deleting ${name.toString()}`, () => del(ctx.providerCtx, name));
  return { result: { kind: 'void' }, flags: NO_FLAGS };
}
