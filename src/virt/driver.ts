/**
 * The contract every hypervisor driver fulfils: exactly what VirtManager calls, nothing more.
 * All methods throw VirtError.
 *
 * Locking (lock.ts): a driver takes no lock. Every mutating method is called by VirtManager while
 * it holds the lock of the system(s) concerned; the driver assumes it. A driver must refuse
 * (busy) a change of a system it is already changing — that only happens to a caller that
 * bypassed virt — and must never wait for one. Under that lock a mutating method still checks
 * the transition table (states.ts) against its own view: the safety net for changes made behind
 * our back (a guest that powered itself off), not the planning, which virt did once.
 *
 * Every change, once it returns (or fails), is reflected by the next read: the driver drops its
 * cached view or updates it with the outcome the hypervisor confirmed.
 */
import type { TargetState } from './states.js';
import type { SnapshotDriver } from './snapshots/snapshot-driver.js';
import type {
  DiskSpec, HostFacts, VirtualSwitch, NicSpec, ObservedStateChange, Rate, SystemPatch, VirtualSystem, VirtualSystemConfig, VirtualSystemSpec,
} from './types.js';

export interface OperationOptions {
  /** Aborting it stops the operation: the hypervisor tool is killed, the call fails. */
  signal?: AbortSignal;
}

export interface StartOptions extends OperationOptions {
  paused?: boolean;
}

/** What a driver needs to move a system to another host (migration.ts). */
export interface MigrateOptions extends OperationOptions {
  /** The destination host as its hypervisor tools reach it (a host name or address). */
  destination: string;
  /** Live (the system runs during the copy) or suspended at the source for the whole copy. */
  live: boolean;
  /** Progress of the transfer, 0-100. */
  onProgress?: (percent: number) => void;
}

/** A definition handed over by the source host before a system arrives (migration.ts). */
export interface IncomingDefinition {
  config: VirtualSystemConfig;
  requested?: TargetState;
  /** Forgotten after this time (ms since the epoch) if the system has not arrived. */
  expiresAt: number;
}

export interface DriverMetrics {
  /** Hypervisor tool invocations since the driver was created. */
  toolCalls: number;
  /** Snapshot refreshes (each costs a constant number of tool calls). */
  snapshotRefreshes: number;
  /** Refreshes that also read every domain's configuration (start-up, adoption of a new domain). */
  configLoads?: number;
}

/** How current a driver's picture of the hypervisor is (reads are served from it). */
export interface DriverFreshness {
  /** Age of the picture in ms (-1 before the first one). */
  ageMs: number;
  /** Older than the driver's refresh allows, or its last refresh failed: reads show the last good picture. */
  stale: boolean;
  lastError?: string;
}

/**
 * Cumulative I/O counters of one active system, as the guest sees them (sent = transmitted by the
 * guest), from one batch sample of every system (docs/metrics.md).
 */
export interface SystemCounters {
  name: string;
  netTxBytes: number;
  netRxBytes: number;
  netTxPackets?: number;
  netRxPackets?: number;
  diskReadRequests: number;
  diskWriteRequests: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  /** Seconds since the hypervisor started the domain, when it tells. */
  uptimeSec?: number;
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
  /** Systems a migration of ours moved away while the server was down: `name -> destination`. */
  moved?: string[];
  /** Saved systems whose image was restored while the server was down: they run, the stale image is removed. */
  restored?: string[];
  /** Running systems whose save went on to the end while the server was down: suspended with that image. */
  saved?: string[];
  /** Virtual networks loaded by the model (filled in by VirtManager.init, not by drivers). */
  networks?: { loaded: number; cleanedTempFiles: number; quarantined: string[]; recreatedSwitches?: string[] };
}

export interface HypervisorDriver {
  readonly kind: string;
  /**
   * True when the systems list() and get() return are never changed once returned (a change gives
   * new objects): the model then keeps them as they are where it would otherwise keep copies (the
   * last picture events.ts compares with: some 11 MiB at 10,000 systems).
   */
  readonly immutableSystems?: boolean;

  /** Adopt running systems we did not define, mark vanished ones, clean the store. */
  init(): Promise<ReconcileReport>;

  /** Every virtual system (never the host's control domain), from one cached snapshot. */
  list(): Promise<VirtualSystem[]>;
  get(name: string): Promise<VirtualSystem>;
  /** The cached picture no longer reflects a change: the next read waits (briefly) for a new one. */
  invalidate(): void;
  /**
   * Every system as listed from now on, for a reader that needs the time it was read at (metrics
   * samples), without making other reads wait for that listing as invalidate() does (drivers that
   * keep a picture; others are read with list()).
   */
  listFresh?(): Promise<VirtualSystem[]>;
  /** How current the picture reads are served from is (drivers that keep one). */
  freshness?(): DriverFreshness;
  /**
   * Whether someone waits to hear of changes made behind our back (indication subscribers):
   * true, they are noticed promptly; false, at a relaxed pace that costs the host less. Drivers
   * that learn of every change from the hypervisor's own events may ignore it.
   */
  watchChanges?(prompt: boolean): void;
  /** Host facts consistent with the current snapshot (never older than the domain list they go with). */
  hostFacts(): Promise<HostFacts>;
  /** The host's virtual switches, from the driver's cached picture (drop it with invalidate()). */
  switches(): Promise<VirtualSwitch[]>;
  /** Create a virtual switch (up, no ports). Refuses an existing name (conflict) and an invalid one. */
  createSwitch(name: string): Promise<VirtualSwitch>;
  /** Remove a virtual switch; the caller has checked that no interface is defined on it. */
  deleteSwitch(name: string): Promise<void>;
  /** Called for every state change the driver notices that it did not make (crash, vanished domain...). */
  onObserved(listener: (change: ObservedStateChange) => void): () => void;

  define(spec: VirtualSystemSpec): Promise<VirtualSystem>;
  /** Only for systems that hold no host resources (defined or suspended: the image is removed). */
  undefine(name: string): Promise<void>;
  /**
   * Rename a system: the running domain (when there is one) and its stored definition. Refuses an
   * existing new name (conflict), an unknown system (not_found), an invalid name
   * (invalid_argument) and a system in transition (busy); a refusal changes nothing.
   */
  rename(name: string, newName: string): Promise<VirtualSystem>;
  /** Persistent (and, when active, live where possible) change of resources and policies. */
  modify(name: string, patch: SystemPatch, opts?: OperationOptions): Promise<VirtualSystem>;
  /** Record the last requested target with the definition (persistent); undefined: none (a failed request taken back). */
  setRequestedState(name: string, target: TargetState | undefined): Promise<void>;

  start(name: string, opts?: StartOptions): Promise<void>;
  /** Ask the guest to power off; returns once it acknowledged (the caller waits for the end). */
  shutdown(name: string, opts?: OperationOptions): Promise<void>;
  destroy(name: string, opts?: OperationOptions): Promise<void>;
  reboot(name: string, opts?: OperationOptions): Promise<void>;
  reset(name: string, opts?: OperationOptions): Promise<void>;
  pause(name: string, opts?: OperationOptions): Promise<void>;
  unpause(name: string, opts?: OperationOptions): Promise<void>;
  /** `progress`: the fraction of the memory image written so far, 0..1. */
  save(name: string, opts?: OperationOptions & { progress?: (fraction: number) => void }): Promise<void>;
  /** `progress`: the fraction of the memory image read back so far, 0..1. */
  restore(name: string, opts?: OperationOptions & { paused?: boolean; progress?: (fraction: number) => void }): Promise<void>;

  attachDisk(name: string, disk: DiskSpec, opts?: OperationOptions): Promise<DiskSpec>;
  detachDisk(name: string, vdev: string, opts?: OperationOptions): Promise<void>;
  /** Returns the interface as attached (with its MAC). */
  attachInterface(name: string, nic: NicSpec, opts?: OperationOptions): Promise<NicSpec & { mac: string }>;
  detachInterface(name: string, mac: string, opts?: OperationOptions): Promise<void>;
  /**
   * Replace a disk (same vdev) or an interface (same MAC) as one change: a crash midway never
   * leaves the definition without the device. Without them the model unplugs, then plugs.
   */
  replaceDisk?(name: string, vdev: string, disk: DiskSpec, opts?: OperationOptions): Promise<DiskSpec>;
  replaceInterface?(name: string, mac: string, nic: NicSpec, opts?: OperationOptions): Promise<NicSpec & { mac: string }>;
  /** null removes the limit. */
  setInterfaceRate(name: string, mac: string, rate: Rate | null): Promise<void>;

  /** The file-level work of snapshots (virt/snapshots); absent: the driver cannot take snapshots. */
  readonly snapshots?: SnapshotDriver;
  /**
   * Move an active system to another host (optional: drivers that can). On success the system and
   * its stored definition have left this host; on failure it still runs here with its definition.
   * A server killed half-way finds out at start-up which host has it and keeps or drops its
   * definition accordingly.
   */
  migrate?(name: string, opts: MigrateOptions): Promise<void>;
  /**
   * A migration that failed undecided (migration-undecided.ts) has been found running at the
   * destination: the copy the hypervisor left here is destroyed and the definition leaves this host.
   */
  migrationMoved?(name: string): Promise<void>;
  /** Why the system of this UUID cannot be migrated now though it looks movable (a move of an earlier run may still go on), if so. */
  migrationPending?(uuid: string): string | undefined;
  /** Destination side: adopt the system arriving with this UUID with this definition. */
  expectIncoming?(def: IncomingDefinition): Promise<void>;
  /** Destination side: the source gave up; forget the definition handed over. */
  forgetIncoming?(uuid: string): Promise<void>;

  metrics(): DriverMetrics;
  /** I/O counters of every active system from ONE hypervisor call (never one per system). Optional. */
  statistics?(): Promise<SystemCounters[]>;
  close(): Promise<void>;
}
