/**
 * The Prometheus view of the model's metrics (GET /metrics, text exposition format): the latest
 * sample of virt/metrics.ts, read at scrape time (a scrape never asks the hypervisor). Names are
 * prefixed `xen_wbem_`, in Prometheus base units (bytes, seconds); labels are the system name or
 * the pool's PoolID, never a physical identifier. docs/metrics.md lists them.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricsSample, SystemSample, VirtManager } from './virt/index.js';

const MIB = 1024 * 1024;

type SystemReading = (s: SystemSample) => number | undefined;

const SYSTEM_GAUGES: Array<[string, string, SystemReading]> = [
  ['xen_wbem_system_cpu_utilization_percent', 'CPU use in percent of the system\'s allocation (its vCPUs or its cap, whichever is lower)', (s) => s.cpuPercentOfAllocation],
  ['xen_wbem_system_cpu_one_cpu_percent', 'CPU use in percent of one physical CPU', (s) => s.cpuPercentOfOneCpu],
  ['xen_wbem_system_cpu_allocation_percent', 'The system\'s CPU allocation in percent of one CPU', (s) => s.cpuAllocationPercent],
  ['xen_wbem_system_memory_in_use_bytes', 'Memory the system holds now', (s) => s.memoryInUseMiB * MIB],
  ['xen_wbem_system_memory_assigned_bytes', 'Memory assigned to the system (its balloon target)', (s) => s.memoryAssignedMiB * MIB],
  ['xen_wbem_system_uptime_seconds', 'Time since the system was last started', (s) => s.uptimeSec],
];

const SYSTEM_COUNTERS: Array<[string, string, SystemReading]> = [
  ['xen_wbem_system_cpu_seconds_total', 'CPU time the system used since it started', (s) => s.cpuTimeSec],
  ['xen_wbem_system_disk_read_requests_total', 'Disk read requests since the system started', (s) => s.io?.diskReadRequests],
  ['xen_wbem_system_disk_write_requests_total', 'Disk write requests since the system started', (s) => s.io?.diskWriteRequests],
  ['xen_wbem_system_disk_read_bytes_total', 'Bytes read from disks since the system started', (s) => s.io?.diskReadBytes],
  ['xen_wbem_system_disk_write_bytes_total', 'Bytes written to disks since the system started', (s) => s.io?.diskWriteBytes],
  ['xen_wbem_system_network_transmit_bytes_total', 'Bytes the system transmitted since it started', (s) => s.io?.netTxBytes],
  ['xen_wbem_system_network_receive_bytes_total', 'Bytes the system received since it started', (s) => s.io?.netRxBytes],
  ['xen_wbem_system_network_transmit_packets_total', 'Packets the system transmitted since it started', (s) => s.io?.netTxPackets],
  ['xen_wbem_system_network_receive_packets_total', 'Packets the system received since it started', (s) => s.io?.netRxPackets],
];

/** Pool figures: [name, help, pool kind, field, scale to base units]. */
const POOL_GAUGES: Array<[string, string, 'memory' | 'processor', 'capacity' | 'reserved' | 'available', number]> = [
  ['xen_wbem_memory_capacity_bytes', 'Memory the host can give to guests, net of Xen, the control domain and per-guest overhead', 'memory', 'capacity', MIB],
  ['xen_wbem_memory_reserved_bytes', 'Memory reserved by active guests', 'memory', 'reserved', MIB],
  ['xen_wbem_memory_available_bytes', 'Memory still available to guests', 'memory', 'available', MIB],
  ['xen_wbem_processor_capacity_percent', 'Processor share the host can give to guests, in percent of one CPU, net of the control domain', 'processor', 'capacity', 1],
  ['xen_wbem_processor_reserved_percent', 'Processor share reserved by active guests, in percent of one CPU', 'processor', 'reserved', 1],
  ['xen_wbem_processor_available_percent', 'Processor share still available to guests, in percent of one CPU', 'processor', 'available', 1],
];

/** PoolID as the CIM side spells it (ProcessorPool/0, MemoryPool/0). */
const POOL_PREFIX = { memory: 'MemoryPool', processor: 'ProcessorPool' } as const;

export interface PrometheusExport {
  contentType: string;
  render(): Promise<string>;
}

export function createPrometheusExport(virt: Pick<VirtManager, 'metrics'>): PrometheusExport {
  const registry = new Registry();
  const latest = (): MetricsSample | undefined => virt.metrics.latest();
  for (const [name, help, read] of SYSTEM_GAUGES) {
    new Gauge({
      name, help, labelNames: ['system'], registers: [registry],
      collect() {
        this.reset();
        for (const s of latest()?.systems ?? []) {
          const v = read(s);
          if (v !== undefined) this.set({ system: s.name }, v);
        }
      },
    });
  }
  for (const [name, help, read] of SYSTEM_COUNTERS) {
    new Counter({
      name, help, labelNames: ['system'], registers: [registry],
      // The sample holds the cumulative value: a counter is set by resetting it and adding that.
      collect() {
        this.reset();
        for (const s of latest()?.systems ?? []) {
          const v = read(s);
          if (v !== undefined) this.inc({ system: s.name }, v);
        }
      },
    });
  }
  for (const [name, help, kind, field, scale] of POOL_GAUGES) {
    new Gauge({
      name, help, labelNames: ['pool'], registers: [registry],
      collect() {
        this.reset();
        for (const p of latest()?.pools ?? []) {
          const v = p[field];
          if (p.kind === kind && v !== undefined) this.set({ pool: `${POOL_PREFIX[kind]}/${p.id.split('/')[1] ?? '0'}` }, v * scale);
        }
      },
    });
  }
  new Gauge({
    name: 'xen_wbem_metrics_sample_timestamp_seconds', help: 'When the latest sample was taken (Unix time)', registers: [registry],
    collect() {
      const s = latest();
      if (s) this.set(s.at / 1000);
    },
  });
  return { contentType: registry.contentType, render: () => registry.metrics() };
}
