/**
 * Everything of DSP1057 (Virtual System) this server provides, for app wiring: the providers of
 * the virtual systems, their settings, devices and associations. The VSMS methods are exported
 * separately (createVsmsMethods) for the host provider that serves the VSMS instance.
 */
import type { InstanceProvider } from '../operations/provider.js';
import type { ProviderDeps } from './context.js';
import { createDeviceProvider } from './devices.js';
import { createRasdProvider } from './rasd.js';
import { createSystemAssociationProvider } from './system-associations.js';
import { createSystemCapabilitiesProvider } from './system-capabilities.js';
import { createComputerSystemProvider } from './system.js';
import { createVssdProvider } from './vssd.js';

export { createVsmsMethods, VSMS_METHOD_ROLE, type VsmsMethod } from './vsms-methods.js';

/** Providers for root/virt. */
export function createSystemProviders(deps: ProviderDeps): InstanceProvider[] {
  return [
    createComputerSystemProvider(deps),
    createSystemCapabilitiesProvider(deps),
    createVssdProvider(deps),
    createRasdProvider(deps),
    createDeviceProvider(deps),
    createSystemAssociationProvider(deps),
  ];
}
