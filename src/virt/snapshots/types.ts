/**
 * Snapshots of virtual systems, hypervisor-neutral: what a snapshot is, what is stored of it, and
 * what a driver must do for the model (snapshot-driver.ts). The tree, its persistence, its limits
 * and crash recovery are the model's (store.ts, service.ts, recover.ts).
 */
import type { Job } from '../jobs.js';
import type { SystemState } from '../states.js';
import type { DiskFormat, VirtualSystemConfig } from '../types.js';

/** 'full': memory state, definition and disks; 'disk': definition and disks only. */
export type SnapshotKind = 'full' | 'disk';
export const SNAPSHOT_KINDS: readonly SnapshotKind[] = ['full', 'disk'];

/** The state a system was in when a snapshot was taken, which applying it brings back. */
export type SnapshotState = 'running' | 'paused' | 'stopped';

/** How one disk was kept: a point inside the image itself (tag) or a whole copy in the snapshot's directory. */
export interface DiskCapture {
  vdev: string;
  target: string;
  format: DiskFormat;
  method: 'internal' | 'copy';
  /** The name of the image's own snapshot ('internal'). */
  tag?: string;
  /** File name of the copy inside the snapshot's directory ('copy'). */
  copy?: string;
  /** Bytes this capture holds in the snapshot's directory (0 for 'internal'). */
  bytes: number;
}

/** One snapshot of one system, as stored (never changed after it is made, except its parent). */
export interface Snapshot {
  id: string;
  /** The system's UUID: snapshots follow the system across renames. */
  systemUuid: string;
  /** The system's name when the snapshot was taken. */
  systemName: string;
  /** A name given by the client, or made up from the time. */
  label: string;
  parent?: string;
  /** ISO time. */
  createdAt: string;
  kind: SnapshotKind;
  state: SnapshotState;
  /** The stored definition at that moment: applying the snapshot puts it back. */
  config: VirtualSystemConfig;
  /** File name of the memory image inside the snapshot's directory (full snapshots of an active system). */
  stateFile?: string;
  disks: DiskCapture[];
  /** Bytes the snapshot's directory holds. */
  bytes: number;
  /**
   * A destroy of it failed after some of its disks' own snapshots were gone: it can no longer be
   * applied, only destroyed again.
   */
  broken?: boolean;
}

/** An operation under way, written before its first change: start-up finishes it or undoes it. */
export type SnapshotIntent =
  | {
    op: 'create'; id: string; disks: { target: string; format: DiskFormat; tag: string }[];
    /** The system was running: the driver may pause it while it captures (start-up unpauses it). */
    running?: boolean;
  }
  | { op: 'apply'; id: string }
  | { op: 'destroy'; id: string };

/** Everything stored of one system's snapshots (one file, replaced atomically). */
export interface SnapshotTree {
  version: 1;
  systemUuid: string;
  snapshots: Snapshot[];
  /** The most current snapshot: the last one taken or applied; the parent of the next one. */
  current?: string;
  pending?: SnapshotIntent;
}

/** Limits per system. */
export interface SnapshotLimits {
  /** Snapshots a system may have (default 32). */
  maxPerSystem: number;
  /** Bytes a system's snapshots may hold in the snapshot directory (default 16 GiB). */
  maxBytesPerSystem: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxPerSystem: 32, maxBytesPerSystem: 16 * 1024 ** 3 };

/** What the snapshot service can do on this host (the capabilities a client reads). */
export interface SnapshotCapabilities {
  kinds: SnapshotKind[];
  /** Disk formats a snapshot can keep (others are refused). */
  diskFormats: DiskFormat[];
  /** States a system may be in for each kind. */
  statesFor: Record<SnapshotKind, SnapshotState[]>;
  limits: SnapshotLimits;
}

export type { SystemState };

// ---- the operations' own types (service.ts)

/** A named point of an operation where a test may stop the process as kill -9 would. */
export type CrashPoint =
  | 'create:intent' | 'create:captured' | 'create:committed-folder'
  | 'apply:intent' | 'apply:stopped' | 'apply:disks' | 'apply:definition' | 'apply:resumed'
  | 'destroy:intent' | 'destroy:disks' | 'destroy:recorded';

export interface SnapshotServiceOptions {
  limits?: Partial<SnapshotLimits>;
  /** Tests only: awaited at each crash point (a promise that never settles stands for kill -9). */
  at?: (point: CrashPoint) => Promise<void>;
  /** Called after every change (the model's events compare the systems). */
  changed?: () => void;
}

/** A snapshot with the system's current name. */
export interface SnapshotView extends Snapshot {
  /** The system's name now (it may have been renamed since). */
  system: string;
  /** The system's most current snapshot. */
  current: boolean;
}

export interface SnapshotJob {
  job: Job<unknown>;
  snapshot: SnapshotView;
}
