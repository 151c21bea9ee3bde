/**
 * The contract every hypervisor driver fulfils. The façade (manager.ts) and nothing else calls it.
 * All methods throw VirtError. Mutating methods check the transition table (states.ts) under the
 * driver's per-system lock, so concurrent callers cannot drive a system into an impossible state.
 */
import type {
  DiskSpec, HostFacts, NicSpec, Rate, SystemPatch, SystemStatistics, VirtualSystem, VirtualSystemSpec,
} from './types.js';

export interface StartOptions {
  paused?: boolean;
}

export interface MigrateOptions {
  /** Leave it paused on the destination. */
  paused?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LongOperationOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface DriverMetrics {
  /** Hypervisor tool invocations since the driver was created. */
  toolCalls: number;
  /** Snapshot refreshes (each costs a constant number of tool calls). */
  snapshotRefreshes: number;
  /** Refreshes that also read every domain's configuration (start-up, adoption of a new domain). */
  configLoads?: number;
}

export interface ReconcileReport {
  adopted: string[];
  vanished: string[];
  ignored: string[];
  cleanedTempFiles: number;
  quarantined: string[];
  /** Definitions stored twice under different names with one UUID (a rename cut short): the ones removed, and why. */
  duplicates?: string[];
  /** Stored systems that run under another name (renamed behind our back, or a rename cut short): `old -> new`. */
  renamed?: string[];
}

export interface HypervisorDriver {
  readonly kind: string;

  /** Adopt running systems we did not define, mark vanished ones, clean the store. */
  init(): Promise<ReconcileReport>;

  /** Every virtual system (never the host's control domain), from one cached snapshot. */
  list(): Promise<VirtualSystem[]>;
  get(name: string): Promise<VirtualSystem>;
  /** Drop the cached snapshot so the next read asks the hypervisor. */
  invalidate(): void;
  // Every change below, once it returns (or fails), is reflected by the next read: the driver
  // drops its cached view or updates it with the outcome the hypervisor confirmed.

  define(spec: VirtualSystemSpec): Promise<VirtualSystem>;
  /** Only for systems that hold no host resources (defined or suspended: the image is removed). */
  undefine(name: string): Promise<void>;
  /**
   * Rename a system: the running domain (when there is one) and its stored definition, under the
   * locks of both names. Refuses an existing new name (conflict), an unknown system (not_found),
   * an invalid name (invalid_argument) and a system in transition (busy); a refusal changes nothing.
   */
  rename(name: string, newName: string): Promise<VirtualSystem>;
  /** Persistent (and, when active, live) change of resources and policies. */
  modify(name: string, patch: SystemPatch): Promise<VirtualSystem>;

  start(name: string, opts?: StartOptions): Promise<void>;
  /** Ask the guest to power off; returns once it acknowledged (use the façade to wait). */
  shutdown(name: string): Promise<void>;
  destroy(name: string): Promise<void>;
  reboot(name: string): Promise<void>;
  reset(name: string): Promise<void>;
  pause(name: string): Promise<void>;
  unpause(name: string): Promise<void>;
  save(name: string, opts?: LongOperationOptions): Promise<void>;
  restore(name: string, opts?: LongOperationOptions & { paused?: boolean }): Promise<void>;
  migrate(name: string, destination: string, opts?: MigrateOptions): Promise<void>;

  setMemory(name: string, memoryMiB: number): Promise<void>;
  setMaxMemory(name: string, maxMemoryMiB: number): Promise<void>;
  setVcpus(name: string, vcpus: number): Promise<void>;
  setScheduler(name: string, params: { weight?: number; cap?: number }): Promise<void>;

  attachDisk(name: string, disk: DiskSpec): Promise<DiskSpec>;
  detachDisk(name: string, vdev: string): Promise<void>;
  /** Returns the interface as attached (with its MAC). */
  attachInterface(name: string, nic: NicSpec): Promise<NicSpec & { mac: string }>;
  detachInterface(name: string, mac: string): Promise<void>;
  /** null removes the limit. */
  setInterfaceRate(name: string, mac: string, rate: Rate | null): Promise<void>;

  hostFacts(): Promise<HostFacts>;
  /** Counters of active systems (all of them when name is omitted). */
  statistics(name?: string): Promise<SystemStatistics[]>;

  metrics(): DriverMetrics;
  close(): Promise<void>;
}
