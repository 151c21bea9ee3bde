// The simulated host: what the hypervisor, xenstore and the per-domain libxl userdata
// would hold on a real Xen host, kept as one JSON document in the state directory.

export type DomType = 'pv' | 'pvh' | 'hvm';
export type Scheduler = 'credit' | 'credit2';

/** host.json (read once, when the host is first created). All fields optional. */
export interface HostConfig {
  hostname: string;
  total_memory_mib: number;   // `xl info total_memory` (RAM handed to Xen's allocator)
  xen_memory_mib: number;     // Xen's own heap/structures (total - free - Σ domains); 245 reproduces the samples
  nr_cpus: number;
  cores_per_socket: number;
  threads_per_core: number;
  nr_nodes: number;
  cpu_mhz: number;            // printed as %d.%03d
  scheduler: Scheduler;
  dom0_memory_mib: number;    // dom0_mem=XM,max:XM
  dom0_vcpus: number;         // dom0_max_vcpus=
  xen_version: string;        // "4.17.7"
  xen_commandline: string;    // default built from dom0 size
  release: string;            // dom0 uname -r
  shutdown_seconds: number;   // how long a guest takes to shut down/reboot after acknowledging
  ack_timeout_seconds: number;// libxl waits this long for a PV guest to acknowledge (real: 60)
  vcpu_load: number;          // fraction of wall time each online guest vCPU runs (CPU time model)
  dom0_vcpu_load: number;
  hvm_pv_drivers: boolean;    // do HVM guests have PV drivers (graceful shutdown without -F)?
  check_disk_paths: boolean;  // stat disk targets at create/block-attach like libxl does
  net_tx_bytes_per_sec: number; // traffic model while a guest runs (to the guest)
  net_rx_bytes_per_sec: number; // (from the guest)
  vbd_rd_per_sec: number;
  vbd_wr_per_sec: number;
  bridges: string[];          // bridges in the control domain at boot (`ip link add ... type bridge` adds more)
  /** `xl migrate` model (commands/migrate.ts); absent in older state files: the defaults there. */
  migration_mib_per_sec?: number;
  migration_dirty_mib_per_sec?: number;
  migration_resume_ms?: number;
  /** `xl save` / `xl restore` throughput (image-io.ts); absent: the defaults there. */
  save_mib_per_sec?: number;
  restore_mib_per_sec?: number;
  /** false: no hardware virtualisation (xen_caps lists no hvm-…, HVM and PVH guests cannot run). */
  hvm_capable?: boolean;
  uplink: string;             // the physical interface behind the bridges (ethtool shows its speed)
  /** The bridge the uplink is a port of (a Xen host's bridged setup); absent: the first of `bridges`. */
  uplink_bridge?: string;
  uplink_speed_mbps: number;  // its link speed, Mb/s (as ethtool and /sys/class/net/<if>/speed give it)
}

export const HOST_DEFAULTS: HostConfig = {
  hostname: 'xenhost01',
  total_memory_mib: 65533,
  xen_memory_mib: 245,
  nr_cpus: 16,
  cores_per_socket: 4,
  threads_per_core: 2,
  nr_nodes: 2,
  cpu_mhz: 2394.454,
  scheduler: 'credit2',
  dom0_memory_mib: 4096,
  dom0_vcpus: 2,
  xen_version: '4.17.7',
  xen_commandline: '',
  release: '6.1.0-41-amd64',
  shutdown_seconds: 1,
  ack_timeout_seconds: 60,
  vcpu_load: 1,
  dom0_vcpu_load: 0.2,
  hvm_pv_drivers: false,
  check_disk_paths: false,
  net_tx_bytes_per_sec: 50_000,
  net_rx_bytes_per_sec: 10_000,
  vbd_rd_per_sec: 5,
  vbd_wr_per_sec: 2,
  bridges: ['xenbr0'],
  uplink: 'eth0',
  uplink_speed_mbps: 10_000,
};

export interface VcpuState {
  online: boolean;
  time_ns: number;
  hard: number[] | null; // null = all
  soft: number[] | null;
}

export interface NetCounters { rx_bytes: number; tx_bytes: number; rx_pkts: number; tx_pkts: number }
export interface VbdCounters { oo: number; rd: number; wr: number; rsect: number; wsect: number }

export interface Domain {
  domid: number;
  name: string;
  uuid: string;
  type: DomType;
  /** libxl_domain_config as stored in the userdata file (defaults applied at create). */
  config: Record<string, any>;
  start_ms: number;           // /vm/<uuid>/start_time
  last_ms: number;            // the model has been advanced up to here
  vcpus: VcpuState[];         // one per max vCPU
  pause_count: number;
  has_run: boolean;           // ever unpaused (blocked flag shows even when paused afterwards)
  shutdown_reason: number | null; // 0 poweroff 1 reboot 2 suspend 3 crash 4 watchdog 5 soft_reset
  pending: { reason: number; at_ms: number } | null;  // guest is going down
  control: { reason: number; since_ms: number } | null; // request written, not yet acknowledged
  target_kb: number;          // balloon target incl. video RAM (list -l target_memkb)
  max_kb: number;             // static max (memory/static-max)
  weight: number;
  cap: number;
  monitor: boolean;           // background xl monitor (create without -e)
  next_config?: Record<string, any>; // xl config-update: used at the next reboot
  nets: Record<string, NetCounters>; // by devid
  vbds: Record<string, VbdCounters>; // by vdev
  /** xenstore nodes written for this domain (its own and its backends'), full path → value (null: removed); gone with the domain. */
  xs?: Record<string, string | null>;
}

export interface DomEvent { domid: number; kind: 'shutdown' | 'destroy'; reason: number; at_ms: number }

export interface HostState {
  version: 1;
  host: HostConfig;
  boot_ms: number;
  next_domid: number;
  domains: Domain[];
  sched_credit: { tslice_ms: number; ratelimit_us: number; migr_delay_us: number };
  sched_credit2: { ratelimit_us: number };
  events: DomEvent[];
  /** Network devices of type bridge in the control domain (see bridges.ts); absent in older state files. */
  bridges?: BridgeLink[];
  next_ifindex?: number;
  /** xenstore nodes written outside any guest's paths (xenstore-write), full path → value (null: removed). */
  xenstore?: Record<string, string | null>;
  /** Tokens of the latest `xl migrate` hand-overs this host received, newest last (handover.ts). */
  handovers_in?: string[];
}

export interface BridgeLink { ifname: string; ifindex: number; up: boolean }

export const DOM0_UUID = '00000000-0000-0000-0000-000000000000';

export function freshHost(hostCfg: Partial<HostConfig>, now: number): HostState {
  const host: HostConfig = { ...HOST_DEFAULTS, ...hostCfg };
  if (!host.xen_commandline) {
    host.xen_commandline = `placeholder dom0_mem=${host.dom0_memory_mib}M,max:${host.dom0_memory_mib}M dom0_max_vcpus=${host.dom0_vcpus}`;
  }
  const dom0kb = host.dom0_memory_mib * 1024;
  const dom0: Domain = {
    domid: 0, name: 'Domain-0', uuid: DOM0_UUID, type: 'pv',
    // Stub written by xen-init-dom0 (samples in test/data/xl-samples).
    config: { c_info: { type: 'pv' }, b_info: { sched_params: {}, 'type.pv': {}, arch_arm: {}, arch_x86: {} } },
    start_ms: now, last_ms: now,
    vcpus: Array.from({ length: host.dom0_vcpus }, () => ({ online: true, time_ns: 0, hard: null, soft: null })),
    pause_count: 0, has_run: true, shutdown_reason: null, pending: null, control: null,
    target_kb: dom0kb, max_kb: dom0kb, weight: 256, cap: 0, monitor: false, nets: {}, vbds: {},
  };
  return {
    version: 1, host, boot_ms: now, next_domid: 1, domains: [dom0],
    sched_credit: { tslice_ms: 30, ratelimit_us: 1000, migr_delay_us: 0 },
    sched_credit2: { ratelimit_us: 1000 },
    events: [],
  };
}

export function byDomid(s: HostState, domid: number): Domain | undefined {
  return s.domains.find((d) => d.domid === domid);
}

export function byName(s: HostState, name: string): Domain | undefined {
  return s.domains.find((d) => d.name === name);
}

/** Allocate the next domid: Xen's rover, monotonically increasing, wrapping to 1 (docs/xl-toolstack.md §4). */
export function allocDomid(s: HostState): number {
  const used = new Set(s.domains.map((d) => d.domid));
  let id = s.next_domid;
  for (let i = 0; i < 32751; i++) {
    if (id >= 32752) id = 1;
    if (!used.has(id)) { s.next_domid = id + 1; return id; }
    id++;
  }
  throw new Error('no free domid');
}

export function recordEvent(s: HostState, e: DomEvent): void {
  s.events.push(e);
  if (s.events.length > 200) s.events.splice(0, s.events.length - 200);
}
