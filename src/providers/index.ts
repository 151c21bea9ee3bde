/** Every provider we serve, with its namespace (wired by app.ts). */
import type { InstanceProvider } from '../operations/provider.js';
import type { ProviderDeps } from './context.js';

export interface NamespacedProvider {
  namespace: string;
  provider: InstanceProvider;
}

export function createProviders(_deps: ProviderDeps): NamespacedProvider[] {
  return [];
}
