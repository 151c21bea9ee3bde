/**
 * The providers benchmark's server process (forked by providers.bench.ts, so the load generator
 * shares neither its CPU nor its heap): the whole application (src/app.ts startServer) on
 * xl-sim in a temporary data directory, seeded with `XEN_WBEM_BENCH_SYSTEMS` virtual systems:
 * a few adopted (created with xl-sim behind the server's back before it starts), about one in
 * ten running (one in a hundred of those paused), the rest only defined.
 * IPC: sends { port, simState, setupMs, mix } when ready; answers 'metrics' with the driver's
 * counters and memory (after a GC when --expose-gc); 'stop' closes and removes everything.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startServer } from '../src/app.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { simulatorPath } from '../src/drivers/xl/index.js';
import type { VirtualSystemSpec } from '../src/virt/index.js';
import type { VirtualSystemConfig } from '../src/virt/types.js';
import { normalizeSpec } from '../src/virt/spec.js';
import { DefinitionStore } from '../src/drivers/xl/definition-store.js';
import { createDomainsBulk } from '../src/sim/bulk.js';
import { randomUUID } from 'node:crypto';

/** A distinct locally administered Xen MAC per defined system. */
function macOf(i: number): string {
  const h = (x: number): string => x.toString(16).padStart(2, '0');
  return `00:16:3e:${h((i >> 16) & 0x7f)}:${h((i >> 8) & 0xff)}:${h(i & 0xff)}`;
}

export interface BenchServerReady {
  port: number;
  simState: string;
  xlSim: string;
  setupMs: number;
  mix: { total: number; adopted: number; running: number; paused: number; defined: number };
  /** A running (unpaused) system for the RequestStateChange round trips. */
  rscSystem: string;
  /** Another running domain like it, for the bare xl calls the RequestStateChange figures are compared with. */
  bareSystem: string;
}

export interface BenchServerMetrics {
  toolCalls: number;
  snapshotRefreshes: number;
  configLoads: number;
  rssBytes: number;
  heapUsedBytes: number;
  maxRssKiB: number;
  /** CPU time the server process has used (user + system), ms. */
  cpuMs: number;
  /** Since the last 'stalls-reset': the longest the event loop was held (ms) and the longest GC pause (ms). */
  loopMaxMs: number;
  gcMaxMs: number;
}

// What holds the event loop (and so every request) longest: one turn's work, or a GC pause.
const loopDelay = monitorEventLoopDelay({ resolution: 2 });
loopDelay.enable();
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
}).observe({ entryTypes: ['gc'] });

const n = Number(process.env.XEN_WBEM_BENCH_SYSTEMS ?? '10');
const t0 = performance.now();
const dataDir = process.env.XEN_WBEM_BENCH_SETUP_DIR ?? mkdtempSync(join(tmpdir(), 'bench-providers-'));
const simState = join(dataDir, 'xl-sim');
mkdirSync(simState, { recursive: true });
// A host big enough for every running guest of the largest mix; guests go down at once.
writeFileSync(join(simState, 'host.json'), JSON.stringify({ bridges: ['xenbr0', 'xenbr1'], total_memory_mib: Math.max(262_144, n * 40), nr_cpus: 64, shutdown_seconds: 0.1 }));
const xlSim = simulatorPath();
const env = { ...process.env, XL_SIM_STATE: simState };

const adopted = Math.max(1, Math.floor(n / 100));
const running = Math.max(3, Math.floor(n / 10)); // adopted ones included
const paused = Math.max(1, Math.floor(n / 100));

const spec = (name: string): VirtualSystemSpec => ({
  name, type: 'pv', memoryMiB: 128, maxMemoryMiB: 256, vcpus: 1, maxVcpus: 2,
  boot: { kernel: '/boot/vmlinuz', cmdline: 'root=/dev/xvda1 ro' },
  disks: [{ target: `/var/lib/xen/images/${name}.img`, vdev: 'xvda' }],
  nics: [{ bridge: i2bridge(name) }],
});
function i2bridge(name: string): string {
  return Number(name.replace(/\D/g, '')) % 4 === 0 ? 'xenbr1' : 'xenbr0';
}

// At 1,000 systems and more the host is set up in bulk (one transaction through xl-sim's own
// domain creation, and the defined-only systems written through the definition store in one
// batch): thousands of `xl create` processes and DefineSystem calls would take minutes.
const bulk = n >= 1000;

/**
 * The bulk set-up, run in a child process (XEN_WBEM_BENCH_SETUP_DIR): the server's memory
 * figures are then those of a server started on a host that has the systems, not of the set-up.
 */
async function bulkSetup(): Promise<void> {
  // Every running system is a domain created behind the server's back, adopted at start-up.
  const cfgText = (name: string): string => [
    `name = "${name}"`, 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'extra = "root=/dev/xvda1 ro"', 'memory = 128', 'maxmem = 256',
    'vcpus = 1', 'maxvcpus = 2', `disk = [ 'format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/${name}.img' ]`,
    `vif = [ 'bridge=${i2bridge(name)}' ]`, '',
  ].join('\n');
  const live = liveNames();
  createDomainsBulk(simState, live.map((name, i) => ({ cfg: cfgText(name), paused: i < paused })));
  const store = new DefinitionStore(dataDir);
  await store.init();
  await store.putMany(Array.from({ length: n - running }, (_, i) => {
    const name = `vs${String(i).padStart(5, '0')}`;
    const norm = normalizeSpec(spec(name));
    const config: VirtualSystemConfig = { ...norm, uuid: randomUUID(), nics: norm.nics.map((x) => ({ ...x, mac: macOf(i) })) };
    return { config, origin: 'defined' as const, expected: 'stopped' as const, lastState: 'defined' as const, stateChangedAt: new Date().toISOString() };
  }));
  // Their files written (the journal folded), as on a host where they were defined long ago.
  await store.compact();
  await store.close();
}

function liveNames(): string[] {
  return Array.from({ length: running }, (_, i) => `vr${String(i).padStart(5, '0')}`);
}

if (process.env.XEN_WBEM_BENCH_SETUP_DIR) {
  await bulkSetup();
  process.exit(0);
}

let server: Awaited<ReturnType<typeof startServer>>;
let rscSystem: string;
let bareSystem: string;
let mix: BenchServerReady['mix'];
if (bulk) {
  // Every running system is a domain created behind the server's back, adopted at start-up.
  await execa(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, XEN_WBEM_BENCH_SETUP_DIR: dataDir }, stdio: 'inherit' });
  const live = liveNames();
  server = await startServer({ ...DEFAULT_CONFIG, port: 0, dataDir, demo: false, hostName: 'benchhost' }, () => {});
  rscSystem = live.at(-1)!;
  bareSystem = live.at(-2)!;
  mix = { total: n, adopted: running, running, paused, defined: n - running };
} else {
  // Domains the server did not define: adopted at start-up (their live configuration becomes their definition).
  for (let i = 0; i < adopted; i++) {
    const cfg = join(dataDir, `legacy${i}.cfg`);
    writeFileSync(cfg, [
      `name = "legacy${i}"`, 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'memory = 128', 'vcpus = 1',
      `disk = [ 'format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/legacy${i}.img' ]`, "vif = [ 'bridge=xenbr0' ]", '',
    ].join('\n'));
    await execa(xlSim, ['create', cfg], { env });
  }
  server = await startServer({ ...DEFAULT_CONFIG, port: 0, dataDir, demo: false, hostName: 'benchhost' }, () => {});
  const names = Array.from({ length: n - adopted }, (_, i) => `vs${String(i).padStart(4, '0')}`);
  for (const name of names) await server.virt.defineSystem(spec(name));
  const toStart = names.slice(0, running - adopted);
  const reach = async (name: string, target: 'running' | 'paused'): Promise<void> => {
    const change = await server.virt.requestStateChange(name, target);
    if (change.kind === 'job') await change.job.done;
  };
  for (const name of toStart) await reach(name, 'running');
  for (const name of toStart.slice(0, paused)) await reach(name, 'paused');
  rscSystem = toStart.at(-1)!;
  bareSystem = 'legacy0'; // adopted, running, same size
  mix = { total: n, adopted, running, paused, defined: n - running };
}
const virt = server.virt;

const ready: BenchServerReady = {
  port: server.httpPort, simState, xlSim, setupMs: performance.now() - t0, mix, rscSystem, bareSystem,
};
process.send!(ready);

process.on('message', async (m) => {
  if (m === 'metrics') {
    (globalThis as { gc?: () => void }).gc?.();
    const d = virt.driverMetrics();
    const mem = process.memoryUsage();
    const out: BenchServerMetrics = {
      toolCalls: d.toolCalls, snapshotRefreshes: d.snapshotRefreshes, configLoads: d.configLoads ?? 0,
      rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, maxRssKiB: process.resourceUsage().maxRSS,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      loopMaxMs: loopDelay.max / 1e6, gcMaxMs,
    };
    process.send!(out);
  }
  if (m === 'stalls-reset') {
    loopDelay.reset();
    gcMaxMs = 0;
    process.send!('ok');
  }
  if (m === 'stop') await stop();
});
// A bench that died without saying stop leaves no server behind.
process.on('disconnect', () => void stop());

async function stop(): Promise<void> {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
