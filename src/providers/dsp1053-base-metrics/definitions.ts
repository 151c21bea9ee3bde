/**
 * The metric definitions (DSP1053 §7.1: one CIM_BaseMetricDefinition per metric, key Id) and how
 * each reads its value from a sample of the model (virt/metrics.ts holds the formulas).
 */
import type { HostSample, Pool, SystemSample } from '../../virt/index.js';

/** CIM_BaseMetricDefinition.DataType / ChangeType / TimeScope values (DMTF CIM Schema, Metrics). */
const REAL64 = 5;
const UINT64 = 13;
const COUNTER = 3;
const GAUGE = 4;
const POINT = 2;
const INTERVAL = 3;
const STARTUP_INTERVAL = 4;
/** Calculable: 2 Summable (counters and sizes add up), 3 Non-summable (percentages). */
const SUMMABLE = 2;
const NON_SUMMABLE = 3;

/** What a metric is measured on. */
export type MetricScope = 'system' | 'memory' | 'processor';

export interface MetricDef {
  /** The part after `Xen:Metric:` in Id. */
  key: string;
  name: string;
  description: string;
  scope: MetricScope;
  dataType: number;
  calculable: number;
  units: string;
  /** DSP0004 programmatic unit. */
  programmaticUnits: string;
  changeType: number;
  timeScope: number;
}

const pct = (key: string, description: string): MetricDef => ({
  key, name: key, description, scope: 'system', dataType: REAL64, calculable: NON_SUMMABLE, units: 'Percent', programmaticUnits: 'percent', changeType: GAUGE, timeScope: INTERVAL,
});
const counter = (key: string, description: string, units: string, programmaticUnits: string): MetricDef => ({
  key, name: key, description, scope: 'system', dataType: UINT64, calculable: SUMMABLE, units, programmaticUnits, changeType: COUNTER, timeScope: STARTUP_INTERVAL,
});
const gauge = (key: string, description: string, scope: MetricScope, units: string, programmaticUnits: string): MetricDef => ({
  key, name: key, description, scope, dataType: UINT64, calculable: SUMMABLE, units, programmaticUnits, changeType: GAUGE, timeScope: POINT,
});

const MIB = 'byte * 2^20';

export const METRICS: readonly MetricDef[] = [
  pct('CPUUtilization', 'CPU use in percent of the system\'s allocation (its vCPUs or its cap, whichever is lower)'),
  pct('CPUUtilizationOfOneCPU', 'CPU use in percent of one physical CPU'),
  gauge('MemoryInUse', 'Memory the system holds now', 'system', 'MebiBytes', MIB),
  gauge('MemoryAssigned', 'Memory assigned to the system (its balloon target)', 'system', 'MebiBytes', MIB),
  counter('DiskReadRequests', 'Disk read requests since the system started', 'Requests', 'count'),
  counter('DiskWriteRequests', 'Disk write requests since the system started', 'Requests', 'count'),
  counter('DiskReadBytes', 'Bytes read from disks since the system started', 'Bytes', 'byte'),
  counter('DiskWriteBytes', 'Bytes written to disks since the system started', 'Bytes', 'byte'),
  counter('NetworkTransmittedBytes', 'Bytes the system transmitted since it started', 'Bytes', 'byte'),
  counter('NetworkReceivedBytes', 'Bytes the system received since it started', 'Bytes', 'byte'),
  counter('NetworkTransmittedPackets', 'Packets the system transmitted since it started', 'Packets', 'count'),
  counter('NetworkReceivedPackets', 'Packets the system received since it started', 'Packets', 'count'),
  counter('Uptime', 'Time since the system was last started', 'Seconds', 'second'),
  gauge('MemoryCapacity', 'Memory the host can give to guests, net of Xen, the control domain and per-guest overhead', 'memory', 'MebiBytes', MIB),
  gauge('MemoryReserved', 'Memory reserved by active guests', 'memory', 'MebiBytes', MIB),
  gauge('MemoryAvailable', 'Memory still available to guests', 'memory', 'MebiBytes', MIB),
  gauge('ProcessorCapacity', 'Processor share the host can give to guests, net of the control domain', 'processor', 'Percent of one CPU', 'percent'),
  gauge('ProcessorReserved', 'Processor share reserved by active guests', 'processor', 'Percent of one CPU', 'percent'),
  gauge('ProcessorAvailable', 'Processor share still available to guests', 'processor', 'Percent of one CPU', 'percent'),
];

export const METRIC_ID_PREFIX = 'Xen:Metric:';

export function metricId(def: MetricDef): string {
  return METRIC_ID_PREFIX + def.key;
}

/** A system metric's value, or undefined when the sample has none (no I/O counters from the driver). */
export function systemValue(def: MetricDef, s: SystemSample): number | undefined {
  switch (def.key) {
    case 'CPUUtilization': return s.cpuPercentOfAllocation;
    case 'CPUUtilizationOfOneCPU': return s.cpuPercentOfOneCpu;
    case 'MemoryInUse': return s.memoryInUseMiB;
    case 'MemoryAssigned': return s.memoryAssignedMiB;
    case 'DiskReadRequests': return s.io?.diskReadRequests;
    case 'DiskWriteRequests': return s.io?.diskWriteRequests;
    case 'DiskReadBytes': return s.io?.diskReadBytes;
    case 'DiskWriteBytes': return s.io?.diskWriteBytes;
    case 'NetworkTransmittedBytes': return s.io?.netTxBytes;
    case 'NetworkReceivedBytes': return s.io?.netRxBytes;
    case 'NetworkTransmittedPackets': return s.io?.netTxPackets;
    case 'NetworkReceivedPackets': return s.io?.netRxPackets;
    case 'Uptime': return s.uptimeSec;
    default: return undefined;
  }
}

/**
 * CIM_BaseMetricValue.Duration of a system's value, as its definition's TimeScope says
 * (CIM_BaseMetricDefinition.TimeScope): 0 for a Point, the sample's interval for an Interval,
 * the time since the system started for a StartupInterval. Pool and host values are Points: 0.
 */
export function systemDurationMs(def: MetricDef, s: SystemSample): number {
  switch (def.timeScope) {
    case INTERVAL: return s.durationMs;
    case STARTUP_INTERVAL: return s.uptimeSec * 1000;
    default: return 0;
  }
}

/** A capacity metric's value for a pool (the memory or processor pool) or for the host. */
export function capacityValue(def: MetricDef, from: Pool | HostSample): number | undefined {
  if ('kind' in from) {
    if (from.kind !== def.scope) return undefined;
    if (def.key.endsWith('Capacity')) return from.capacity;
    if (def.key.endsWith('Reserved')) return from.reserved;
    return from.available;
  }
  switch (def.key) {
    case 'MemoryCapacity': return from.memoryCapacityMiB;
    case 'MemoryReserved': return from.memoryReservedMiB;
    case 'MemoryAvailable': return from.memoryAvailableMiB;
    case 'ProcessorCapacity': return from.processorCapacityPercent;
    case 'ProcessorReserved': return from.processorReservedPercent;
    case 'ProcessorAvailable': return from.processorAvailablePercent;
    default: return undefined;
  }
}
