/**
 * A provider assembled from one "list" function per class: the host-side and interop classes
 * have few instances, all cheap to compute from one VirtManager snapshot, so GetInstance is a
 * lookup in the list (DESIGN §3.2: operations/ does filtering and traversal on top).
 */
import {
  type CimInstance, type CimInstanceName, type CimValue, type ClassNameRef, type NameMap,
  buildInstance, cimError, nameKey,
} from '../../cim/index.js';
import type { InstanceProvider, MethodResult, ProviderContext, Role } from '../../operations/provider.js';

export type Lister = (ctx: ProviderContext) => Promise<CimInstance[]>;

export interface ListProviderOptions {
  invokeMethod?: (ctx: ProviderContext, target: CimInstanceName | ClassNameRef, method: string, params: NameMap<CimValue>) => Promise<MethodResult>;
  methodRole?: (method: string) => Role;
  deleteInstance?: (ctx: ProviderContext, name: CimInstanceName) => Promise<void>;
}

export function listProvider(listers: Record<string, Lister>, opts: ListProviderOptions = {}): InstanceProvider {
  const byKey = new Map(Object.entries(listers).map(([cls, fn]) => [nameKey(cls), fn]));
  const lister = (className: string): Lister => {
    const fn = byKey.get(nameKey(className));
    if (!fn) throw cimError('INVALID_CLASS', `class ${className} is not served by this provider`);
    return fn;
  };
  const provider: InstanceProvider = {
    classNames: Object.keys(listers),
    enumerateInstances: (ctx, className) => lister(className)(ctx),
    async getInstance(ctx, name) {
      const id = name.identity();
      const found = (await lister(name.className)(ctx)).find((i) => i.path?.identity() === id);
      if (!found) throw cimError('NOT_FOUND', `no instance ${name.toString()}`);
      return found;
    },
  };
  if (opts.invokeMethod) provider.invokeMethod = opts.invokeMethod;
  if (opts.methodRole) provider.methodRole = opts.methodRole;
  if (opts.deleteInstance) provider.deleteInstance = opts.deleteInstance;
  return provider;
}

/** Builds an instance of `className` of namespace `ns` (exact schema names; unknown ones throw). */
export function build(ctx: { repository: ProviderContext['repository'] }, ns: string, className: string, values: Record<string, CimValue | undefined>): CimInstance {
  return buildInstance(ctx.repository.requireClass(ns, className), values);
}
