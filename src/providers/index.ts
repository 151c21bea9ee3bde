/**
 * Every profile we serve (wired by app.ts). A profile is one folder exporting its providers,
 * each with its namespace; registering one is one line here (docs/adding-a-profile.md). Where
 * several profiles serve one class, their instances come in this order.
 */
import type { ProviderDeps } from './shared/deps.js';
import type { NamespacedProvider, ProfileProviders } from './shared/provider.js';
import { profileRegistration } from './dsp1033-profile-registration/index.js';
import { resourceAllocation } from './dsp1041-resource-allocation/index.js';
import { systemVirtualization } from './dsp1042-system-virtualization/index.js';
import { allocationCapabilities } from './dsp1043-allocation-capabilities/index.js';
import { baseMetrics } from './dsp1053-base-metrics/index.js';
import { virtualSystem } from './dsp1057-virtual-system/index.js';
import { jobControl } from './dsp1103-job-control/index.js';
import { indications } from './dsp1054-indications/index.js';
import { virtualSystemSnapshot } from './dsp1042-virtual-system-snapshot/index.js';
import { virtualSystemMigration } from './dsp1081-virtual-system-migration/index.js';
import { virtualEthernetSwitch } from './dsp1097-virtual-ethernet-switch/index.js';
import { ethernetPortAllocation } from './dsp1050-ethernet-port-allocation/index.js';
import { virtualNetwork } from './xen-virtual-network/index.js';

const PROFILES: readonly ProfileProviders[] = [
  systemVirtualization,
  resourceAllocation,
  allocationCapabilities,
  virtualSystem,
  jobControl,
  baseMetrics,
  indications,
  virtualSystemSnapshot,
  virtualSystemMigration,
  virtualEthernetSwitch,
  ethernetPortAllocation,
  virtualNetwork,
  profileRegistration,
];

export function createProviders(deps: ProviderDeps): NamespacedProvider[] {
  return PROFILES.flatMap((profile) => profile(deps));
}

export type { Mandate, ProfileRegistration, ProviderDeps } from './shared/deps.js';
export type { NamespacedProvider } from './shared/provider.js';
export { INTEROP_NS, VIRT_NS } from './shared/naming.js';
