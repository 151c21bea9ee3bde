/** Every provider we serve, with its namespace (wired by app.ts). */
import type { InstanceProvider } from '../operations/provider.js';
import type { ProviderDeps } from './shared/deps.js';
import { INTEROP_NS, VIRT_NS } from './shared/naming.js';
import { createHostProviders } from './dsp1042-system-virtualization/host-system.js';
import { createInteropProviders, createVirtEctpProvider } from './dsp1033-profile-registration/index.js';
import { createSystemProviders, createVsmsMethods } from './dsp1057-virtual-system/index.js';
import { VIRTUAL_SYSTEM_TYPE } from './dsp1057-virtual-system/vssd-convert.js';

export interface NamespacedProvider {
  namespace: string;
  provider: InstanceProvider;
}

export interface ProviderOptions {
  /** Whether clients authenticate (advertised by the CIM-XML communication mechanism). */
  authentication: 'basic' | 'none';
  /** How long finished jobs are kept (the JobManager's retention): TimeBeforeRemoval. */
  jobRetentionMs: number;
}

export function createProviders(deps: ProviderDeps, opts: ProviderOptions): NamespacedProvider[] {
  const virt = [
    ...createHostProviders(deps, {
      vsmsMethods: createVsmsMethods(deps),
      virtualSystemTypes: Object.values(VIRTUAL_SYSTEM_TYPE),
      jobRetentionMs: opts.jobRetentionMs,
    }),
    ...createSystemProviders(deps),
    createVirtEctpProvider(deps, { authentication: opts.authentication }),
  ];
  const interop = createInteropProviders(deps, { authentication: opts.authentication });
  return [
    ...virt.map((provider) => ({ namespace: VIRT_NS, provider })),
    ...interop.map((provider) => ({ namespace: INTEROP_NS, provider })),
  ];
}
