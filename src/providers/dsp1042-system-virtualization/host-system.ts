/**
 * DSP1042 System Virtualization, the host: Xen_HostSystem, the profile's central and scoping
 * instance. It shows no physical identifier (no serial number, CPU model, MAC or memory figure):
 * its name is the configured host name.
 */
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { HOST_CLASS } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';

export function hostSystemSource(deps: ProviderDeps): ClassSource {
  return {
    list: async (ctx) => [build(ctx, HOST_CLASS, {
      CreationClassName: HOST_CLASS,
      Name: deps.hostName,
      ElementName: deps.hostName,
      Caption: 'Virtualization host',
      Description: 'Xen host running the virtual systems',
      EnabledState: 2,
      OperationalStatus: [2],
      HealthState: 5,
      // Not dedicated to one function (CIM_ComputerSystem.Dedicated 0); nothing physical is named.
      Dedicated: [0],
    })],
  };
}
