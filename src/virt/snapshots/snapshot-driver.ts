/**
 * What a hypervisor driver does for snapshots: the file-level work (memory image, disks, the
 * stored definition). The model decides what, when and in which order (service.ts), and keeps
 * the tree; a driver keeps no snapshot records. Every method runs under the system's lock.
 */
import type { OperationOptions } from '../driver.js';
import type { DiskFormat, VirtualSystem, VirtualSystemConfig } from '../types.js';
import type { DiskCapture } from './types.js';

export interface CaptureOptions extends OperationOptions {
  /** Also keep the memory state (the system must be active; it keeps running). */
  memory: boolean;
  /** Name of the disks' own snapshots (unique per snapshot). */
  tag: string;
  /** Fraction done, 0..1. */
  progress?: (fraction: number) => void;
}

export interface RestoreOptions extends OperationOptions {
  paused: boolean;
  progress?: (fraction: number) => void;
}

export interface SnapshotDriver {
  /** Directory the model keeps snapshots in (one folder per system inside it). */
  readonly dir: string;
  /** Disk formats the driver can snapshot. */
  readonly diskFormats: readonly DiskFormat[];
  /** Refuses (invalid_argument) a system whose disks cannot be snapshotted, before anything is made. */
  check(system: VirtualSystem): Promise<void>;
  /** Bytes a snapshot of the system would hold in `dir` (copies of raw disks, the memory image). */
  estimate(system: VirtualSystem, memory: boolean): Promise<number>;
  /**
   * Take the memory image (when asked) and the disks into the directory `into` (which exists). A
   * running system may be paused meanwhile (memory and disks of one instant) and runs again after.
   */
  capture(system: VirtualSystem, into: string, opts: CaptureOptions): Promise<{ stateFile?: string; disks: DiskCapture[] }>;
  /** Bytes free to the server in the filesystem of `dir`. */
  freeBytes(): Promise<number>;
  /**
   * Refuses what would fail an apply after the system was stopped (checked before): a disk or
   * boot path of the definition put back, or a disk written back, that this host no longer
   * allows (invalid_argument); a disk that could not be put back for want of room where it is
   * written (invalid_state). Changes nothing.
   */
  checkRevert(disks: readonly DiskCapture[], from: string, config: VirtualSystemConfig): Promise<void>;
  /** Put the disks back as captured (the system is not active). Repeatable. */
  revertDisks(disks: readonly DiskCapture[], from: string, opts?: OperationOptions): Promise<void>;
  /** Forget the disks' own snapshots (the files in the directory are the model's). Missing ones are fine. */
  discardDisks(disks: readonly { target: string; format: DiskFormat; method?: string; tag?: string }[]): Promise<void>;
  /** Replace the stored definition of a system that is not active (same name and UUID). */
  putDefinition(name: string, config: VirtualSystemConfig): Promise<void>;
  /** Bring a stopped system back from a memory image, running or paused; the image is kept. */
  resume(name: string, stateFile: string, opts: RestoreOptions): Promise<void>;
}
