/**
 * Migration (DSP1081) between two simulated hosts, each with its own in-process server, beside
 * the bare `xl migrate` of a domain of the same size on the same simulated link: the whole
 * MigrateVirtualSystemToHost (checks on both hosts, the definition handed over, the transfer, the
 * definition removed at the source) against xl alone; and the downtime the simulator models
 * (`last-migration.json`: the stop-and-copy plus the resume at the target).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runXl } from '../src/sim/run-xl.js';
import { startHosts, toHost } from '../test/providers/dsp1081-virtual-system-migration/hosts.js';

const ROUNDS = 5;
const MEMORY_MIB = 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runMigrationBench(report: (line: string) => void): Promise<void> {
  // About a 10 GbE link (the simulator's default): 1 GiB takes about a second.
  const h = await startHosts({ migration_mib_per_sec: 1100, migration_dirty_mib_per_sec: 64 }, { migration_mib_per_sec: 1100 });
  try {
    const simA = path.join(h.a.dataDir, 'xl-sim');
    const hostsFile = path.join(h.a.dataDir, 'xl-sim-hosts.json');
    const bare: number[] = [];
    const cim: number[] = [];
    const downtime: number[] = [];
    const modelled: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Bare: xl migrate of a domain xl-wbem does not know, from A's state directory to B's.
      const cfg = path.join(h.base, `bare${i}.cfg`);
      writeFileSync(cfg, `name = "bare${i}"\ntype = "pv"\nmemory = ${MEMORY_MIB}\nvcpus = 1\nkernel = "/boot/vmlinuz-router"\n`);
      await runXl(['create', '-q', cfg], { stateDir: simA });
      let t0 = performance.now();
      const r = await runXl(['migrate', `bare${i}`, 'hostB'], { stateDir: simA, hostsFile });
      bare.push(performance.now() - t0);
      if (r.exitCode !== 0) throw new Error(`xl migrate failed: ${r.stderr}`);
      const fig = JSON.parse(readFileSync(path.join(simA, 'last-migration.json'), 'utf8')) as { downtime_ms: number; total_ms: number };
      downtime.push(fig.downtime_ms);
      modelled.push(fig.total_ms);

      // Over CIM: the router's definition and its domain, as a client asks for it.
      const name = `router${i}`;
      await h.a.server.virt.defineSystem({ name, type: 'pv', memoryMiB: MEMORY_MIB, vcpus: 1, boot: { kernel: '/boot/vmlinuz-router' }, nics: [{ bridge: 'xenbr0' }] });
      await h.a.server.virt.requestState(name, 'running');
      // A router that has been running a while: the server's picture of the host has settled.
      await new Promise((r) => setTimeout(r, 2500));
      t0 = performance.now();
      const call = await toHost(h, 'MigrateVirtualSystemToHost', name, 'hostB');
      if (call.error) throw new Error(call.error.description);
      const job = h.a.server.virt.jobs.list().find((j) => j.target === name && j.name.startsWith('migrate'))!;
      await job.done;
      cim.push(performance.now() - t0);
    }
    const b = median(bare);
    const c = median(cim);
    report(`migration of a ${MEMORY_MIB} MiB running guest, simulated 1100 MiB/s link, median of ${ROUNDS}:`);
    report(`  bare xl migrate:                 ${b.toFixed(0)} ms`);
    report(`  MigrateVirtualSystemToHost (CIM): ${c.toFixed(0)} ms (call to job completed), ${(c / b).toFixed(3)}x bare (target <= 1.05x)`);
    report(`  modelled by the simulator:       ${median(modelled).toFixed(0)} ms in all, downtime ${median(downtime).toFixed(1)} ms (stop-and-copy + resume)`);
  } finally {
    await h.close();
  }
}
