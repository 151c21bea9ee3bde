/**
 * Everything of DSP1057 (Virtual System) this server provides, for app wiring: the providers of
 * the virtual systems, their settings, devices and associations. The VSMS methods are exported
 * separately (createVsmsMethods) for the host provider that serves the VSMS instance.
 */
import type { InstanceProvider } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { createDeviceProvider } from './devices.js';
import { createRasdProvider } from '../dsp1041-resource-allocation/rasd.js';
import { createSystemAssociationProvider } from './associations.js';
import { createSystemCapabilitiesProvider } from './capabilities.js';
import { createComputerSystemProvider } from './computer-system.js';
import { createVssdProvider } from './vssd.js';

export { createVsmsMethods, VSMS_METHOD_ROLE, type VsmsMethod } from '../dsp1042-system-virtualization/management-service.js';

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
