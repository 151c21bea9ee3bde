/** operations/: CIM operation semantics (DSP0200) over the providers. */
export { Operations } from './operations.js';
export { type ClassProviders, ProviderRegistry } from './registry.js';
export type { OperationsOptions, AuditEntry, PullLimits } from './options.js';
export type {
  CimomHandle, InstanceProvider, ProviderContext, Principal, Role, MethodResult, InstanceRequestOptions,
} from './provider.js';
export { ROLE_RANK } from './provider.js';
