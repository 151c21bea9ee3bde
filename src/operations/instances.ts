/**
 * Instance access through providers, shared by every instance-level operation: exact-class
 * enumeration over every provider of a class, the subclass fan-out (DSP0200 §5.3.2.11:
 * EnumerateInstances includes subclass instances), name-only enumeration, and lookup of one
 * instance. Provider results are passed on as they are, never copied per instance; a class with
 * one provider costs what it did before several were allowed.
 */
import {
  CIM_ERR, type CimClass, type CimError, CimInstance, CimInstanceName, type NameSet, cimError, instanceNameOf, isCimError, normalizeInstanceName,
} from '../cim/index.js';
import { type OpContext, asCimError } from './context.js';
import type { InstanceProvider } from './provider.js';

/** The class and, deep, all its subclasses that have a provider, in hierarchy order. */
export function servedClasses(ctx: OpContext, className: string): string[] {
  const all = [ctx.requireClass(className).name, ...ctx.repository.subclassNames(ctx.namespace, className, true)];
  return all.filter((c) => ctx.providers(c) !== undefined);
}

/** One provider's instances of exactly `className`, each with its path. */
export async function enumerateFrom(ctx: OpContext, provider: InstanceProvider, className: string, propertyList: NameSet | null): Promise<CimInstance[]> {
  const list = await ctx.call(`enumerating ${className}`, () => provider.enumerateInstances(ctx.providerCtx, className, { propertyList }));
  for (const inst of list) if (!inst.path) inst.path = instanceNameOf(ctx.requireClass(inst.className), inst);
  return list;
}

/** Instances of exactly `className` from every provider of it (empty when none serves it). */
export async function enumerateExact(ctx: OpContext, className: string, propertyList: NameSet | null): Promise<CimInstance[]> {
  const served = ctx.providers(className);
  if (!served) return [];
  if (served.all.length === 1) return enumerateFrom(ctx, served.all[0]!, className, propertyList);
  const parts = await Promise.all(served.all.map((p) => enumerateFrom(ctx, p, className, propertyList)));
  return parts.flat();
}

/** Instances of `className` and its subclasses. */
export async function enumerateDeep(ctx: OpContext, className: string, propertyList: NameSet | null): Promise<CimInstance[]> {
  const classes = servedClasses(ctx, className);
  const parts = await Promise.all(classes.map((c) => enumerateExact(ctx, c, propertyList)));
  return parts.length === 1 ? parts[0]! : parts.flat();
}

/**
 * Instances of `className` and its subclasses batch by batch, in the order enumerateDeep gives
 * them: a provider that streams is read batch by batch, another one in one batch.
 */
export async function* streamDeep(ctx: OpContext, className: string, propertyList: NameSet | null): AsyncGenerator<CimInstance[], void, undefined> {
  for (const c of servedClasses(ctx, className)) {
    const cls = ctx.requireClass(c);
    for (const provider of ctx.providers(c)!.all) {
      if (!provider.streamInstances) {
        yield await enumerateFrom(ctx, provider, c, propertyList);
        continue;
      }
      const what = `enumerating ${c}`;
      const it = provider.streamInstances(ctx.providerCtx, c, { propertyList })[Symbol.asyncIterator]();
      for (;;) {
        if (ctx.signal?.aborted) throw cimError('FAILED', `${what}: the request was cancelled`);
        let r: IteratorResult<CimInstance[]>;
        try {
          r = await it.next();
        } catch (e) {
          throw asCimError(e, what, ctx.env.log);
        }
        if (r.done) break;
        for (const inst of r.value) if (!inst.path) inst.path = instanceNameOf(cls, inst);
        yield r.value;
      }
    }
  }
}

async function enumerateNamesOne(ctx: OpContext, provider: InstanceProvider, className: string): Promise<CimInstanceName[]> {
  if (provider.enumerateInstanceNames) {
    const names = provider.enumerateInstanceNames.bind(provider);
    return ctx.call(`enumerating names of ${className}`, () => names(ctx.providerCtx, className));
  }
  const insts = await enumerateFrom(ctx, provider, className, null);
  return insts.map((i) => i.path!);
}

export async function enumerateNamesExact(ctx: OpContext, className: string): Promise<CimInstanceName[]> {
  const served = ctx.providers(className);
  if (!served) return [];
  if (served.all.length === 1) return enumerateNamesOne(ctx, served.all[0]!, className);
  const parts = await Promise.all(served.all.map((p) => enumerateNamesOne(ctx, p, className)));
  return parts.flat();
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

/** One provider's instance named `name`; undefined when it has none (a NOT_FOUND it throws passes through). */
async function fetchFrom(ctx: OpContext, provider: InstanceProvider, name: CimInstanceName, propertyList: NameSet | null): Promise<CimInstance | undefined> {
  if (provider.getInstance) {
    const get = provider.getInstance.bind(provider);
    const inst = await ctx.call(`getting ${name.toString()}`, () => get(ctx.providerCtx, name, { propertyList }));
    if (!(inst instanceof CimInstance)) return undefined;
    if (!inst.path) inst.path = name;
    return inst;
  }
  const id = name.identity();
  return (await enumerateFrom(ctx, provider, name.className, propertyList)).find((i) => i.path!.identity() === id);
}

/**
 * One instance by its (checked, local) name: from the first provider of its class that has it
 * (through getInstance, else by enumeration). CIM_ERR_NOT_FOUND only when none has it, with the
 * first provider's own description when it gave one.
 */
export async function fetchInstance(ctx: OpContext, name: CimInstanceName, propertyList: NameSet | null): Promise<CimInstance> {
  const served = ctx.providers(name.className);
  const notFound = () => cimError('NOT_FOUND', `no instance ${name.withNamespace(ctx.namespace).toString()}`);
  if (!served) throw notFound();
  if (served.all.length === 1) {
    const inst = await fetchFrom(ctx, served.all[0]!, name, propertyList);
    if (!inst) throw notFound();
    return inst;
  }
  let first: CimError | undefined;
  for (const provider of served.all) {
    try {
      const inst = await fetchFrom(ctx, provider, name, propertyList);
      if (inst) return inst;
    } catch (e) {
      // "Not mine" from one provider is not the answer while another may have it.
      if (!isCimError(e) || e.code !== CIM_ERR.NOT_FOUND) throw e;
      first ??= e;
    }
  }
  throw first ?? notFound();
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
