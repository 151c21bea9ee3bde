/**
 * DSP1043 Allocation Capabilities: what a client may allocate from each pool, as
 * AllocationCapabilities and template RASDs (Default, Minimum, Maximum, Increment).
 */
import { VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { capabilityClasses } from './allocation-capabilities.js';
import { templateClasses } from './templates.js';

export const allocationCapabilities: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({ classes: { ...templateClasses(deps), ...capabilityClasses(deps) } }),
}];

// DefineSystem (DSP1042) completes a definition from the Default templates.
export { DEFAULTS, defaultAllocation } from './templates.js';
