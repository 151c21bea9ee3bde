/**
 * The façade providers use. It wraps one HypervisorDriver and adds what is hypervisor-neutral:
 * admission control under the host lock, waiting for a requested state, jobs for long operations,
 * pools, advertised capacity and allocation-relative statistics. No raw physical figure leaves it.
 */
import {
  DEFAULT_CAPACITY_POLICY, admissionRequest, admissionShortfall, computeCapacity,
  type ActiveGuest, type Capacity, type CapacityPolicy,
} from './capacity.js';
import type { DriverMetrics, HypervisorDriver, ReconcileReport } from './driver.js';
import { VirtError, toVirtError } from './errors.js';
import { Job, JobManager, type JobContext } from './jobs.js';
import { KeyedLock } from './lock.js';
import { checkSystemName } from './spec.js';
import { isActive, planTransition, type Operation, type TargetState } from './states.js';
import type { DiskSpec, IoCounters, NicSpec, Rate, SystemPatch, VirtualSystem, VirtualSystemConfig, VirtualSystemSpec } from './types.js';

export interface VirtManagerOptions {
  capacityPolicy?: CapacityPolicy;
  /** How long to wait for the host lock (admission). */
  hostLockTimeoutMs?: number;
  /** Default wait for a clean shutdown to complete. */
  shutdownTimeoutMs?: number;
  pollIntervalMs?: number;
  jobs?: JobManager;
}

export interface RequestStateOptions {
  /** Wait at most this long for the target state (0 = return once the request was accepted). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Abstracted host description: no serial number, CPU model, MAC or raw free memory. */
export interface HostSummary {
  name: string;
  hypervisor: string;
  hypervisorVersion: string;
  scheduler: string;
  processors: number;
  /** Advertised guest memory capacity (capacity.ts), not installed RAM. */
  memoryCapacityMiB: number;
}

export type PoolKind = 'processor' | 'memory' | 'disk' | 'network';

export interface PoolAllocation {
  system: string;
  /** Device within the system (vdev, MAC) when the pool hands out devices. */
  device?: string;
  amount: number;
}

export interface Pool {
  id: string;
  kind: PoolKind;
  name: string;
  units: string;
  /** Undefined when the pool has no meaningful upper bound (disks, switches). */
  capacity?: number;
  reserved: number;
  available?: number;
  allocations: PoolAllocation[];
}

export interface SystemStats extends IoCounters {
  name: string;
  active: boolean;
  sampledAt: number;
  cpuTimeSec: number;
  /** CPU use in percent of what the system may use (its vCPUs, or its cap if lower). 0..100. */
  cpuPercentOfAllocation: number;
  memoryAllocatedMiB: number;
  memoryUsedMiB: number;
  memoryPercentOfAllocation: number;
  vcpus: number;
}

const HOST_KEY = 'host';

export class VirtManager {
  readonly jobs: JobManager;
  private readonly hostLock: KeyedLock;
  private readonly policy: CapacityPolicy;
  private readonly shutdownTimeoutMs: number;
  private readonly pollMs: number;

  // The driver stays private: its host facts are raw (free memory...), only abstractions leave.
  constructor(private readonly driver: HypervisorDriver, opts: VirtManagerOptions = {}) {
    this.jobs = opts.jobs ?? new JobManager();
    this.hostLock = new KeyedLock(opts.hostLockTimeoutMs ?? 60_000);
    this.policy = opts.capacityPolicy ?? DEFAULT_CAPACITY_POLICY;
    this.shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 120_000;
    this.pollMs = opts.pollIntervalMs ?? 250;
  }

  init(): Promise<ReconcileReport> {
    return this.driver.init();
  }

  /** The driver's counters (hypervisor tool calls, snapshot refreshes): for benchmarks and tests, never for CIM. */
  driverMetrics(): DriverMetrics {
    return this.driver.metrics();
  }

  // ---------------------------------------------------------------- systems

  listSystems(): Promise<VirtualSystem[]> {
    return this.driver.list();
  }

  getSystem(name: string): Promise<VirtualSystem> {
    return this.driver.get(name);
  }

  defineSystem(spec: VirtualSystemSpec): Promise<VirtualSystem> {
    return this.driver.define(spec);
  }

  /**
   * Rename a system (running or not). The name rules are checked here and by the driver (which
   * also checks uniqueness under the locks of both names); no admission is involved.
   */
  async renameSystem(name: string, newName: string): Promise<VirtualSystem> {
    checkSystemName(newName);
    return this.driver.rename(name, newName);
  }

  /** Change resources/policies; growth of an active system's reservation is admitted first. */
  async modifySystem(name: string, patch: SystemPatch): Promise<VirtualSystem> {
    const sys = await this.driver.get(name);
    const growsMem = patch.memoryMiB !== undefined && patch.memoryMiB > sys.config.memoryMiB;
    const growsRes = (patch.memoryReservationMiB ?? 0) > sys.config.memoryReservationMiB || (patch.cpuReservationPercent ?? 0) > sys.config.cpuReservationPercent;
    if (isActive(sys.state) && (growsMem || growsRes)) {
      const after = { ...sys.config, ...stripUndefined(patch) } as VirtualSystemConfig;
      return this.admit(after, name, () => this.driver.modify(name, patch));
    }
    return this.driver.modify(name, patch);
  }

  /** Remove a system; an active one is powered off first (hard). */
  async deleteSystem(name: string): Promise<void> {
    const sys = await this.driver.get(name);
    if (isActive(sys.state)) await this.driver.destroy(name);
    await this.driver.undefine(name);
  }

  addDisk(name: string, disk: DiskSpec): Promise<DiskSpec> {
    return this.driver.attachDisk(name, disk);
  }
  removeDisk(name: string, vdev: string): Promise<void> {
    return this.driver.detachDisk(name, vdev);
  }
  addInterface(name: string, nic: NicSpec): Promise<NicSpec & { mac: string }> {
    return this.driver.attachInterface(name, nic);
  }
  removeInterface(name: string, mac: string): Promise<void> {
    return this.driver.detachInterface(name, mac);
  }
  setInterfaceRate(name: string, mac: string, rate: Rate | null): Promise<void> {
    return this.driver.setInterfaceRate(name, mac, rate);
  }

  /** Start every autostart system that is off, highest priority first; failures do not stop the rest. */
  async autostart(): Promise<{ started: string[]; failed: { name: string; error: VirtError }[] }> {
    const due = (await this.listSystems())
      .filter((s) => s.config.autostart && s.state === 'defined')
      .sort((a, b) => b.config.priority - a.config.priority || a.name.localeCompare(b.name));
    const out: { started: string[]; failed: { name: string; error: VirtError }[] } = { started: [], failed: [] };
    for (const s of due) {
      try {
        await this.requestState(s.name, 'running');
        out.started.push(s.name);
      } catch (err) {
        out.failed.push({ name: s.name, error: toVirtError(err, `autostart of ${s.name}`) });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- state

  /** Drive a system to a target state and (unless timeoutMs is 0) wait until it is there. */
  async requestState(name: string, target: TargetState, opts: RequestStateOptions = {}): Promise<VirtualSystem> {
    // Plan from the cached view; the driver re-checks under its lock with a fresh one. Only when
    // that check says the view was stale do we plan again from fresh data (saves a refresh per call).
    let sys = await this.driver.get(name);
    let op = planTransition(name, sys.state, target);
    try {
      await this.perform(sys, op, opts);
    } catch (err) {
      if (!VirtError.is(err, 'invalid_state')) throw err;
      this.driver.invalidate();
      sys = await this.driver.get(name);
      const again = planTransition(name, sys.state, target);
      if (again === op) throw err;
      op = again;
      await this.perform(sys, op, opts);
    }
    if (op === 'shutdown' && opts.timeoutMs !== 0) {
      await this.waitFor(name, (s) => s.state === 'defined', opts.timeoutMs ?? this.shutdownTimeoutMs, opts.signal, 'to shut down');
    }
    // The driver's reads reflect its own changes (driver.ts), so this costs no extra call where
    // the driver knows the outcome exactly (pause, unpause).
    return this.driver.get(name);
  }

  /** The same as a job (for callers that must not block: save, restore, shutdown-and-wait...). */
  requestStateJob(name: string, target: TargetState, opts: Omit<RequestStateOptions, 'signal'> = {}): Job<VirtualSystem> {
    return this.jobs.start(`state change of ${name} to ${target}`, name, (ctx) => {
      ctx.progress(1);
      return this.requestState(name, target, { ...opts, signal: ctx.signal });
    });
  }

  /** Live migration to another host, as a job. */
  migrate(name: string, destination: string, opts: { paused?: boolean; timeoutMs?: number } = {}): Job<void> {
    return this.jobs.start(`migration of ${name} to ${destination}`, name, async (ctx: JobContext) => {
      ctx.progress(1);
      await this.driver.migrate(name, destination, { ...opts, signal: ctx.signal });
    });
  }

  private async perform(sys: VirtualSystem, op: Operation, opts: RequestStateOptions): Promise<void> {
    const d = this.driver;
    const name = sys.name;
    switch (op) {
      case 'start':
      case 'start_paused':
        return this.admit(sys.config, name, () => d.start(name, { paused: op === 'start_paused' }));
      case 'restore':
        return this.admit(sys.config, name, () => d.restore(name, withSignal({}, opts.signal)));
      case 'save':
        return d.save(name, withSignal({}, opts.signal));
      case 'shutdown':
        return d.shutdown(name);
      case 'destroy':
        return d.destroy(name);
      case 'reboot':
        return d.reboot(name);
      case 'reset':
        return d.reset(name);
      case 'pause':
        return d.pause(name);
      case 'unpause':
        return d.unpause(name);
      case 'migrate':
        throw new VirtError('invalid_argument', 'use migrate() for migrations');
    }
  }

  private async waitFor(name: string, done: (s: VirtualSystem) => boolean, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.driver.invalidate();
      const s = await this.driver.get(name);
      if (done(s)) return;
      if (signal?.aborted) throw new VirtError('failed', `stopped waiting for '${name}' ${what}: cancelled`);
      if (Date.now() >= deadline) throw new VirtError('timeout', `'${name}' did not finish ${what} within ${timeoutMs} ms (now ${s.state})`);
      await new Promise((r) => setTimeout(r, Math.min(this.pollMs, Math.max(1, deadline - Date.now()))));
    }
  }

  // ---------------------------------------------------------------- capacity

  /**
   * Admission control: under the host lock, check that the system's reservation plus overhead
   * fits what is available (excluding the system itself), then run the change that consumes it.
   * Holding the lock through the change means two admissions can never both count the same room.
   */
  async admit<T>(config: VirtualSystemConfig, name: string, change: () => Promise<T>): Promise<T> {
    return this.hostLock.with(HOST_KEY, async () => {
      this.driver.invalidate();
      const cap = await this.capacityExcluding(name);
      const short = admissionShortfall(cap, admissionRequest(config));
      if (short) throw new VirtError('no_memory', `cannot admit '${name}': ${short}`);
      try {
        return await change();
      } finally {
        this.driver.invalidate();
      }
    });
  }

  async capacity(): Promise<Capacity> {
    return this.capacityExcluding(undefined);
  }

  private async capacityExcluding(exclude: string | undefined): Promise<Capacity> {
    const [host, systems] = await Promise.all([this.driver.hostFacts(), this.driver.list()]);
    const guests: ActiveGuest[] = systems.filter((s) => isActive(s.state) && s.name !== exclude).map(toGuest);
    return computeCapacity(host, guests, this.policy);
  }

  async hostInfo(): Promise<HostSummary> {
    const [host, cap] = await Promise.all([this.driver.hostFacts(), this.capacity()]);
    return {
      name: host.hostname,
      hypervisor: host.hypervisor,
      hypervisorVersion: host.hypervisorVersion,
      scheduler: host.scheduler,
      processors: host.nrCpus,
      memoryCapacityMiB: cap.memory.capacityMiB,
    };
  }

  async pools(): Promise<Pool[]> {
    const [host, systems] = await Promise.all([this.driver.hostFacts(), this.driver.list()]);
    const active = systems.filter((s) => isActive(s.state));
    const cap = computeCapacity(host, active.map(toGuest), this.policy);
    const pools: Pool[] = [
      {
        id: 'processor/0', kind: 'processor', name: 'processors', units: 'percent of one processor',
        capacity: cap.processor.capacityPercent, reserved: cap.processor.reservedPercent, available: cap.processor.availablePercent,
        allocations: active.map((s) => ({ system: s.name, amount: s.config.cpuReservationPercent })),
      },
      {
        id: 'memory/0', kind: 'memory', name: 'memory', units: 'MiB',
        capacity: cap.memory.capacityMiB, reserved: cap.memory.reservedMiB, available: cap.memory.availableMiB,
        allocations: active.map((s) => ({ system: s.name, amount: toGuestReservation(s) })),
      },
      {
        id: 'disk/0', kind: 'disk', name: 'disks', units: 'devices', reserved: 0,
        allocations: systems.flatMap((s) => s.config.disks.map((d) => ({ system: s.name, device: d.vdev, amount: 1 }))),
      },
    ];
    pools[2]!.reserved = pools[2]!.allocations.length;
    const bridges = new Map<string, PoolAllocation[]>();
    for (const s of systems) {
      for (const n of s.config.nics) {
        const list = bridges.get(n.bridge) ?? [];
        list.push({ system: s.name, device: n.mac, amount: n.rate?.bytesPerSecond ?? 0 });
        bridges.set(n.bridge, list);
      }
    }
    for (const [bridge, allocations] of [...bridges].sort(([a], [b]) => a.localeCompare(b))) {
      pools.push({
        id: `network/${bridge}`, kind: 'network', name: bridge, units: 'bytes per second',
        reserved: allocations.reduce((t, a) => t + a.amount, 0), allocations,
      });
    }
    return pools;
  }

  // ---------------------------------------------------------------- statistics

  async stats(name: string): Promise<SystemStats> {
    const sys = await this.driver.get(name);
    const allocated = sys.config.memoryMiB;
    if (!sys.live) {
      return {
        name, active: false, sampledAt: Date.now(), cpuTimeSec: 0, cpuPercentOfAllocation: 0,
        memoryAllocatedMiB: allocated, memoryUsedMiB: 0, memoryPercentOfAllocation: 0, vcpus: 0,
      };
    }
    const [st] = await this.driver.statistics(name);
    const vcpus = st?.vcpus ?? sys.live.onlineVcpus;
    // What the system may use: all its vCPUs, or its cap when that is lower (percent of one CPU).
    const allowance = Math.max(1, sys.config.cpuCap > 0 ? Math.min(sys.config.cpuCap, vcpus * 100) : vcpus * 100);
    const used = Math.min(sys.live.memoryMiB, allocated);
    const out: SystemStats = {
      name,
      active: true,
      sampledAt: st?.sampledAt ?? Date.now(),
      cpuTimeSec: st?.cpuTimeSec ?? sys.live.cpuTimeSec,
      cpuPercentOfAllocation: round1(Math.min(100, ((st?.cpuPercent ?? 0) * 100) / allowance)),
      memoryAllocatedMiB: allocated,
      memoryUsedMiB: used,
      memoryPercentOfAllocation: allocated > 0 ? round1((used * 100) / allocated) : 0,
      vcpus,
    };
    for (const k of ['netTxBytes', 'netRxBytes', 'diskReadRequests', 'diskWriteRequests', 'diskReadSectors', 'diskWriteSectors'] as const) {
      if (st?.[k] !== undefined) out[k] = st[k];
    }
    return out;
  }
}

function toGuest(s: VirtualSystem): ActiveGuest {
  const g: ActiveGuest = { config: s.config };
  if (s.live) {
    g.currentMemoryMiB = s.live.memoryMiB;
    g.onlineVcpus = s.live.onlineVcpus;
  }
  return g;
}

function toGuestReservation(s: VirtualSystem): number {
  return Math.max(s.config.memoryReservationMiB, s.live?.memoryMiB ?? s.config.memoryMiB);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function withSignal<T extends object>(o: T, signal: AbortSignal | undefined): T & { signal?: AbortSignal } {
  return signal ? { ...o, signal } : o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
