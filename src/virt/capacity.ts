/**
 * Capacity accounting: the ONE place where advertised capacity is computed.
 *
 * What a guest costs (libxl_domain_need_memory(), verified against the real library: see
 * test/data/xl-driver/libxl-need-memory.txt):
 *
 *   paging_kb = 4 × (256 × maxVcpus + ((type ≠ pv) + (hap ? 0 : 1)) × maxMemMiB)
 *   need_kb   = memoryMiB × 1024 + paging_kb + (pv ? 1024 : 2048), rounded up to 2048
 *   overhead  = need − memory        (paging pool + per-domain extra; not visible as guest RAM)
 *
 * What the host can give to guests:
 *
 *   hypervisor_own  = total − free − dom0_current − Σ guest_current − Σ guest_overhead   (≥ 0)
 *   dom0_reserve    = dom0_current                   when dom0's size is fixed (dom0_mem=)
 *                   = min(dom0_current, dom0_floor)  when dom0 auto-balloons
 *   memory capacity = total − hypervisor_own − dom0_reserve − Σ guest_overhead
 *   reserved        = Σ over active guests of max(reservation, current memory)
 *   available       = capacity − reserved
 *
 *   processor capacity (percent of one CPU) = nr_cpus × 100 − dom0_share
 *   reserved = Σ cpuReservationPercent of active guests; vCPUs themselves may be overcommitted.
 *
 * A new guest is admitted iff max(reservation, memory) + overhead ≤ available memory and its CPU
 * reservation ≤ available processor share. Nothing here exposes the raw free-memory figure.
 */
import type { HostFacts, SystemType, VirtualSystemConfig } from './types.js';

export interface MemoryDemand {
  type: SystemType;
  memoryMiB: number;
  maxMemoryMiB?: number;
  maxVcpus: number;
  /** Hardware-assisted paging (HVM/PVH); default on. */
  hap?: boolean;
}

const KIB_PER_MIB = 1024;

/** libxl_domain_need_memory(), in KiB. */
export function needMemoryKiB(d: MemoryDemand): number {
  const maxMemMiB = Math.max(d.maxMemoryMiB ?? d.memoryMiB, d.memoryMiB);
  const hap = d.type === 'pv' ? false : d.hap ?? true;
  const factor = (d.type !== 'pv' ? 1 : 0) + (hap ? 0 : 1);
  const pagingKiB = 4 * (256 * d.maxVcpus + factor * maxMemMiB);
  const extraKiB = d.type === 'pv' ? 1024 : 2048;
  const need = d.memoryMiB * KIB_PER_MIB + pagingKiB + extraKiB;
  return Math.ceil(need / 2048) * 2048;
}

/** Memory a guest costs beyond its own RAM, in MiB (rounded up). */
export function overheadMiB(d: MemoryDemand): number {
  return Math.ceil(needMemoryKiB(d) / KIB_PER_MIB) - d.memoryMiB;
}

export interface CapacityPolicy {
  /** Lowest size the control domain may be ballooned down to (MiB). libxl's own floor is 128. */
  dom0FloorMiB: number;
  /** CPU share kept for the control domain, in percent of one CPU. */
  dom0CpuPercent: number;
}

export const DEFAULT_CAPACITY_POLICY: CapacityPolicy = { dom0FloorMiB: 1024, dom0CpuPercent: 100 };

/** One guest that holds host resources, as seen by the accounting. */
export interface ActiveGuest {
  config: Pick<VirtualSystemConfig, 'type' | 'memoryMiB' | 'maxMemoryMiB' | 'maxVcpus' | 'memoryReservationMiB' | 'cpuReservationPercent'>;
  /** Memory it holds now (MiB); defaults to config.memoryMiB. */
  currentMemoryMiB?: number;
  onlineVcpus?: number;
}

export interface MemoryCapacity {
  capacityMiB: number;
  reservedMiB: number;
  availableMiB: number;
  /** Xen's own use, dom0's reservation and per-guest overheads, all taken off the physical size. */
  overheadMiB: number;
}

export interface ProcessorCapacity {
  processors: number;
  capacityPercent: number;
  reservedPercent: number;
  availablePercent: number;
  vcpusAllocated: number;
}

export interface Capacity {
  memory: MemoryCapacity;
  processor: ProcessorCapacity;
}

export function reservationMiB(g: ActiveGuest): number {
  return Math.max(g.config.memoryReservationMiB, g.currentMemoryMiB ?? g.config.memoryMiB);
}

export function computeCapacity(host: HostFacts, guests: ActiveGuest[], policy: CapacityPolicy = DEFAULT_CAPACITY_POLICY): Capacity {
  let guestCurrent = 0;
  let guestOverhead = 0;
  let reservedMem = 0;
  let reservedCpu = 0;
  let vcpus = 0;
  for (const g of guests) {
    guestCurrent += g.currentMemoryMiB ?? g.config.memoryMiB;
    guestOverhead += overheadMiB(g.config);
    reservedMem += reservationMiB(g);
    reservedCpu += g.config.cpuReservationPercent;
    vcpus += g.onlineVcpus ?? 0;
  }
  const hypervisorOwn = Math.max(0, host.totalMemoryMiB - host.freeMemoryMiB - host.dom0MemoryMiB - guestCurrent - guestOverhead);
  const dom0Reserve = host.dom0MemoryFixed ? host.dom0MemoryMiB : Math.min(host.dom0MemoryMiB, policy.dom0FloorMiB);
  const overhead = hypervisorOwn + dom0Reserve + guestOverhead;
  const capacityMiB = Math.max(0, host.totalMemoryMiB - overhead);
  const cpuCapacity = Math.max(0, host.nrCpus * 100 - policy.dom0CpuPercent);
  return {
    memory: {
      capacityMiB,
      reservedMiB: reservedMem,
      availableMiB: Math.max(0, capacityMiB - reservedMem),
      overheadMiB: overhead,
    },
    processor: {
      processors: host.nrCpus,
      capacityPercent: cpuCapacity,
      reservedPercent: reservedCpu,
      availablePercent: Math.max(0, cpuCapacity - reservedCpu),
      vcpusAllocated: vcpus,
    },
  };
}

export interface AdmissionRequest {
  memoryMiB: number;
  cpuPercent: number;
}

/** What admitting a guest of this configuration asks for (its reservation plus its overhead). */
export function admissionRequest(config: ActiveGuest['config']): AdmissionRequest {
  return {
    memoryMiB: Math.max(config.memoryReservationMiB, config.memoryMiB) + overheadMiB(config),
    cpuPercent: config.cpuReservationPercent,
  };
}

/** Null when it fits what is available now, else a human reason with the figures. */
export function admissionShortfall(cap: Capacity, req: AdmissionRequest): string | null {
  if (req.memoryMiB > cap.memory.availableMiB) {
    return `needs ${req.memoryMiB} MiB (reservation + overhead), ${cap.memory.availableMiB} MiB available of ${cap.memory.capacityMiB} MiB`;
  }
  if (req.cpuPercent > cap.processor.availablePercent) {
    return `needs ${req.cpuPercent}% CPU reservation, ${cap.processor.availablePercent}% available`;
  }
  return null;
}

/**
 * Could a system with this guaranteed memory and CPU ever run here, on the host alone? Null when
 * it could, else the reason with the figures (a definition is refused at once rather than at its
 * first start: reservations are never over-committed).
 */
export function advertisedShortfall(cap: Capacity, name: string, config: Pick<VirtualSystemConfig, 'memoryMiB' | 'memoryReservationMiB' | 'cpuReservationPercent'>): string | null {
  const mem = Math.max(config.memoryReservationMiB, config.memoryMiB);
  if (mem > cap.memory.capacityMiB) {
    return `'${name}' needs ${mem} MiB guaranteed, the host can give at most ${cap.memory.capacityMiB} MiB to guests`;
  }
  if (config.cpuReservationPercent > cap.processor.capacityPercent) {
    return `'${name}' needs ${config.cpuReservationPercent}% of a CPU guaranteed, the host can give at most ${cap.processor.capacityPercent}%`;
  }
  return null;
}

/** Capacity with amounts still held by pending admissions (ledger.ts) counted as reserved. */
export function withPending(cap: Capacity, pending: readonly AdmissionRequest[]): Capacity {
  if (pending.length === 0) return cap;
  const mem = pending.reduce((t, p) => t + p.memoryMiB, 0);
  const cpu = pending.reduce((t, p) => t + p.cpuPercent, 0);
  return {
    memory: { ...cap.memory, reservedMiB: cap.memory.reservedMiB + mem, availableMiB: Math.max(0, cap.memory.availableMiB - mem) },
    processor: { ...cap.processor, reservedPercent: cap.processor.reservedPercent + cpu, availablePercent: Math.max(0, cap.processor.availablePercent - cpu) },
  };
}
