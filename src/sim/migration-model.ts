// How long `xl migrate` takes in the simulator and how long the guest is down: libxc's
// iterative pre-copy (tools/libs/guest/xg_sr_save.c: the first iteration sends every page while
// the guest runs, each further one the pages dirtied meanwhile, at most 5 live iterations, then
// the guest is suspended and the rest is sent: the stop-and-copy), plus the time to resume the
// guest at the target. A paused guest dirties nothing: one iteration, and it is down the whole
// time. Figures in host.json (per host, the sender's count):
//   migration_mib_per_sec        transfer rate (default 1100, about a 10 GbE link)
//   migration_dirty_mib_per_sec  pages a running guest dirties (default 64)
//   migration_resume_ms          target side: devices reconnected, guest unpaused (default 30)
import { join } from 'node:path';
import type { HostConfig } from './host-state.js';
import { atomicWrite } from './store.js';

const PAGE_KIB = 4;
const MAX_ITERATIONS = 5;
/** Stop iterating once fewer pages than this are dirty (libxc's dirty threshold is 50 pages). */
const STOP_PAGES = 50;

export interface Iteration { index: number; pages: number; ms: number }

export interface MigrationPlan {
  iterations: Iteration[];
  maxIterations: number;
  /** Suspended at the sender until running at the target: last dirty pages plus resume. */
  downtimeMs: number;
  figures: { memory_kib: number; pages_sent: number; precopy_ms: number; downtime_ms: number; total_ms: number; live: boolean };
}

export function migrationPlan(memKiB: number, paused: boolean, host: Partial<HostConfig>): MigrationPlan {
  const rate = Math.max(1, host.migration_mib_per_sec ?? 1100) * 1024 / PAGE_KIB / 1000; // pages per ms
  const dirty = paused ? 0 : Math.max(0, host.migration_dirty_mib_per_sec ?? 64) * 1024 / PAGE_KIB / 1000;
  const resumeMs = Math.max(0, host.migration_resume_ms ?? 30);
  const total = Math.max(1, Math.ceil(memKiB / PAGE_KIB));
  const iterations: Iteration[] = [];
  let pages = total;
  let last = 0;
  for (let i = 0; i < MAX_ITERATIONS && (i === 0 || pages >= STOP_PAGES); i++) {
    const ms = pages / rate;
    iterations.push({ index: i, pages, ms });
    pages = Math.min(total, Math.ceil(dirty * ms));
    last = pages;
  }
  // A paused guest is down for the whole copy; a running one for the stop-and-copy only.
  const stopCopyMs = last / rate;
  const precopyMs = iterations.reduce((a, it) => a + it.ms, 0);
  const downtimeMs = stopCopyMs + resumeMs + (paused ? precopyMs : 0);
  const sent = iterations.reduce((a, it) => a + it.pages, 0) + last;
  return {
    iterations, maxIterations: MAX_ITERATIONS, downtimeMs: stopCopyMs + resumeMs,
    figures: {
      memory_kib: memKiB, pages_sent: sent, precopy_ms: round(precopyMs), downtime_ms: round(downtimeMs),
      total_ms: round(precopyMs + stopCopyMs + resumeMs), live: !paused,
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The figures of the last successful migration from this host (last-migration.json). */
export function recordMigration(dir: string, figures: Record<string, unknown>): void {
  try {
    atomicWrite(join(dir, 'last-migration.json'), JSON.stringify(figures, null, 2) + '\n');
  } catch {
    // figures only: the migration itself has happened
  }
}
