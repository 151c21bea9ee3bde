/**
 * What a compound change asks for and what it answers (VirtManager.changeResources,
 * modifySystemSettings, requestStateChange). Hypervisor-neutral and protocol-neutral: devices are
 * named by their identity within their system (disk: guest device name, interface: MAC).
 */
import type { Job } from './jobs.js';
import type { Operation } from './states.js';
import type { DiskSpec, LifecycleAction, NicSpec, Rate, VirtualSystem } from './types.js';

/** The resource part of a system's settings: memory, vCPUs, CPU share and reservations. */
export interface ResourcePatch {
  memoryMiB?: number;
  maxMemoryMiB?: number;
  vcpus?: number;
  cpuWeight?: number;
  cpuCap?: number;
  memoryReservationMiB?: number;
  cpuReservationPercent?: number;
}

export const RESOURCE_FIELDS: readonly (keyof ResourcePatch)[] = [
  'memoryMiB', 'maxMemoryMiB', 'vcpus', 'cpuWeight', 'cpuCap', 'memoryReservationMiB', 'cpuReservationPercent',
];

/** One change of one system's resources. */
export type ResourceChange =
  | { system: string; action: 'add_disk'; disk: DiskSpec }
  | { system: string; action: 'remove_disk'; vdev: string }
  /**
   * The disk keeps its guest device name; anything else may change (unplugged, then plugged again).
   * `base`: the disk as the caller read it, when `disk` is that read with some fields changed:
   * only those changes apply, onto the disk as it is when the change runs (resources.ts).
   */
  | { system: string; action: 'replace_disk'; vdev: string; disk: Omit<DiskSpec, 'vdev'>; base?: Omit<DiskSpec, 'vdev'> }
  /** The MAC is generated when absent. */
  | { system: string; action: 'add_nic'; nic: NicSpec }
  | { system: string; action: 'remove_nic'; mac: string }
  /** The interface keeps its MAC; switch, model, addresses, rate may change (unplugged, then plugged again). `base` as for a disk. */
  | { system: string; action: 'replace_nic'; mac: string; nic: Omit<NicSpec, 'mac'>; base?: Omit<NicSpec, 'mac'> }
  /** null removes the limit. */
  | { system: string; action: 'set_nic_rate'; mac: string; rate: Rate | null }
  /**
   * Several patches of one system are merged in order and applied as one change. `base`: the
   * values the caller read; a field of `patch` equal to its `base` was sent back as read, not
   * changed: it is not applied (the value the system has when the change runs stands).
   */
  | { system: string; action: 'patch'; patch: ResourcePatch; base?: ResourcePatch };

/**
 * 'live': the running system has it now (and its definition too). 'next_start': only the
 * definition has it (the system is not running, or the hypervisor cannot change it live, e.g.
 * memory beyond the maximum it booted with).
 */
export type Effect = 'live' | 'next_start';

export interface ResourceChangeOutcome {
  /** The change as given (same order as the input). */
  change: ResourceChange;
  /** The device it concerns (vdev or MAC); for add_nic, the MAC it got. Absent for a patch. */
  device?: string;
  /** For a patch: all fields 'live' → 'live'. */
  effect: Effect;
  /** For a patch: the effect of each field it gave (a field equal to the current value changes nothing but is reported). */
  fields?: Partial<Record<keyof ResourcePatch, Effect>>;
}

export interface ResourceChangeResult {
  outcomes: ResourceChangeOutcome[];
  /** Every system touched, as it is after the change. */
  systems: Map<string, VirtualSystem>;
}

/** The policy part of a system's settings. */
export interface SettingsPatch {
  onPoweroff?: LifecycleAction;
  onReboot?: LifecycleAction;
  onCrash?: LifecycleAction;
  priority?: number;
  autostart?: boolean;
}

export const SETTINGS_FIELDS: readonly (keyof SettingsPatch)[] = ['onPoweroff', 'onReboot', 'onCrash', 'priority', 'autostart'];

export interface SettingsChange {
  /** A new name (the running system too); the same name is no rename. */
  name?: string;
  patch?: SettingsPatch;
}

export interface StateChangeOptions {
  /** After a clean shutdown was accepted, wait at most this long for the system to be off (0: do not wait). */
  timeoutMs?: number;
  /**
   * The operations the caller accepts for this target: another plan is refused as invalid_state
   * before anything starts (e.g. a protocol whose "paused" means "from running" only).
   */
  operations?: readonly Operation[];
}

/** What requestStateChange answers. */
export type StateChange =
  /** The system already was in the target state: nothing was done (the request is recorded). */
  | { kind: 'already'; system: VirtualSystem }
  /** The planned operation runs as `job`; `system` is the system as it was when planned. */
  | { kind: 'job'; operation: Operation; job: Job<VirtualSystem>; system: VirtualSystem };
