/**
 * Instance access through providers, shared by every instance-level operation: exact-class
 * enumeration, the subclass fan-out (DSP0200 §5.3.2.11: EnumerateInstances includes subclass
 * instances), name-only enumeration, and lookup of one instance. Provider results are passed on
 * as they are, never copied per instance.
 */
import {
  type CimClass, CimInstance, CimInstanceName, type NameSet, cimError, instanceNameOf, normalizeInstanceName,
} from '../cim/index.js';
import type { OpContext } from './context.js';

/** The class and, deep, all its subclasses that have a provider, in hierarchy order. */
export function servedClasses(ctx: OpContext, className: string): string[] {
  const all = [ctx.requireClass(className).name, ...ctx.repository.subclassNames(ctx.namespace, className, true)];
  return all.filter((c) => ctx.provider(c) !== undefined);
}

/** Instances of exactly `className` (empty when no provider serves it). */
export async function enumerateExact(ctx: OpContext, className: string, propertyList: NameSet | null): Promise<CimInstance[]> {
  const provider = ctx.provider(className);
  if (!provider) return [];
  const list = await ctx.call(`enumerating ${className}`, () => provider.enumerateInstances(ctx.providerCtx, className, { propertyList }));
  for (const inst of list) if (!inst.path) inst.path = instanceNameOf(ctx.requireClass(inst.className), inst);
  return list;
}

/** Instances of `className` and its subclasses. */
export async function enumerateDeep(ctx: OpContext, className: string, propertyList: NameSet | null): Promise<CimInstance[]> {
  const classes = servedClasses(ctx, className);
  const parts = await Promise.all(classes.map((c) => enumerateExact(ctx, c, propertyList)));
  return parts.length === 1 ? parts[0]! : parts.flat();
}

export async function enumerateNamesExact(ctx: OpContext, className: string): Promise<CimInstanceName[]> {
  const provider = ctx.provider(className);
  if (!provider) return [];
  if (provider.enumerateInstanceNames) {
    const names = provider.enumerateInstanceNames.bind(provider);
    return ctx.call(`enumerating names of ${className}`, () => names(ctx.providerCtx, className));
  }
  const insts = await enumerateExact(ctx, className, null);
  return insts.map((i) => i.path!);
}

export async function enumerateNamesDeep(ctx: OpContext, className: string): Promise<CimInstanceName[]> {
  const parts = await Promise.all(servedClasses(ctx, className).map((c) => enumerateNamesExact(ctx, c)));
  return parts.length === 1 ? parts[0]! : parts.flat();
}

/**
 * Checks a client-given instance name: its class must exist (CIM_ERR_INVALID_CLASS, or
 * `missingClass` where DSP0200 lists another code) and its keys must match the class
 * (CIM_ERR_INVALID_PARAMETER). Returns the class and the typed, local name.
 */
export function checkInstanceName(
  ctx: OpContext,
  name: CimInstanceName,
  missingClass: 'INVALID_CLASS' | 'INVALID_PARAMETER' | 'NOT_FOUND' = 'INVALID_CLASS',
): { cls: CimClass; name: CimInstanceName } {
  const cls = ctx.repository.getClass(ctx.namespace, name.className);
  if (!cls) throw cimError(missingClass, `class ${name.className} does not exist in namespace ${ctx.namespace}`);
  return { cls, name: normalizeInstanceName(cls, name).local() };
}

/**
 * One instance by its (checked, local) name: through the provider's getInstance, else by
 * enumeration. CIM_ERR_NOT_FOUND when no provider serves the class or the instance is absent.
 */
export async function fetchInstance(ctx: OpContext, name: CimInstanceName, propertyList: NameSet | null): Promise<CimInstance> {
  const provider = ctx.provider(name.className);
  const notFound = () => cimError('NOT_FOUND', `no instance ${name.withNamespace(ctx.namespace).toString()}`);
  if (!provider) throw notFound();
  if (provider.getInstance) {
    const get = provider.getInstance.bind(provider);
    const inst = await ctx.call(`getting ${name.toString()}`, () => get(ctx.providerCtx, name, { propertyList }));
    if (!(inst instanceof CimInstance)) throw notFound();
    if (!inst.path) inst.path = name;
    return inst;
  }
  const id = name.identity();
  const all = await enumerateExact(ctx, name.className, propertyList);
  const found = all.find((i) => i.path!.identity() === id);
  if (!found) throw notFound();
  return found;
}

/** A view of `inst` with another path: shares the property map, copies nothing per property. */
export function withPath(inst: CimInstance, path: CimInstanceName): CimInstance {
  const view = new CimInstance(inst.className);
  view.properties = inst.properties;
  view.path = path;
  if (inst.qualifiers) view.qualifiers = inst.qualifiers;
  return view;
}

/** The full path (namespace and host) of a result object, as DSP0200 VALUE.OBJECTWITHPATH needs. */
export function fullPath(ctx: OpContext, name: CimInstanceName, namespace?: string): CimInstanceName {
  return name.withNamespace(namespace ?? name.namespace ?? ctx.namespace, ctx.env.hostName);
}
