/**
 * Driver benchmark: cost of a full read as the number of domains grows (synthetic xl output, so
 * 1,000 and 10,000 domains are possible anywhere), and the driver's overhead over the bare xl call
 * for a state change (against xl-sim).
 */
import { mkdtempSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { XlDriver } from '../src/drivers/xl/xl-driver.js';
import { createXlDriver, simulatorPath } from '../src/drivers/xl/index.js';
import type { RunResult, XlExecutor } from '../src/drivers/xl/runner.js';

/** Answers `xl list -v` / `xl list -l` (start-up reconcile) for n synthetic running PV domains (plus Domain-0). */
class SyntheticXl implements XlExecutor {
  calls = 0;
  readonly uuid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  private readonly listV: string;
  private readonly listL: string;
  constructor(n: number) {
    const uuid = this.uuid;
    const row = (name: string, id: number, u: string): string =>
      `${name.padEnd(40)} ${String(id).padStart(5)} ${'512'.padStart(5)} ${'1'.padStart(5)}     -b----  ${'12.5'.padStart(8)} ${u} ${'-'.padStart(8)} ${'-'.padStart(16)}`;
    const lines = ['Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label',
      row('Domain-0', 0, '00000000-0000-0000-0000-000000000000')];
    const arr: unknown[] = [{ domid: 0, config: { c_info: { type: 'pv', name: 'Domain-0' }, b_info: { max_memkb: 4194304, target_memkb: 4194303 } } }];
    for (let i = 1; i <= n; i++) {
      lines.push(row(`vm${i}`, i, uuid(i)));
      arr.push({
        domid: i,
        config: {
          c_info: { type: 'pv', name: `vm${i}`, uuid: uuid(i), run_hotplug_scripts: 'True' },
          b_info: { max_vcpus: 2, avail_vcpus: [0], max_memkb: 524288, target_memkb: 524288, sched_params: { sched: 'credit2', weight: 256, cap: 0 }, kernel: '/boot/vmlinuz' },
          disks: [{ pdev_path: `/srv/vm${i}.img`, vdev: 'xvda', format: 'raw', readwrite: 1 }],
          nics: [{ devid: 0, mac: `00:16:3e:${((i >> 16) & 0x7f).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`, bridge: 'xenbr0', nictype: 'vif' }],
          on_reboot: 'restart',
        },
      });
    }
    this.listV = lines.join('\n') + '\n';
    this.listL = JSON.stringify(arr, null, 4) + '\n\n';
  }
  async run(args: string[]): Promise<RunResult> {
    this.calls++;
    if (args[0] === 'list') return { stdout: args[1] === '-l' ? this.listL : this.listV, stderr: '', exitCode: 0 };
    return { stdout: '', stderr: '', exitCode: 0 };
  }
}

/** The stored definitions of vm1..vmN, as start-up reconcile would have written them. */
function writeDefinitions(dir: string, n: number, uuid: (i: number) => string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= n; i++) {
    const config = {
      name: `vm${i}`, uuid: uuid(i), type: 'pv', memoryMiB: 512, maxMemoryMiB: 512, vcpus: 1, maxVcpus: 2, cpuWeight: 256, cpuCap: 0,
      boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: `/srv/vm${i}.img`, vdev: 'xvda', format: 'raw', readOnly: false, cdrom: false }],
      nics: [{ mac: `00:16:3e:${((i >> 16) & 0x7f).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`, bridge: 'xenbr0' }],
      onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy', priority: 0, autostart: false, memoryReservationMiB: 512, cpuReservationPercent: 0,
    };
    writeFileSync(join(dir, `vm${i}.json`), JSON.stringify({ version: 1, config, origin: 'adopted', expected: 'running', updatedAt: new Date(0).toISOString() }));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, d = 1): string => x.toFixed(d);

async function readCost(report: (line: string) => void): Promise<void> {
  report('driver: full read (list of every virtual system), synthetic xl output');
  report('  domains   xl calls   median ms   µs/domain   heap MiB');
  for (const n of [10, 100, 1000, 10000]) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-read-'));
    try {
      const xl = new SyntheticXl(n);
      const driver = new XlDriver({ xlPath: 'synthetic', dataDir: dir, executor: xl, snapshotTtlMs: 0 });
      // Steady state: every domain already has its stored definition (written here without fsync:
      // adopting 10,000 domains through the store would measure fsync, not reads).
      writeDefinitions(join(dir, 'definitions'), n, xl.uuid);
      await driver.init();
      const times: number[] = [];
      let calls = 0;
      let heap = 0;
      for (let i = 0; i < 5; i++) {
        driver.invalidate();
        const c0 = xl.calls;
        const h0 = process.memoryUsage().heapUsed;
        const t0 = performance.now();
        const list = await driver.list();
        times.push(performance.now() - t0);
        calls = xl.calls - c0;
        heap = Math.max(heap, process.memoryUsage().heapUsed - h0);
        if (list.length !== n) throw new Error(`expected ${n} systems, got ${list.length}`);
      }
      const ms = median(times);
      report(`  ${String(n).padStart(7)}   ${String(calls).padStart(8)}   ${fmt(ms).padStart(9)}   ${fmt((ms * 1000) / n).padStart(9)}   ${fmt(heap / 2 ** 20).padStart(8)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function changeOverhead(report: (line: string) => void): Promise<void> {
  let xlPath: string;
  try {
    xlPath = simulatorPath();
  } catch {
    report('driver: state-change overhead skipped (bin/xl-sim not found)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-change-'));
  try {
    const state = join(dir, 'xl-sim');
    mkdirSync(state, { recursive: true });
    if (!existsSync(join(dirnameOf(xlPath), '..', 'dist', 'src', 'sim', 'main.js'))) {
      report('driver: state-change overhead skipped (xl-sim not built)');
      return;
    }
    const env = { XL_SIM_STATE: state };
    const driver = createXlDriver({ xlPath, dataDir: dir, env });
    await driver.init();
    await driver.define({ name: 'bench', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
    await driver.start('bench');
    const bare: number[] = [];
    const viaDriver: number[] = [];
    const cold: number[] = [];
    // Interleaved and 50 samples each: a single xl-sim start varies by tens of milliseconds.
    for (let i = 0; i < 25; i++) {
      for (const cmd of ['pause', 'unpause'] as const) {
        let t0 = performance.now();
        await execa(xlPath, [cmd, 'bench'], { env: { ...process.env, ...env } });
        bare.push(performance.now() - t0);
        // undo so the driver's call is valid again
        await execa(xlPath, [cmd === 'pause' ? 'unpause' : 'pause', 'bench'], { env: { ...process.env, ...env } });
        driver.invalidate();
        await driver.list(); // warm snapshot, as on a server that is being read
        t0 = performance.now();
        await driver[cmd]('bench');
        viaDriver.push(performance.now() - t0);
      }
      driver.invalidate();
      const t0 = performance.now();
      await driver.pause('bench');
      cold.push(performance.now() - t0);
      await driver.unpause('bench');
    }
    const b = median(bare);
    const d = median(viaDriver);
    const c = median(cold);
    report('driver: state change (pause/unpause) against xl-sim, median of 50');
    report(`  bare xl call ${fmt(b)} ms; through the driver ${fmt(d)} ms; overhead ${fmt(d - b)} ms = ${fmt(((d - b) / b) * 100)}% (target < 10%)`);
    report(`  with a cold snapshot (one extra xl call, list -v) ${fmt(c)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dirnameOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

export async function runDriverBench(report: (line: string) => void): Promise<void> {
  await readCost(report);
  await changeOverhead(report);
}

// `node dist/bench/driver.bench.js` runs it on its own.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await runDriverBench((l) => console.log(l));
}
