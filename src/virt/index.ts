/** The virtualization model: everything public. Hypervisor-neutral and protocol-neutral (no tool or schema names). */
export { VirtError, VIRT_ERROR_KINDS, toVirtError, type VirtErrorKind } from './errors.js';
export * from './types.js';
export {
  TRANSITIONS, STEADY_STATES, TRANSITIONAL_STATES, TARGET_STATES,
  isAllowed, checkTransition, allowedOperations, isActive, planTransition, availableTargets,
  type SystemState, type Operation, type TargetState,
} from './states.js';
export { normalizeSpec, normalizeNic, applyPatch, checkSystemName, LIMITS } from './spec.js';
export {
  needMemoryKiB, overheadMiB, computeCapacity, admissionRequest, admissionShortfall, reservationMiB,
  DEFAULT_CAPACITY_POLICY,
  type MemoryDemand, type CapacityPolicy, type ActiveGuest, type Capacity, type MemoryCapacity,
  type ProcessorCapacity, type AdmissionRequest,
} from './capacity.js';
export type {
  HypervisorDriver, StartOptions, MigrateOptions, LongOperationOptions, DriverMetrics, ReconcileReport,
} from './driver.js';
export { Job, JobManager, type JobState, type JobContext, type JobListener } from './jobs.js';
export { KeyedLock } from './lock.js';
export {
  VirtManager,
  type VirtManagerOptions, type RequestStateOptions, type HostSummary, type Pool, type PoolKind,
  type PoolAllocation, type SystemStats,
} from './manager.js';
