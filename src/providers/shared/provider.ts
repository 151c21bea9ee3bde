/**
 * The one provider idiom: a profile describes how it serves each of its classes (a ClassSource)
 * and the methods of the classes it owns; profileProvider turns that into the provider contract.
 * The same shape fits a class of three instances (list only: GetInstance finds the instance in
 * the list) and a class with an instance per virtual system (get looks the one system up, names
 * lists names without building instances, referencesTo answers an association from one system).
 * operations/ does filtering, subclass fan-out and traversal on top, and merges what several
 * profiles serve of one class.
 */
import {
  type CimInstance, type CimInstanceName, type CimValue, type ClassNameRef, NameMap, type NameSet, cimError,
} from '../../cim/index.js';
import type { InstanceProvider, MethodResult, ProviderContext, Role } from '../../operations/provider.js';
import type { ProviderDeps } from './deps.js';

/** How a profile serves one class. */
export interface ClassSource {
  /** Every instance the profile has of the class, each built with `build`. */
  list(ctx: ProviderContext): Promise<CimInstance[]>;
  /** The same instances as list, in batches built as they are asked for (perSystem gives both). */
  stream?(ctx: ProviderContext): AsyncIterable<CimInstance[]>;
  /** Names only, when cheaper than building the instances. */
  names?(ctx: ProviderContext): Promise<CimInstanceName[]>;
  /** The instance `name` designates, or undefined: a lookup cheaper than the whole list. */
  get?(ctx: ProviderContext, name: CimInstanceName): Promise<CimInstance | undefined>;
  /** An association's instances whose reference `role` (any when null) designates `target`. */
  referencesTo?(ctx: ProviderContext, target: CimInstanceName, role: string | null): Promise<CimInstance[]>;
  /** DeleteInstance; the profile then owns the class (its writes and methods). */
  delete?(ctx: ProviderContext, name: CimInstanceName): Promise<void>;
  /** CreateInstance of an instance typed against the class: its name; the profile then owns the class. */
  create?(ctx: ProviderContext, instance: CimInstance): Promise<CimInstanceName>;
  /** ModifyInstance (`propertyList` null: every property given); the profile then owns the class. */
  modify?(ctx: ProviderContext, instance: CimInstance, propertyList: NameSet | null): Promise<void>;
  /** The role create, modify and delete need (default admin); the source then checks ownership itself. */
  writeRole?: Role;
}

/** An extrinsic method of a class the profile owns. */
export interface Method {
  /** The role a caller needs (DSP0200 leaves authorization to the server). */
  role: Role;
  run(ctx: ProviderContext, target: CimInstanceName | ClassNameRef, params: NameMap<CimValue>): Promise<MethodResult>;
}

export interface ProfileProviderSpec {
  /** Class name → how it is served. */
  classes: Record<string, ClassSource>;
  /** Class name → method name → method: the profile owns these classes. */
  methods?: Record<string, Record<string, Method>>;
}

function notFound(name: CimInstanceName): never {
  throw cimError('NOT_FOUND', `no instance ${name.toString()}`);
}

export function profileProvider(spec: ProfileProviderSpec): InstanceProvider {
  const sources = new NameMap<ClassSource>(Object.entries(spec.classes));
  const methods = new NameMap<NameMap<Method>>(Object.entries(spec.methods ?? {}).map(([c, m]) => [c, new NameMap(Object.entries(m))]));
  const source = (className: string): ClassSource => {
    const s = sources.get(className);
    if (!s) throw cimError('INVALID_CLASS', `class ${className} is not served by this provider`);
    return s;
  };
  const method = (className: string, name: string): Method => {
    const m = methods.get(className)?.get(name);
    if (!m) throw cimError('METHOD_NOT_AVAILABLE', `${className}.${name} is not implemented`);
    return m;
  };
  const owned = [...new Set([...methods.names(), ...sources.names().filter((c) => sources.get(c)!.delete || sources.get(c)!.create || sources.get(c)!.modify)])];
  for (const c of methods.names()) source(c);

  const provider: InstanceProvider = {
    classNames: sources.names(),
    ownedClasses: owned,
    enumerateInstances: async (ctx, className) => source(className).list(ctx),
    async getInstance(ctx, name) {
      const s = source(name.className);
      if (s.get) return (await s.get(ctx, name)) ?? notFound(name);
      const id = name.identity();
      return (await s.list(ctx)).find((i) => i.path?.identity() === id) ?? notFound(name);
    },
  };
  if (sources.names().some((c) => sources.get(c)!.names)) {
    provider.enumerateInstanceNames = async (ctx, className) => {
      const s = source(className);
      return s.names ? s.names(ctx) : (await s.list(ctx)).map((i) => i.path!);
    };
  }
  if (sources.names().some((c) => sources.get(c)!.stream)) {
    provider.streamInstances = (ctx, className) => {
      const s = source(className);
      return s.stream ? s.stream(ctx) : (async function* () { yield await s.list(ctx); })();
    };
  }
  if (sources.names().some((c) => sources.get(c)!.referencesTo)) {
    provider.referencesTo = async (ctx, assocClass, target, role) => {
      const s = source(assocClass);
      if (s.referencesTo) return s.referencesTo(ctx, target, role);
      return s.list(ctx);
    };
  }
  if (owned.some((c) => sources.get(c)!.delete)) {
    provider.deleteInstance = async (ctx, name) => {
      const del = source(name.className).delete;
      if (!del) throw cimError('NOT_SUPPORTED', `instances of ${name.className} cannot be deleted`);
      return del(ctx, name);
    };
  }
  if (owned.some((c) => sources.get(c)!.create)) {
    provider.createInstance = async (ctx, instance) => {
      const create = source(instance.className).create;
      if (!create) throw cimError('NOT_SUPPORTED', `instances of ${instance.className} cannot be created`);
      return create(ctx, instance);
    };
  }
  if (owned.some((c) => sources.get(c)!.modify)) {
    provider.modifyInstance = async (ctx, instance, propertyList) => {
      const modify = source(instance.className).modify;
      if (!modify) throw cimError('NOT_SUPPORTED', `instances of ${instance.className} cannot be modified`);
      return modify(ctx, instance, propertyList);
    };
  }
  if (sources.names().some((c) => sources.get(c)!.writeRole)) {
    provider.writeRole = (className) => sources.get(className)?.writeRole ?? 'admin';
  }
  if (methods.size > 0) {
    provider.invokeMethod = async (ctx, target, name, params) => method(target.className, name).run(ctx, target, params);
    provider.methodRole = (name, className) => methods.get(className)?.get(name)?.role ?? 'admin';
  }
  return provider;
}

/** A provider with the namespace it serves. */
export interface NamespacedProvider {
  namespace: string;
  provider: InstanceProvider;
}

/** What a profile folder exports for src/providers/index.ts: its providers, each with its namespace. */
export type ProfileProviders = (deps: ProviderDeps) => NamespacedProvider[];
