/**
 * Which providers serve which class, per namespace. Several providers may contribute instances
 * to one class (each DMTF profile serves its own association instances, so one association
 * class can have a provider per profile); operations/ asks all of them and does the subclass
 * fan-out. A class's extrinsic methods and instance writes (create, modify, delete) belong to
 * one provider, its owner. Lookups ignore case.
 */
import { nameKey, normalizeNamespace } from '../cim/index.js';
import type { InstanceProvider } from './provider.js';

/** The providers of one class in one namespace. */
export interface ClassProviders {
  /** Every provider contributing instances, in registration order (never empty). */
  readonly all: readonly InstanceProvider[];
  /** The provider of the class's methods and instance writes, if any. */
  readonly owner: InstanceProvider | undefined;
}

interface Entry {
  all: InstanceProvider[];
  owner: InstanceProvider | undefined;
}

/** Whether `provider` owns `className`: listed in ownedClasses, or by default every class when it has a method or a write. */
function owns(provider: InstanceProvider, className: string): boolean {
  if (provider.ownedClasses) return provider.ownedClasses.some((c) => nameKey(c) === nameKey(className));
  return !!(provider.invokeMethod || provider.createInstance || provider.modifyInstance || provider.deleteInstance);
}

export class ProviderRegistry {
  private readonly byClass = new Map<string, Entry>();

  /**
   * Registers `provider` for each of its classes in `namespace`. A second owner of a class (its
   * methods or writes) is a wiring bug and throws; registering the same provider twice is harmless.
   */
  register(namespace: string, provider: InstanceProvider): void {
    for (const c of provider.ownedClasses ?? []) {
      if (!provider.classNames.some((n) => nameKey(n) === nameKey(c))) {
        throw new Error(`a provider owns class ${c} in namespace ${namespace} but does not serve it`);
      }
    }
    for (const cls of provider.classNames) {
      const key = ProviderRegistry.key(namespace, cls);
      let entry = this.byClass.get(key);
      if (!entry) this.byClass.set(key, (entry = { all: [], owner: undefined }));
      if (entry.all.includes(provider)) continue;
      if (owns(provider, cls)) {
        if (entry.owner) throw new Error(`class ${cls} in namespace ${namespace} already has an owner (the provider of its methods and writes)`);
        entry.owner = provider;
      }
      entry.all.push(provider);
    }
  }

  /** The providers of exactly `className` in `namespace`, or undefined when none serves it. */
  providersOf(namespace: string, className: string): ClassProviders | undefined {
    return this.byClass.get(ProviderRegistry.key(namespace, className));
  }

  private static key(namespace: string, className: string): string {
    return `${nameKey(normalizeNamespace(namespace))}:${nameKey(className)}`;
  }
}
