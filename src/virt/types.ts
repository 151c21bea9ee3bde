/**
 * The hypervisor-neutral description of virtual systems, their devices and the host.
 * Units are explicit in every name (MiB, KiB, percent, bytes per second).
 */
import type { SystemState, TargetState } from './states.js';

/** Paravirtualised, PV-in-HVM-container, fully virtualised. */
export type SystemType = 'pv' | 'pvh' | 'hvm';
export const SYSTEM_TYPES: readonly SystemType[] = ['pv', 'pvh', 'hvm'];

/** What happens when the guest powers off, reboots or crashes. */
export type LifecycleAction =
  | 'destroy'
  | 'restart'
  | 'rename_restart'
  | 'preserve'
  | 'coredump_destroy'
  | 'coredump_restart'
  | 'soft_reset';
export const LIFECYCLE_ACTIONS: readonly LifecycleAction[] = [
  'destroy', 'restart', 'rename_restart', 'preserve', 'coredump_destroy', 'coredump_restart', 'soft_reset',
];

export type DiskFormat = 'raw' | 'qcow' | 'qcow2' | 'vhd' | 'qed';
export const DISK_FORMATS: readonly DiskFormat[] = ['raw', 'qcow', 'qcow2', 'vhd', 'qed'];

export interface DiskSpec {
  /** Host path of the backing file or block device. */
  target: string;
  /** Guest device name (xvda, hda, sda...): the disk's identity within its system. */
  vdev: string;
  format?: DiskFormat;
  readOnly?: boolean;
  cdrom?: boolean;
}

/** A bandwidth limit: bytes per second, replenished every `intervalUs` microseconds. */
export interface Rate {
  bytesPerSecond: number;
  intervalUs?: number;
}

export interface NicSpec {
  /** Guest MAC; generated at definition time when absent, then stable. Identity within its system. */
  mac?: string;
  /** Virtual switch (bridge) the interface is plugged into. */
  bridge: string;
  rate?: Rate;
  /** Emulated NIC model (HVM only), e.g. e1000. */
  model?: string;
  /** Space separated addresses handed to the hotplug script. */
  ip?: string;
}

export interface BootSpec {
  kernel?: string;
  ramdisk?: string;
  cmdline?: string;
  bootloader?: string;
}

/** What a client asks for when defining (or redefining) a virtual system. */
export interface VirtualSystemSpec {
  name: string;
  uuid?: string;
  type: SystemType;
  memoryMiB: number;
  /** Static maximum; defaults to memoryMiB. */
  maxMemoryMiB?: number;
  vcpus: number;
  /** vCPUs that can ever be brought online; defaults to vcpus. */
  maxVcpus?: number;
  /** Relative CPU share, 1..65535 (default 256). */
  cpuWeight?: number;
  /** CPU limit in percent of one physical CPU, 0 = none. */
  cpuCap?: number;
  boot?: BootSpec;
  disks?: DiskSpec[];
  nics?: NicSpec[];
  onPoweroff?: LifecycleAction;
  onReboot?: LifecycleAction;
  onCrash?: LifecycleAction;
  /** Higher starts first and is preferred under contention (0 = default). */
  priority?: number;
  /** Start automatically when the host (or the server) starts. */
  autostart?: boolean;
  /** Guaranteed memory (MiB) checked by admission control; defaults to memoryMiB. */
  memoryReservationMiB?: number;
  /** Guaranteed CPU in percent of one physical CPU checked by admission control (default 0). */
  cpuReservationPercent?: number;
}

/** A spec with every default filled in: what the definition store holds. */
export interface VirtualSystemConfig extends Required<Omit<VirtualSystemSpec, 'boot' | 'disks' | 'nics'>> {
  boot: BootSpec;
  disks: DiskSpec[];
  nics: (NicSpec & { mac: string })[];
}

/** Live figures of an active system, as the hypervisor reports them. */
export interface LiveInfo {
  /** Hypervisor's current handle (changes on every restart: never an identity). */
  domid: number;
  /** Memory the domain holds now. */
  memoryMiB: number;
  /** Balloon target the running domain has (may differ from the definition: a change for the next start). */
  targetMemoryMiB: number;
  /** Maximum the running domain can use (fixed at boot for growth; may differ from the definition). */
  maxMemoryMiB: number;
  onlineVcpus: number;
  /** Scheduler weight and cap the running domain has. */
  cpuWeight: number;
  cpuCap: number;
  cpuTimeSec: number;
}

export type SystemOrigin = 'defined' | 'adopted';

export interface VirtualSystem {
  name: string;
  uuid: string;
  state: SystemState;
  /** Persistent definition, with live changes (memory, vCPUs, devices) already folded in. */
  config: VirtualSystemConfig;
  /** Present while the system occupies host resources. */
  live?: LiveInfo;
  origin: SystemOrigin;
  /**
   * Lost: expected to run (its last requested state was running or paused) but gone from the
   * hypervisor: destroyed behind our back, or crashed and cleaned up. State is 'defined'. A
   * crash the hypervisor still shows is state 'crashed'. Both are errors a client must see.
   */
  vanished?: boolean;
  /** A saved image exists (state Suspended). */
  hasSavedImage?: boolean;
  /** The last target state requested (kept with the definition: survives a restart). */
  requested?: TargetState;
  /**
   * When the state last changed (ms since the epoch), by us or behind our back (a crash, a
   * vanished domain), as far as we have seen; kept with the definition.
   */
  stateChangedAt?: number;
}

/** A state change seen in the hypervisor's picture that nobody asked us for. */
export interface ObservedStateChange {
  name: string;
  from: SystemState;
  to: SystemState;
  /** ms since the epoch: when we noticed it. */
  at: number;
  /** Set when the system was expected to run: 'vanished' (gone) or 'crashed'. */
  lost?: 'vanished' | 'crashed';
}

/** Raw host facts a driver reports. They never leave virt/: the façade abstracts them. */
export interface HostFacts {
  hostname: string;
  hypervisor: string;
  hypervisorVersion: string;
  scheduler: string;
  nrCpus: number;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  dom0MemoryMiB: number;
  dom0Vcpus: number;
  /** True when the control domain has a fixed memory size (no automatic ballooning). */
  dom0MemoryFixed: boolean;
  /** Guest types the hypervisor can run, when the driver can tell. */
  guestTypes?: SystemType[];
  /** Raw bandwidth of the uplink (the physical interface behind the networks), bit/s; absent when unknown. */
  uplinkBitsPerSecond?: number;
}

/**
 * A virtual switch of the host: a layer-2 segment interfaces are plugged into (on Xen a bridge in
 * the control domain). It exists whether or not any interface is plugged into it.
 */
export interface VirtualSwitch {
  name: string;
  /** Forwarding (link up); a switch that is down still accepts interfaces. */
  up: boolean;
}

/** The live-changeable parts of a system. */
export interface SystemPatch {
  memoryMiB?: number;
  maxMemoryMiB?: number;
  vcpus?: number;
  /** Raised with vcpus for a system without a domain (resources.ts); fixed while one exists. */
  maxVcpus?: number;
  cpuWeight?: number;
  cpuCap?: number;
  onPoweroff?: LifecycleAction;
  onReboot?: LifecycleAction;
  onCrash?: LifecycleAction;
  priority?: number;
  autostart?: boolean;
  memoryReservationMiB?: number;
  cpuReservationPercent?: number;
}
