/**
 * Xen_VirtualSystemManagementCapabilities (DSP1042 §7.3): what the management service
 * supports, truthfully: both method lists come from the one VSMS method table (asynchronous:
 * those that may answer 4096 Job Started).
 */
import { build } from '../shared/build.js';
import { VSMC_CLASS, VSMC_INSTANCE_ID } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { VIRTUAL_SYSTEM_TYPE } from '../dsp1057-virtual-system/index.js';
import { SWITCH_SYSTEM_TYPE } from '../dsp1097-virtual-ethernet-switch/index.js';
import { VSMS_METHODS } from './management-service.js';

export function managementCapabilitiesSource(): ClassSource {
  return {
    list: async (ctx) => [build(ctx, VSMC_CLASS, {
      InstanceID: VSMC_INSTANCE_ID,
      ElementName: 'Virtual system management capabilities',
      // DSP1042: a method in neither list is unsupported.
      SynchronousMethodsSupported: VSMS_METHODS.filter((m) => !m.mayRunAsJob).map((m) => m.capability).sort((a, b) => a - b),
      AsynchronousMethodsSupported: VSMS_METHODS.filter((m) => m.mayRunAsJob).map((m) => m.capability).sort((a, b) => a - b),
      // The VirtualSystemType values our VSSDs carry (virtual switches too, DSP1097); DefineSystem accepts these and a few more spellings.
      VirtualSystemTypesSupported: [...Object.values(VIRTUAL_SYSTEM_TYPE), SWITCH_SYSTEM_TYPE],
      // Delivered through DSP1054 subscriptions: virtual resource (RASD) changes (2), job changes (3) and virtual system changes (4).
      IndicationsSupported: [2, 3, 4],
      ElementNameEditSupported: false,
      // The service itself cannot be started or stopped through RequestStateChange.
      RequestedStatesSupported: [],
    })],
  };
}
