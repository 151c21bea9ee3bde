/**
 * Driver benchmark (synthetic xl output, so 1,000 and 10,000 domains are set up in one step
 * anywhere): xl calls per read (0 once started: the picture is refreshed in the background), read
 * latency right after more than 1 s idle against a forced refresh, a read while `xl list` hangs,
 * and the driver's overhead over the bare xl call for a state change (against xl-sim).
 */
import { mkdtempSync, rmSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { XlDriver } from '../src/drivers/xl/xl-driver.js';
import { createXlDriver, simulatorPath } from '../src/drivers/xl/index.js';
import type { RunOptions, RunResult, XlExecutor } from '../src/drivers/xl/runner.js';
import { VirtError } from '../src/virt/errors.js';
import { VirtManager } from '../src/virt/manager.js';
import { createDomainsBulk } from '../src/sim/bulk.js';
import { median, pct } from './stats.js';

const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Answers `xl list -v` / `xl list -l` (start-up reconcile) for n synthetic running PV domains (plus Domain-0). */
class SyntheticXl implements XlExecutor {
  calls = 0;
  /** What a real `xl list -v` costs beyond parsing (process start, hypercalls). */
  listDelayMs = 0;
  /** `xl list` hangs until its deadline (then fails as the runner would). */
  hangList = false;
  readonly uuid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  private readonly listV: string;
  private readonly listL: string;
  /** A host big enough for n guests of 512 MiB (real `xl info` with the memory figures scaled). */
  private readonly info: string;
  constructor(n: number) {
    const mib = 8192 + n * 520;
    this.info = readFileSync(join(REPO_ROOT, 'test', 'data', 'xl-driver', 'info.out'), 'utf8')
      .replace(/^total_memory\s*:.*$/m, `total_memory           : ${mib + 4096}`)
      .replace(/^free_memory\s*:.*$/m, `free_memory            : ${mib - n * 514}`);
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
  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls++;
    if (args[0] === 'list' && this.hangList) {
      const ms = opts.timeoutMs ?? 120_000;
      await new Promise((r) => setTimeout(r, ms));
      throw new VirtError('timeout', `xl ${args[0]} did not finish within ${ms} ms and was killed`);
    }
    if (args[0] === 'list' && this.listDelayMs) await new Promise((r) => setTimeout(r, this.listDelayMs));
    if (args[0] === 'list') return { stdout: args[1] === '-l' ? this.listL : this.listV, stderr: '', exitCode: 0 };
    if (args[0] === 'info') return { stdout: this.info, stderr: '', exitCode: 0 };
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

const fmt = (x: number, d = 1): string => x.toFixed(d);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A started driver over n synthetic domains, each with its stored definition. */
async function syntheticDriver(n: number, dir: string): Promise<{ driver: XlDriver; xl: SyntheticXl }> {
  const xl = new SyntheticXl(n);
  // Steady state: every domain already has its stored definition (written here without fsync:
  // adopting 10,000 domains through the store would measure fsync, not reads).
  writeDefinitions(join(dir, 'definitions'), n, xl.uuid);
  const driver = new XlDriver({ xlPath: 'synthetic', dataDir: dir, executor: xl, commandTimeoutMs: 2000 });
  await driver.init();
  xl.listDelayMs = 20;
  return { driver, xl };
}

async function readCost(report: (line: string) => void, sizes: number[]): Promise<void> {
  report('driver: reads over synthetic xl output (a real-xl-like 20 ms per xl list), background refresh every 2 s');
  report('  systems   xl calls/read   after >1 s idle p50/p99 ms   forced refresh p50/p99 ms   µs/system (forced)');
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-read-'));
    const { driver, xl } = await syntheticDriver(n, dir);
    try {
      // xl calls made BY reads: 200 reads, minus the background's own refreshes meanwhile.
      const c0 = xl.calls;
      const r0 = driver.metrics().snapshotRefreshes;
      for (let i = 0; i < 100; i++) {
        if ((await driver.list()).length !== n) throw new Error(`expected ${n} systems`);
        await driver.get(`vm${1 + (i % n)}`);
      }
      const byReads = (xl.calls - c0) - (driver.metrics().snapshotRefreshes - r0);
      const idle: number[] = [];
      for (let i = 0; i < 8; i++) {
        await sleep(1100);
        const t0 = performance.now();
        await driver.get(`vm${1 + (i % n)}`);
        await driver.list();
        idle.push(performance.now() - t0);
      }
      const forced: number[] = [];
      for (let i = 0; i < 8; i++) {
        driver.invalidate();
        const t0 = performance.now();
        await driver.list();
        forced.push(performance.now() - t0);
      }
      report(`  ${String(n).padStart(7)}   ${String(byReads / 200).padStart(13)}   ${`${fmt(pct(idle, 50), 2)} / ${fmt(pct(idle, 99), 2)}`.padStart(26)}   ` +
        `${`${fmt(pct(forced, 50))} / ${fmt(pct(forced, 99))}`.padStart(25)}   ${fmt((median(forced) * 1000) / n).padStart(18)}`);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function readDuringHang(report: (line: string) => void): Promise<void> {
  const n = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-hang-'));
  const { driver, xl } = await syntheticDriver(n, dir);
  try {
    xl.hangList = true;
    await sleep(4500); // the background's `xl list -v` hangs now (deadline 2 s here) and failed once
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await driver.get(`vm${1 + i}`);
      await driver.list();
      times.push(performance.now() - t0);
      await sleep(40);
    }
    const f = driver.freshness();
    report(`driver: a read (get + list, ${n} systems) while xl list hangs: p50 ${fmt(pct(times, 50), 2)} ms, p99 ${fmt(pct(times, 99), 2)} ms; ` +
      `served stale=${f.stale}, picture ${f.ageMs} ms old`);
  } finally {
    xl.hangList = false;
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
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
        await driver.list(); // the picture after the change behind our back
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
    report(`  right after an invalidation (waits for the background's list -v) ${fmt(c)} ms`);
    // The same through VirtManager (RequestStateChange's path): pause = target paused, unpause = running.
    const vm = new VirtManager(driver, { pollIntervalMs: 50 });
    const viaVirt: number[] = [];
    let ownCalls = 0;
    for (let i = 0; i < 25; i++) {
      for (const target of ['paused', 'running'] as const) {
        await driver.list();
        const m0 = driver.metrics();
        const t0 = performance.now();
        await vm.requestState('bench', target);
        viaVirt.push(performance.now() - t0);
        const m1 = driver.metrics();
        ownCalls += (m1.toolCalls - m0.toolCalls) - (m1.snapshotRefreshes - m0.snapshotRefreshes);
      }
    }
    const v = median(viaVirt);
    report(`  through VirtManager (requestState paused/running) ${fmt(v)} ms; overhead ${fmt(v - b)} ms = ${fmt(((v - b) / b) * 100)}%; ` +
      `xl calls per change ${fmt(ownCalls / 50, 2)}`);
    await driver.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start-up over n synthetic running domains: first start (every domain adopted) and a restart. */
async function startUp(report: (line: string) => void, sizes: number[]): Promise<void> {
  report('driver: start-up over synthetic xl output (no xl process cost): first start adopts every domain, restart reads them back');
  report('  systems   first start (adoption) ms   restart ms   xl calls at restart');
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
    try {
      const xl = new SyntheticXl(n);
      let t0 = performance.now();
      const first = new XlDriver({ xlPath: 'synthetic', dataDir: dir, executor: xl, commandTimeoutMs: 60_000 });
      const rec = await first.init();
      const adoptMs = performance.now() - t0;
      // The restart below is one after the fold (the adopted definitions' files written) ended.
      await first.store.compact();
      await first.close();
      if (rec.adopted.length !== n) throw new Error(`adopted ${rec.adopted.length} of ${n}`);
      const c0 = xl.calls;
      t0 = performance.now();
      const again = new XlDriver({ xlPath: 'synthetic', dataDir: dir, executor: xl, commandTimeoutMs: 60_000 });
      await again.init();
      const restartMs = performance.now() - t0;
      const calls = xl.calls - c0;
      await again.close();
      report(`  ${String(n).padStart(7)}   ${fmt(adoptMs).padStart(25)}   ${fmt(restartMs).padStart(10)}   ${String(calls).padStart(19)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** DefineSystem (VirtManager: capacity check, then the driver's define; no xl call) as the number of systems grows. */
async function defineCost(report: (line: string) => void, sizes: number[]): Promise<void> {
  report('driver: DefineSystem through VirtManager (capacity check + definition write), median of 30; the write is one fsync');
  report('  systems   define ms   get after define ms   xl calls per define');
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-define-'));
    const { driver, xl } = await syntheticDriver(n, dir);
    try {
      const vm = new VirtManager(driver, { pollIntervalMs: 50 });
      await vm.capacity();
      const times: number[] = [];
      const gets: number[] = [];
      const c0 = xl.calls;
      const r0 = driver.metrics().snapshotRefreshes;
      for (let i = 0; i < 30; i++) {
        let t0 = performance.now();
        await vm.defineSystem({ name: `new${i}`, type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
        times.push(performance.now() - t0);
        t0 = performance.now();
        await vm.getSystem(`vm${1 + (i % n)}`);
        gets.push(performance.now() - t0);
      }
      const calls = (xl.calls - c0) - (driver.metrics().snapshotRefreshes - r0);
      report(`  ${String(n).padStart(7)}   ${fmt(median(times), 2).padStart(9)}   ${fmt(median(gets), 3).padStart(19)}   ${fmt(calls / 30, 2).padStart(19)}`);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Start-up against xl-sim (real xl processes) with n running domains created in bulk. */
async function startUpSim(report: (line: string) => void, sizes: number[]): Promise<void> {
  let xlPath: string;
  try {
    xlPath = simulatorPath();
  } catch {
    report('driver: start-up against xl-sim skipped (bin/xl-sim not found)');
    return;
  }
  report('driver: start-up against xl-sim (xl list -v and xl list -l as processes), domains created in bulk');
  report('  (a first start records the adopted definitions in the journal and writes their files in the background, the "fold";');
  report('   a restart before the fold ended replays the journal)');
  report('  systems   bulk set-up ms   first start (adoption) ms   restart, fold cut short ms   fold ms   restart ms');
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-simstart-'));
    try {
      const state = join(dir, 'xl-sim');
      mkdirSync(state, { recursive: true });
      writeFileSync(join(state, 'host.json'), JSON.stringify({ total_memory_mib: 8192 + n * 140, nr_cpus: 64 }));
      let t0 = performance.now();
      const cfg = (i: number): string => `name = "vm${i}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\nvcpus = 1\nvif = [ 'bridge=xenbr0' ]\n`;
      createDomainsBulk(state, Array.from({ length: n }, (_, i) => ({ cfg: cfg(i + 1) })));
      // The set-up's own write-back is not the start-up's: flush it before measuring.
      await execa('sync', []);
      const setupMs = performance.now() - t0;
      const env = { XL_SIM_STATE: state };
      t0 = performance.now();
      const first = createXlDriver({ xlPath, dataDir: dir, env });
      const rec = await first.init();
      const adoptMs = performance.now() - t0;
      await first.close();
      if (rec.adopted.length !== n) throw new Error(`adopted ${rec.adopted.length} of ${n}`);
      t0 = performance.now();
      const cut = createXlDriver({ xlPath, dataDir: dir, env });
      await cut.init();
      const cutMs = performance.now() - t0;
      t0 = performance.now();
      await cut.store.compact();
      const foldMs = performance.now() - t0;
      await cut.close();
      t0 = performance.now();
      const again = createXlDriver({ xlPath, dataDir: dir, env });
      await again.init();
      const restartMs = performance.now() - t0;
      await again.close();
      report(`  ${String(n).padStart(7)}   ${fmt(setupMs).padStart(14)}   ${fmt(adoptMs).padStart(25)}   ${fmt(cutMs).padStart(26)}   ${fmt(foldMs).padStart(7)}   ${fmt(restartMs).padStart(10)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function dirnameOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

export async function runDriverBench(report: (line: string) => void): Promise<void> {
  const sizes = (process.env['BENCH_SIZES'] ?? '10,100,1000').split(',').map(Number);
  // xl-sim's start-up first: right after another run has created and removed 10,000 files, ext4
  // creates the next 10,000 about three times slower (measured), which is the file system's
  // state, not the start-up's.
  if (process.env['BENCH_ONLY'] === 'startup') {
    await startUpSim(report, sizes);
    return startUp(report, sizes);
  }
  if (process.env['BENCH_ONLY'] === 'define') return defineCost(report, sizes);
  if (process.env['BENCH_ONLY'] === 'reads') return readCost(report, sizes);
  await startUpSim(report, sizes);
  await startUp(report, sizes);
  await defineCost(report, sizes);
  await readCost(report, sizes);
  await readDuringHang(report);
  await changeOverhead(report);
}

// `node dist/bench/driver.bench.js` runs it on its own.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await runDriverBench((l) => console.log(l));
}
