/** operations/: CIM operation semantics over the providers (DESIGN §1-3). */
export { Operations } from './operations.js';
export { ProviderRegistry } from './registry.js';
export type { OperationsOptions, AuditEntry, PullLimits } from './options.js';
export type {
  InstanceProvider, ProviderContext, Principal, Role, MethodResult, InstanceRequestOptions,
} from './provider.js';
export { ROLE_RANK } from './provider.js';
