/**
 * Which provider serves which class, per namespace (DESIGN §3.2: a provider owns exactly the
 * classes it lists; operations/ does the subclass fan-out). Lookups ignore case.
 */
import { nameKey, normalizeNamespace } from '../cim/index.js';
import type { InstanceProvider } from './provider.js';

export class ProviderRegistry {
  private readonly byClass = new Map<string, InstanceProvider>();

  /** Registers `provider` for each of its classes in `namespace`; a class served twice is a wiring bug. */
  register(namespace: string, provider: InstanceProvider): void {
    for (const cls of provider.classNames) {
      const key = ProviderRegistry.key(namespace, cls);
      const existing = this.byClass.get(key);
      if (existing && existing !== provider) {
        throw new Error(`class ${cls} in namespace ${namespace} already has a provider`);
      }
      this.byClass.set(key, provider);
    }
  }

  providerFor(namespace: string, className: string): InstanceProvider | undefined {
    return this.byClass.get(ProviderRegistry.key(namespace, className));
  }

  private static key(namespace: string, className: string): string {
    return `${nameKey(normalizeNamespace(namespace))}:${nameKey(className)}`;
  }
}
