/**
 * Virtual networks (the real xl driver over xl-sim, in this process and, for 10 routers, as a
 * process per call like xl on a real host): the launch of a parked network
 * of 10 and 100 routers — paused (unpause) and saved (restore) — from the call to every member
 * running, beside starting them one by one and the slowest single unpause/restore (the target is
 * ≤ 1.2× the slowest single one; each row says whether it meets it); and a link's bandwidth change
 * beside the bare `xenstore write` of netback's key, with the vif's devid and the absence of
 * detach/attach checked in the xl log. Every figure is the median of a few rounds (the machine
 * may be shared); a row with xl-sim as processes also gives the CPU one process costs, which
 * bounds from below what N of them can take on this machine's cores.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { FileNetworkStore } from '../src/drivers/xl/network-store.js';
import { checkXlArgs, settleXlCall, type RunOptions, type RunResult, type XlExecutor } from '../src/drivers/xl/runner.js';
import { XlDriver } from '../src/drivers/xl/xl-driver.js';
import { XlRunner } from '../src/drivers/xl/runner.js';
import { SPAWNS_PER_TURN } from '../src/drivers/xl/spawn-turns.js';
import { simulatorPath } from '../src/drivers/xl/detect.js';
import { commitStats } from '../src/sim/group-commit.js';
import { createDomainsBulk } from '../src/sim/bulk.js';
import { runXl } from '../src/sim/run-xl.js';
import { VirtManager } from '../src/virt/manager.js';
import type { NetworkTarget } from '../src/virt/networks/types.js';
import { median } from './stats.js';

/** xl-sim in this process, with the log of every call. */
class LoggedSim implements XlExecutor {
  readonly log: string[][] = [];
  constructor(private readonly stateDir: string) {}
  get calls(): number {
    return this.log.length;
  }
  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    checkXlArgs(args);
    this.log.push([...args]);
    const r = await runXl(args, { stateDir: this.stateDir, ...(opts.signal ? { signal: opts.signal } : {}) });
    return settleXlCall({ args, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? undefined, timedOut: false, timeoutMs: opts.timeoutMs ?? 0, cancelled: r.exitCode === null }, opts);
  }
}

const ms = (t: number): string => `${t.toFixed(t < 100 ? 1 : 0)} ms`;

/** bin/xl-sim as a process per call (calls run in parallel, as xl does on a real host), with the log. */
class LoggedProcess implements XlExecutor {
  readonly log: string[][] = [];
  private readonly runner: XlRunner;
  constructor(stateDir: string) {
    this.runner = new XlRunner({ xlPath: simulatorPath(), env: { XL_SIM_STATE: stateDir } });
  }
  get calls(): number {
    return this.log.length;
  }
  run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.log.push([...args]);
    return this.runner.run(args, opts);
  }
}

type Mode = 'in-process' | 'process';

async function setup(n: number, mode: Mode = 'in-process', firstAhead = false, background = 0): Promise<{ dir: string; sim: LoggedSim | LoggedProcess; vm: VirtManager; driver: XlDriver; names: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-net-'));
  const state = join(dir, 'xl-sim');
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, 'host.json'), JSON.stringify({ bridges: ['xenbr0'], total_memory_mib: 262_144 + 64 * background, nr_cpus: 64 }));
  // Other domains of the host (not in the network), created behind the server's back: adopted at start.
  if (background > 0) {
    createDomainsBulk(state, Array.from({ length: background }, (_, i) => ({
      cfg: `name = "bg${i}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\nvcpus = 1\nvif = [ 'bridge=xenbr0' ]\n`,
    })));
  }
  const sim = mode === 'process' ? new LoggedProcess(state) : new LoggedSim(state);
  const driver = new XlDriver({ dataDir: dir, xlPath: 'xl-sim (in-process)', executor: sim, refreshIntervalMs: 500 });
  const vm = new VirtManager(driver, { pollIntervalMs: 20, networkStore: new FileNetworkStore(dir) });
  await vm.init();
  const names = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  await Promise.all(names.map((name) => vm.defineSystem({ name, type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } })));
  await vm.networks.define({
    name: 'net', members: names.map((system, i) => ({ system, priority: firstAhead && i === 0 ? 1 : 0 })),
    links: names.slice(1).map((b, i) => ({ name: `l${i + 1}`, ends: [{ system: names[i]! }, { system: b }], limitBitsPerSecond: 100_000_000 })),
  });
  return { dir, sim, vm, driver, names };
}

async function whole(vm: VirtManager, target: NetworkTarget): Promise<number> {
  const t0 = performance.now();
  const r = await vm.networks.requestStateChange('net', target);
  if (r.kind === 'job') {
    const out = await r.job.done;
    const bad = out.filter((o) => !o.ok);
    if (bad.length > 0) throw new Error(`${bad.length} members failed: ${bad[0]!.error}`);
  }
  return performance.now() - t0;
}

/**
 * Park the network (not timed). On a loaded machine a member may be read back in its old state
 * (the driver's picture served stale): asking again drives only the members not there yet.
 */
async function park(vm: VirtManager, target: NetworkTarget): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await whole(vm, target);
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** One by one, each timed: the total and the slowest. */
async function oneByOne(vm: VirtManager, names: string[]): Promise<{ total: number; slowest: number }> {
  const t0 = performance.now();
  let slowest = 0;
  for (const n of names) {
    const t = performance.now();
    await vm.requestState(n, 'running');
    slowest = Math.max(slowest, performance.now() - t);
  }
  return { total: performance.now() - t0, slowest };
}

/** CPU time (user + system, ms) of this process's children that have ended (Linux: /proc/self/stat). */
function childCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // cutime and cstime: fields 16 and 17 of stat(5), here counted from field 3; clock ticks of 10 ms.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

const TARGET = 1.2;

/**
 * `firstAhead`: the first router has a higher priority, so it is driven before the others: two
 * groups one after the other, which a single call cannot match (the target is for one group).
 */
async function launch(n: number, rounds: number, report: (line: string) => void, mode: Mode = 'in-process', firstAhead = false): Promise<void> {
  const { dir, sim, vm, driver, names } = await setup(n, mode, firstAhead);
  try {
    for (const [parked, op] of [['paused', 'unpause'], ['suspended', 'restore']] as const) {
      const launches: number[] = [];
      const totals: number[] = [];
      const slowest: number[] = [];
      let calls: string[][] = [];
      let writes = 0;
      let cpuPerProcess: number | undefined;
      for (let r = 0; r < rounds; r++) {
        await park(vm, parked);
        const callsBefore = sim.log.length;
        const writesBefore = commitStats.writes;
        const cpuBefore = childCpuMs();
        launches.push(await whole(vm, 'running'));
        const cpuAfter = childCpuMs();
        calls = sim.log.slice(callsBefore);
        writes = commitStats.writes - writesBefore;
        if (mode === 'process' && cpuBefore !== undefined && cpuAfter !== undefined) cpuPerProcess = (cpuAfter - cpuBefore) / Math.max(1, calls.length);
        await park(vm, parked);
        const single = await oneByOne(vm, names);
        totals.push(single.total);
        slowest.push(single.slowest);
      }
      const launchMs = median(launches);
      const slowestMs = median(slowest);
      const ratio = launchMs / slowestMs;
      const lists = calls.filter((a) => a[0] === 'list').length;
      const verdict = firstAhead ? 'two priority groups, one after the other: for information' : `target ≤ ${TARGET}×: ${ratio <= TARGET ? 'met' : 'NOT met'}`;
      let line = `${mode}: network of ${n} routers${firstAhead ? ' (the first one ahead)' : ''} parked ${parked}: launch ${ms(launchMs)}; one by one ${ms(median(totals))}; ` +
        `slowest single ${op} ${ms(slowestMs)}; launch / slowest single = ${ratio.toFixed(2)}×, each router after the first adding ${ms((launchMs - slowestMs) / (n - 1))} ` +
        `(${verdict}; median of ${rounds}; launch: ${calls.length} tool calls, ${lists} xl list` +
        `${mode === 'in-process' ? `, ${writes} writes of the host state` : ''})`;
      if (cpuPerProcess !== undefined) {
        const cores = availableParallelism();
        const floor = (calls.length * cpuPerProcess) / cores;
        line += `; each xl-sim process costs ${ms(cpuPerProcess)} CPU: the launch's ${calls.length} need ≥ ${ms(floor)} of this machine's ${cores} cores ` +
          `(${(calls.length / cores).toFixed(1)}× one process's CPU) before any waiting, where a single ${op} runs one`;
      }
      report(line);
    }
  } finally {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A network launched on a host with many other domains: what a member costs must not grow with
 * the host (the picture patched per member shares its indexes: picture-layers.ts). The single
 * unpause is the slowest of a few; on xl-sim it mostly reads and writes its state of every domain.
 */
async function launchAmong(background: number, n: number, rounds: number, report: (line: string) => void): Promise<void> {
  const { dir, sim, vm, driver, names } = await setup(n, 'in-process', false, background);
  try {
    const launches: number[] = [];
    let cpu = 0;
    for (let r = 0; r < rounds; r++) {
      await park(vm, 'paused');
      const c0 = process.cpuUsage();
      launches.push(await whole(vm, 'running'));
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1000 / rounds;
    }
    await park(vm, 'paused');
    const single = await oneByOne(vm, names.slice(0, 5));
    // The same unpauses straight to the simulator, all at once, the server not involved (last: its picture is not told).
    await park(vm, 'paused');
    const t0 = performance.now();
    await Promise.all(names.map((name) => sim.run(['unpause', name])));
    const bare = performance.now() - t0;
    const launchMs = median(launches);
    report(`in-process: network of ${n} routers parked paused on a host of ${background.toLocaleString('en')} other domains: launch ${ms(launchMs)} ` +
      `(${ms(cpu)} of CPU, the simulator's included); the ${n} bare xl unpause at once ${ms(bare)}; slowest of 5 single unpauses ${ms(single.slowest)}; ` +
      `each router after the first adding ${ms((launchMs - single.slowest) / (n - 1))} (median of ${rounds})`);
  } finally {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bandwidth(report: (line: string) => void): Promise<void> {
  const { dir, sim, vm, driver } = await setup(2);
  try {
    await whole(vm, 'running');
    const domid = (await sim.run(['domid', 'r1'])).stdout.trim();
    const devidsBefore = (await sim.run(['network-list', domid])).stdout;
    const key = `/local/domain/0/backend/vif/${domid}/0/rate`;
    const rounds = 50;
    sim.log.length = 0;
    let t0 = performance.now();
    for (let i = 0; i < rounds; i++) await vm.networks.setLinkBandwidth('net', 'l1', { limitBitsPerSecond: (i % 2 ? 100 : 200) * 1_000_000 });
    const set = (performance.now() - t0) / rounds;
    const detach = sim.log.filter((a) => a[0] === 'network-detach' || a[0] === 'network-attach').length;
    const perChange = sim.log.length / rounds;
    t0 = performance.now();
    for (let i = 0; i < rounds; i++) await sim.run(['xenstore', 'write', key, `${i % 2 ? 625000 : 1250000},50000`]);
    const bare = (performance.now() - t0) / rounds;
    const same = (await sim.run(['network-list', domid])).stdout === devidsBefore;
    report(`setLinkBandwidth (both ends live): ${set.toFixed(2)} ms per change (${perChange.toFixed(1)} tool calls); bare xenstore write ${bare.toFixed(2)} ms; ` +
      `devids unchanged: ${same}; network-detach/attach calls: ${detach}`);
  } finally {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What starting many xl processes at once costs the event loop (a whole network launched on a real
 * host, where xl is a process per call): N calls of a native program that does nothing
 * (/bin/true as xl), all asked for at once. Each start holds the loop until the child has exec'd;
 * the runner starts SPAWNS_PER_TURN per turn (spawn-turns.ts), so the longest hold is a few
 * starts, not N of them.
 */
async function spawnBurst(n: number, rounds: number, report: (line: string) => void): Promise<void> {
  const runner = new XlRunner({ xlPath: '/bin/true' });
  await Promise.all(Array.from({ length: 8 }, () => runner.run(['list']))); // code warm
  const walls: number[] = [];
  const stalls: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the monitor measures from its first tick
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => runner.run(['list'])));
    walls.push(performance.now() - t0);
    loop.disable();
    stalls.push(loop.max / 1e6);
  }
  report(`networks: ${n} xl processes asked for at once (/bin/true as xl): all ended after ${ms(median(walls))}; ` +
    `the event loop was held at most ${ms(median(stalls))} at a time (${SPAWNS_PER_TURN} starts per turn; median of ${rounds})`);
}

export async function runNetworksBench(report: (line: string) => void): Promise<void> {
  await launch(10, 5, report);
  await launch(10, 5, report, 'in-process', true);
  await launch(100, 3, report);
  await launch(10, 3, report, 'process');
  await launchAmong(10_000, 100, 3, report);
  await spawnBurst(100, 3, report);
  await bandwidth(report);
}
