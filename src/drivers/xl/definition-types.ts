/**
 * What the definition store keeps of a virtual system (definition-store.ts): the stored
 * definition and the journal's tombstone.
 */
import type { SystemState, TargetState } from '../../virt/states.js';
import type { DiskSpec, NicSpec, SystemOrigin, VirtualSystemConfig } from '../../virt/types.js';

/**
 * What the running domain has of the settings that can differ from the definition (a change xl
 * cannot make live goes to the definition only, for the next start; memory beyond the maximum the
 * domain booted with is one). Set when the domain is created, updated by live changes.
 */
export interface RunningSettings {
  memoryMiB: number;
  maxMemoryMiB: number;
  cpuWeight: number;
  cpuCap: number;
}

export function runningOf(config: VirtualSystemConfig): RunningSettings {
  return { memoryMiB: config.memoryMiB, maxMemoryMiB: config.maxMemoryMiB, cpuWeight: config.cpuWeight, cpuCap: config.cpuCap };
}

/** What we last asked of the system; reconcile compares it with what xl reports. */
export type ExpectedState = 'stopped' | 'running' | 'paused' | 'suspended';

export interface StoredDefinition {
  version: 1;
  config: VirtualSystemConfig;
  origin: SystemOrigin;
  expected: ExpectedState;
  /** What the domain (while there is one) runs with; absent in definitions written before it existed. */
  running?: RunningSettings;
  /** Path of the saved image while suspended. */
  savedImage?: string;
  /** Expected to run but gone from xl (set when noticed, cleared by the next start). */
  vanished?: boolean;
  /** The last target state a client requested. */
  requested?: TargetState;
  /** The state last recorded (by our change, or noticed in xl's picture) and since when (ISO time). */
  lastState?: SystemState;
  /**
   * A device being replaced on the running domain (devices.ts): the old one, stored before xl
   * unplugs it and cleared with the replacement. Left by a crash in between, start-up keeps it in
   * the definition and plugs it back into a domain that lacks it (settleReplacing).
   */
  replacing?: { disk: DiskSpec } | { nic: NicSpec & { mac: string } };
  stateChangedAt?: string;
  updatedAt: string;
  /** Order of the versions across the files and the journal (absent in files written before the journal). */
  seq?: number;
}

export type DefinitionFields = Omit<StoredDefinition, 'version' | 'updatedAt' | 'seq'>;

/** A removal, in the journal: older versions of `removed` (files or records) no longer count. */
export interface Tombstone {
  version: 1;
  removed: string;
  seq: number;
}
