/**
 * The metrics sampler: ONE sample of every system per interval, taken outside requests (a timer),
 * kept as a short history (a bounded ring per system). Reads never ask the hypervisor.
 *
 * Each sample costs one snapshot read (the cached system list) and one batch statistics call of
 * the driver (xentop: every domain at once). Formulas (documented in docs/metrics.md):
 *
 *   Δt                       = this sample's time − the previous sample's time (s)
 *   allocation (% of 1 CPU)  = min(online vCPUs × 100, cap)        (cap 0 = none: vCPUs × 100)
 *   cpu % of one CPU         = min(Δ cpu time (s) / Δt × 100, allocation)   (0 on a first sample;
 *                              the bound absorbs the 0.1 s resolution of the hypervisor's CPU time)
 *   cpu % of allocation      = cpu % of one CPU / allocation × 100
 *   memory in use (MiB)      = memory the domain holds now
 *   memory assigned (MiB)    = its balloon target
 *   disk bytes               = sectors × 512;  network: the guest's view (sent = transmitted)
 *   I/O counters             = the hypervisor's sums over the domain's devices, never lower than
 *                              in the domain's previous sample: what an unplugged device had
 *                              counted stays counted (DSP1053 Counter); a new domain starts again
 *   uptime (s)               = the hypervisor's figure (since the domain was started); without
 *                              it, now − when the system was last seen to become active
 *   pools and host           = capacity.ts (advertised capacity, reserved, available): net of
 *                              Xen's own memory, the control domain and per-domain overhead.
 * No raw physical figure (installed or free memory) is sampled.
 */
import type { Capacity } from './capacity.js';
import type { SystemCounters } from './driver.js';
import type { Pool } from './pools.js';
import { isActive } from './states.js';
import type { VirtualSystem } from './types.js';

export interface SystemSample {
  name: string;
  uuid: string;
  /** ms since the epoch. */
  at: number;
  /** Interval the rates cover (ms); 0 on a system's first sample. */
  durationMs: number;
  cpuTimeSec: number;
  cpuPercentOfOneCpu: number;
  cpuAllocationPercent: number;
  cpuPercentOfAllocation: number;
  memoryInUseMiB: number;
  memoryAssignedMiB: number;
  uptimeSec: number;
  /** Absent when the driver gives no I/O counters. */
  io?: Omit<SystemCounters, 'name' | 'uptimeSec'>;
}

export interface HostSample {
  memoryCapacityMiB: number;
  memoryReservedMiB: number;
  memoryAvailableMiB: number;
  processorCapacityPercent: number;
  processorReservedPercent: number;
  processorAvailablePercent: number;
}

export interface MetricsSample {
  at: number;
  durationMs: number;
  systems: SystemSample[];
  pools: Pool[];
  host: HostSample;
}

/** What the sampler reads (VirtManager gives it its own reads). */
export interface MetricsSource {
  systems(): Promise<VirtualSystem[]>;
  capacity(): Promise<Capacity>;
  pools(): Promise<Pool[]>;
  counters?: () => Promise<SystemCounters[]>;
}

export interface MetricsOptions {
  /** 0 disables periodic sampling. */
  intervalMs: number;
  /** Samples kept per system. */
  historyLength?: number;
  log?: (line: string) => void;
  /** The clock samples are stamped with (tests give their own). */
  now?: () => number;
}

export const DEFAULT_METRICS_INTERVAL_MS = 10_000;
const DEFAULT_HISTORY = 60;

export class MetricsSampler {
  private timer: NodeJS.Timeout | undefined;
  private last: MetricsSample | undefined;
  private readonly rings = new Map<string, SystemSample[]>();
  /** Per system: domid-independent start as first seen active (ms). */
  private readonly startedAt = new Map<string, { domid: number; at: number }>();
  /** Per system: the domain's last raw I/O counters and what unplugged devices had counted. */
  private readonly io = new Map<string, { domid: number; raw: IoCounters; lost: IoCounters }>();
  /** Counts forget() calls; per system, the count at its last one (a sample begun before it is stale for it). */
  private forgets = 0;
  private readonly forgottenAt = new Map<string, number>();
  private running: Promise<MetricsSample> | undefined;
  private readonly listeners = new Set<(sample: MetricsSample) => void>();
  private failed = false;
  /** The last periodic sample failed (logged once until one succeeds). */
  private sampleFailing = false;
  /** stop() was called: a sample under way reads nothing more (the driver is closed next). */
  private stopped = false;
  readonly historyLength: number;

  constructor(private readonly source: MetricsSource, private readonly opts: MetricsOptions) {
    this.historyLength = opts.historyLength ?? DEFAULT_HISTORY;
  }

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  start(): void {
    if (this.opts.intervalMs <= 0 || this.timer) return;
    this.stopped = false;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  /**
   * One periodic sample. A failure keeps the last sample (its TimeStamp tells its age) and is
   * logged once, with its recovery, so stale figures are never served in silence.
   */
  private tick(): void {
    this.sample().then(() => {
      if (this.sampleFailing) this.opts.log?.('metrics: sampling works again');
      this.sampleFailing = false;
    }, (e: unknown) => {
      if (this.stopped) return;
      if (!this.sampleFailing) {
        const since = this.last ? `the values stay those of ${new Date(this.last.at).toISOString()}` : 'no values yet';
        this.opts.log?.(`metrics: sampling failed (${since}): ${(e as Error)?.message ?? String(e)}`);
      }
      this.sampleFailing = true;
    });
  }

  /**
   * Stops the periodic samples. A sample under way reads nothing more once its counters are in:
   * the server closes the driver right after, and a listing taken then (a metrics sample takes its
   * own) would run the toolstack after the stop and record what it saw into a closed store.
   */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
  }

  /** The latest sample (undefined before the first). */
  latest(): MetricsSample | undefined {
    return this.last;
  }

  /** Called with every new sample (threshold alerts); answers the function that stops it. */
  onSample(listener: (sample: MetricsSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A system stopped, saved, deleted or renamed: its figures go now rather than at the next
   * sample, so no value is served for a system that no longer runs (or under its old name).
   */
  forget(name: string): void {
    this.forgottenAt.set(name, ++this.forgets);
    this.rings.delete(name);
    this.startedAt.delete(name);
    this.io.delete(name);
    const last = this.last;
    if (last?.systems.some((s) => s.name === name)) this.last = { ...last, systems: last.systems.filter((s) => s.name !== name) };
  }

  /** A system's recent samples, oldest first. */
  history(name: string): readonly SystemSample[] {
    return this.rings.get(name) ?? [];
  }

  /** Take one sample now (concurrent callers share it). */
  sample(): Promise<MetricsSample> {
    if (!this.running) {
      this.running = this.take().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async take(): Promise<MetricsSample> {
    if (this.stopped) throw new Error('metrics: the sampler was stopped');
    // What the reads below return may predate a system's stop: one forgotten meanwhile is left out.
    const began = this.forgets;
    let counters: SystemCounters[] | undefined;
    try {
      counters = this.source.counters ? await this.source.counters() : undefined;
      this.failed = false;
    } catch (e) {
      // Counters unavailable (no blkback, a hiccup): CPU and memory are still sampled.
      if (!this.failed) this.opts.log?.(`metrics: I/O counters unavailable: ${(e as Error).message}`);
      this.failed = true;
    }
    if (this.stopped) throw new Error('metrics: the sampler was stopped');
    const [systems, cap, pools] = await Promise.all([this.source.systems(), this.source.capacity(), this.source.pools()]);
    const at = (this.opts.now ?? Date.now)();
    const byName = new Map((counters ?? []).map((c) => [c.name, c]));
    const out: SystemSample[] = [];
    const seen = new Set<string>();
    for (const s of systems) {
      if (!s.live || !isActive(s.state) || (this.forgottenAt.get(s.name) ?? 0) > began) continue;
      seen.add(s.name);
      out.push(this.systemSample(s, at, byName.get(s.name)));
    }
    for (const [name, at] of this.forgottenAt) if (at <= began) this.forgottenAt.delete(name);
    for (const name of [...this.rings.keys()]) {
      if (!seen.has(name)) {
        this.rings.delete(name);
        this.startedAt.delete(name);
        this.io.delete(name);
      }
    }
    const sample: MetricsSample = {
      at,
      durationMs: this.last ? at - this.last.at : 0,
      systems: out,
      pools,
      host: {
        memoryCapacityMiB: cap.memory.capacityMiB,
        memoryReservedMiB: cap.memory.reservedMiB,
        memoryAvailableMiB: cap.memory.availableMiB,
        processorCapacityPercent: cap.processor.capacityPercent,
        processorReservedPercent: cap.processor.reservedPercent,
        processorAvailablePercent: cap.processor.availablePercent,
      },
    };
    this.last = sample;
    for (const l of this.listeners) {
      try {
        l(sample);
      } catch {
        // a consumer's failure must not stop sampling
      }
    }
    return sample;
  }

  /** The counters reported for a system's domain: its raw figures plus what unplugged devices had counted. */
  private monotonic(name: string, domid: number, raw: IoCounters): IoCounters {
    const st = monotonicOf(this.io.get(name), domid, raw);
    this.io.set(name, st);
    const out = { ...raw };
    for (const k of Object.keys(raw) as (keyof IoCounters)[]) {
      const v = raw[k];
      if (v !== undefined) out[k] = v + (st.lost[k] ?? 0);
    }
    return out;
  }

  private systemSample(s: VirtualSystem, at: number, c: SystemCounters | undefined): SystemSample {
    const live = s.live!;
    let start = this.startedAt.get(s.name);
    if (!start || start.domid !== live.domid) {
      start = { domid: live.domid, at: start ? at : Math.min(at, s.stateChangedAt ?? at) };
      this.startedAt.set(s.name, start);
      this.rings.delete(s.name); // a new domain: its counters start again
    }
    const ring = this.rings.get(s.name) ?? [];
    const prev = ring[ring.length - 1];
    const durationMs = prev ? at - prev.at : 0;
    const dCpu = prev ? Math.max(0, live.cpuTimeSec - prev.cpuTimeSec) : 0;
    const vcpuShare = Math.max(1, live.onlineVcpus) * 100;
    const allocation = live.cpuCap > 0 ? Math.min(vcpuShare, live.cpuCap) : vcpuShare;
    const pct = durationMs > 0 ? round1(Math.min(allocation, (dCpu * 1000 * 100) / durationMs)) : 0;
    const sample: SystemSample = {
      name: s.name,
      uuid: s.uuid,
      at,
      durationMs,
      cpuTimeSec: live.cpuTimeSec,
      cpuPercentOfOneCpu: pct,
      cpuAllocationPercent: allocation,
      cpuPercentOfAllocation: round1((pct * 100) / allocation),
      memoryInUseMiB: live.memoryMiB,
      memoryAssignedMiB: live.targetMemoryMiB,
      uptimeSec: c?.uptimeSec ?? Math.max(0, Math.floor((at - start.at) / 1000)),
    };
    if (c) {
      const { name: _n, uptimeSec: _u, ...io } = c;
      sample.io = this.monotonic(s.name, live.domid, io);
    }
    ring.push(sample);
    if (ring.length > this.historyLength) ring.splice(0, ring.length - this.historyLength);
    this.rings.set(s.name, ring);
    return sample;
  }
}

type IoCounters = Omit<SystemCounters, 'name' | 'uptimeSec'>;

/**
 * The counters of a domain as it has run: a counter lower than in its previous sample lost a
 * device's share (a disk or interface unplugged), which stays counted. A new domain (a restart,
 * a restore) starts again from the hypervisor's figures. A counter missing from one sample keeps
 * its last figure for the comparison.
 */
function monotonicOf(prev: { domid: number; raw: IoCounters; lost: IoCounters } | undefined, domid: number, raw: IoCounters): { domid: number; raw: IoCounters; lost: IoCounters } {
  const lost: IoCounters = { netTxBytes: 0, netRxBytes: 0, diskReadRequests: 0, diskWriteRequests: 0, diskReadBytes: 0, diskWriteBytes: 0 };
  if (!prev || prev.domid !== domid) return { domid, raw, lost };
  const seen: IoCounters = { ...prev.raw };
  for (const k of Object.keys(prev.lost) as (keyof IoCounters)[]) lost[k] = prev.lost[k] ?? 0;
  for (const k of Object.keys(raw) as (keyof IoCounters)[]) {
    const now = raw[k];
    if (now === undefined) continue;
    const before = prev.raw[k];
    if (before !== undefined && now < before) lost[k] = (lost[k] ?? 0) + before - now;
    seen[k] = now;
  }
  return { domid, raw: seen, lost };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
