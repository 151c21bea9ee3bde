/** The virtualization model: everything public. Hypervisor-neutral and protocol-neutral (no tool or schema names). */
export { VirtError, VIRT_ERROR_KINDS, toVirtError, type VirtErrorKind } from './errors.js';
export * from './types.js';
export type { ElementEvent } from './events.js';
export {
  TRANSITIONS, STEADY_STATES, TRANSITIONAL_STATES, TARGET_STATES, ADMITTED_OPERATIONS,
  isAllowed, checkTransition, allowedOperations, isActive, planTransition, availableTargets, alreadyIn, operationFor,
  type SystemState, type Operation, type TargetState,
} from './states.js';
export { normalizeSpec, normalizeNic, normalizeDisk, applyPatch, checkSystemName, LIMITS } from './spec.js';
export {
  needMemoryKiB, overheadMiB, computeCapacity, admissionRequest, admissionShortfall, advertisedShortfall, reservationMiB,
  DEFAULT_CAPACITY_POLICY,
  type MemoryDemand, type CapacityPolicy, type ActiveGuest, type Capacity, type MemoryCapacity,
  type ProcessorCapacity, type AdmissionRequest,
} from './capacity.js';
export {
  RESOURCE_FIELDS, SETTINGS_FIELDS,
  type ResourcePatch, type ResourceChange, type Effect, type ResourceChangeOutcome, type ResourceChangeResult,
  type SettingsPatch, type SettingsChange, type StateChangeOptions, type StateChange,
} from './changes.js';
export type {
  HypervisorDriver, StartOptions, OperationOptions, DriverFreshness, DriverMetrics, ReconcileReport, SystemCounters,
} from './driver.js';
export { Job, JobManager, type JobKind, type JobState, type JobContext, type JobListener } from './jobs.js';
export { KeyedLock, type LockMode, type LockOptions } from './lock.js';
export type { Pool, PoolKind, PoolAllocation } from './pools.js';
export {
  VirtManager,
  type VirtManagerOptions, type RequestStateOptions, type HostSummary,
} from './manager.js';
export {
  MetricsSampler, DEFAULT_METRICS_INTERVAL_MS,
  type MetricsSample, type SystemSample, type HostSample, type MetricsOptions, type MetricsSource,
} from './metrics.js';
export { ModelEvents, type ModelEvent, type ModelEventListener, type SystemEvent, type LostEvent, type JobEvent } from './events.js';
export {
  SnapshotService, SNAPSHOT_KINDS, DEFAULT_SNAPSHOT_LIMITS,
  type Snapshot, type SnapshotKind, type SnapshotState, type SnapshotView, type SnapshotJob, type SnapshotLimits,
  type SnapshotCapabilities, type SnapshotDriver, type DiskCapture, type CrashPoint, type SnapshotRecovery,
} from './snapshots/index.js';
export {
  INCOMING_TTL_MS, incomingReasons, outgoingReasons,
  type MigrationPeer, type MigrationOptions, type PortableDefinition,
} from './migration.js';
export type { MigrateOptions, IncomingDefinition } from './driver.js';
export * from './networks/index.js';
