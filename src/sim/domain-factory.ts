// Turning a libxl_domain_config into a running simulated domain, and back into the
// "retrieved" live config (libxl_retrieve_domain_configuration, samples in test/data/xl-samples).
import type { Domain, HostState, VcpuState } from './host-state.js';
import { randomMac } from './uuid-mac.js';

type Obj = Record<string, any>;

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Defaults libxl applies before storing the userdata JSON (what `xl list -l` shows back). */
export function applyCreateDefaults(cfg: Obj): Obj {
  const c = clone(cfg);
  const type = c.c_info?.type ?? 'pv';
  const b = (c.b_info ??= {});
  if (b.max_vcpus === undefined) b.max_vcpus = Array.isArray(b.avail_vcpus) ? b.avail_vcpus.length || 1 : 1;
  if (!Array.isArray(b.avail_vcpus)) b.avail_vcpus = Array.from({ length: b.max_vcpus }, (_, i) => i);
  if (b.max_memkb === undefined && b.target_memkb === undefined) { b.max_memkb = 32768; b.target_memkb = 32768; }
  if (b.max_memkb === undefined) b.max_memkb = b.target_memkb;
  if (b.target_memkb === undefined) b.target_memkb = b.max_memkb;
  if (b.video_memkb === undefined) {
    if (type === 'hvm') b.video_memkb = b['type.hvm']?.vga?.kind === 'stdvga' ? 16384 : 8192;
    else b.video_memkb = 0;
  }
  b.arch_x86 = { ...(b.arch_x86 ?? {}), msr_relaxed: b.arch_x86?.msr_relaxed ?? 'False' };
  b.arch_arm ??= {};
  if (!b[`type.${type}`]) b[`type.${type}`] = {};
  if (Array.isArray(c.nics)) {
    c.nics.forEach((n: Obj, i: number) => {
      if (n.devid === undefined) n.devid = i;
      if (!n.mac) n.mac = randomMac();
      if (!n.bridge) n.bridge = 'xenbr0';
      if (!n.nictype) n.nictype = type === 'hvm' ? 'vif_ioemu' : 'vif';
    });
  }
  c.on_reboot ??= 'restart';
  c.on_soft_reset ??= 'soft_reset';
  return c;
}

/** Instantiate a domain from a (defaulted) config. */
export function instantiate(s: HostState, cfg: Obj, domid: number, now: number,
  opts: { paused: boolean; monitor: boolean }): Domain {
  const b = cfg.b_info;
  const maxv: number = b.max_vcpus;
  const online = new Set<number>(b.avail_vcpus);
  const hard: number[][] | undefined = b.vcpu_hard_affinity;
  const soft: number[][] | undefined = b.vcpu_soft_affinity;
  const vcpus: VcpuState[] = Array.from({ length: maxv }, (_, i) => ({
    online: online.has(i), time_ns: 0,
    hard: hard?.[i] ? normaliseMap(hard[i]!, s.host.nr_cpus) : null,
    soft: soft?.[i] ? normaliseMap(soft[i]!, s.host.nr_cpus) : null,
  }));
  const d: Domain = {
    domid, name: cfg.c_info.name ?? '', uuid: cfg.c_info.uuid, type: cfg.c_info.type ?? 'pv',
    config: cfg, start_ms: now, last_ms: now, vcpus,
    pause_count: opts.paused ? 1 : 0, has_run: !opts.paused,
    shutdown_reason: null, pending: null, control: null,
    target_kb: b.target_memkb, max_kb: b.max_memkb,
    weight: b.sched_params?.weight ?? 256, cap: b.sched_params?.cap ?? 0,
    monitor: opts.monitor, nets: {}, vbds: {},
  };
  for (const n of cfg.nics ?? []) d.nets[String(n.devid)] = { rx_bytes: 0, tx_bytes: 0, rx_pkts: 0, tx_pkts: 0 };
  for (const k of cfg.disks ?? []) d.vbds[k.vdev] = { oo: 0, rd: 0, wr: 0, rsect: 0, wsect: 0 };
  return d;
}

/** A map equal to "all host CPUs" is stored as null (printed "all"). */
export function normaliseMap(cpus: number[], nrCpus: number): number[] | null {
  const set = [...new Set(cpus)].filter((c) => c >= 0 && c < nrCpus).sort((a, b) => a - b);
  return set.length === nrCpus ? null : set;
}

/** libxl_retrieve_domain_configuration: stored JSON overwritten with live values. */
export function liveConfig(s: HostState, d: Domain): Obj {
  if (d.domid === 0) {
    // Dom0's stub + live memory; target is xenstore target minus the "default" video (-1).
    return {
      c_info: { type: 'pv', name: d.name },
      b_info: {
        max_memkb: d.max_kb, target_memkb: d.target_kb - 1,
        sched_params: { sched: s.host.scheduler, weight: d.weight, cap: d.cap },
        'type.pv': {}, arch_arm: {}, arch_x86: {},
      },
    };
  }
  const c = clone(d.config);
  c.c_info.name = d.name;
  c.c_info.uuid = d.uuid;
  c.b_info.avail_vcpus = d.vcpus.map((v, i) => (v.online ? i : -1)).filter((i) => i >= 0);
  c.b_info.max_memkb = d.max_kb;
  c.b_info.target_memkb = d.target_kb;
  c.b_info.sched_params = { sched: s.host.scheduler, weight: d.weight, cap: d.cap };
  return c;
}
