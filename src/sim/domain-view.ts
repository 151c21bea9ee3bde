// Derived, hypervisor-like views of a domain (xc_dominfo flags, CPU time, vCPU counts).
import type { Domain } from './host-state.js';

export function cpuTimeNs(d: Domain): number {
  return d.vcpus.reduce((a, v) => a + v.time_ns, 0);
}

export function onlineVcpus(d: Domain): number {
  return d.vcpus.filter((v) => v.online).length;
}

export interface Flags { running: boolean; blocked: boolean; paused: boolean; shutdown: boolean; dying: boolean }

/**
 * Dom0 runs the xl process, so it is "running"; an idle guest that has run is "blocked"
 * (also while paused, as Xen reports it); a guest paused since creation is neither
 * (samples list-after-pause and list in test/data/xl-samples).
 */
export function flags(d: Domain): Flags {
  const shutdown = d.shutdown_reason !== null;
  return {
    running: d.domid === 0,
    blocked: d.domid !== 0 && d.has_run && !shutdown,
    paused: d.pause_count > 0,
    shutdown,
    dying: false,
  };
}

/** The 6-letter state column of `xl list` (samples in test/data/xl-samples). */
export function xlStateString(d: Domain): string {
  const f = flags(d);
  const reason = f.shutdown ? ('-rscwS'[d.shutdown_reason!] ?? '?') : '-';
  return (f.running ? 'r' : '-') + (f.blocked ? 'b' : '-') + (f.paused ? 'p' : '-') +
    (f.shutdown ? 's' : '-') + reason + (f.dying ? 'd' : '-');
}
