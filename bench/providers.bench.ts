/**
 * Providers over HTTP against the whole application on xl-sim, with 10, 100 and 1,000 virtual
 * systems (mostly defined, about one in ten running, a few paused, a few adopted):
 * - EnumerateInstances of Xen_ComputerSystem and of CIM_ResourceAllocationSettingData (every
 *   RASD subclass, with the allocation-capability templates): p50/p99 latency with the snapshot
 *   warm (within its TTL: the CIM and provider cost alone) and cold (each request after the TTL:
 *   what a client polling every few seconds sees), and the xl calls made meanwhile besides the
 *   background's `xl list -v` (reads make none: what remains is the background's other queries);
 * - server memory (RSS, heap after GC) once seeded and after the reads;
 * - RequestStateChange (pause/unpause) over HTTP against the bare `xl-sim pause|unpause`:
 *   target overhead < 10% + 2 ms.
 * The server runs in its own process (providers-server.ts). Bounded: about 2 minutes in all.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { imethodcall } from '../test/support/cim-client.js';
import { call } from '../test/support/virt-client.js';
import { load } from './http-load.js';
import type { BenchServerMetrics, BenchServerReady } from './providers-server.js';
import { ask } from './child-ipc.js';
import { median } from './stats.js';
import { shippedNodeFlags } from './shipped-flags.js';

/** BENCH_SIZES=10,100,1000,10000 to choose (1,000 and more are set up in bulk). */
const SIZES = (process.env['BENCH_SIZES'] ?? '10,100,1000').split(',').map(Number);
/** The driver's snapshot TTL (xl-driver.ts default): a cold request comes just after it. */
const SNAPSHOT_TTL_MS = 1000;
const COLD_REQUESTS = 6;
const RSC_ROUNDS = 40;
/** Enumerations of every RASD with GetInstance requests behind them. */
const BEHIND_ROUNDS = 5;


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const f = (x: number, w: number, d = 1): string => x.toFixed(d).padStart(w);
const mib = (bytes: number): number => bytes / 2 ** 20;

interface Op {
  label: string;
  className: string;
  /** Warm requests per size (bounded so that 1,000 systems stay within the time budget). */
  warm: (n: number) => number;
}

const OPS: Op[] = [
  { label: 'EI Xen_ComputerSystem', className: 'Xen_ComputerSystem', warm: (n) => (n >= 10000 ? 10 : n >= 1000 ? 40 : 200) },
  { label: 'EI CIM_RASD (all)', className: 'CIM_ResourceAllocationSettingData', warm: (n) => (n >= 10000 ? 3 : n >= 1000 ? 20 : 100) },
];

function enumBody(className: string): { body: string; headers: Record<string, string> } {
  return {
    body: imethodcall('EnumerateInstances', 'root/virt', { ClassName: `<CLASSNAME NAME="${className}"/>` }),
    headers: { CIMMethod: 'EnumerateInstances', CIMObject: 'root/virt' },
  };
}

/** One request, timed (ms), with its response size; fails loudly on a CIM error. */
async function timedPost(port: number, agent: http.Agent, body: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const text = await new Promise<string>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent,
      headers: { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', ...headers, 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  const ms = performance.now() - t0;
  if (text.includes('<ERROR')) throw new Error(`CIM error: ${text.slice(text.indexOf('<ERROR'), text.indexOf('<ERROR') + 200)}`);
  return { ms, bytes: Buffer.byteLength(text) };
}

/**
 * One large request read as it streams, counting bytes and looking for a CIM error chunk by
 * chunk: the whole answer (75 MB at 10,000 systems) is never joined or decoded here, which would
 * hold this process's event loop for some 100 ms at its end and show as a slow GetInstance.
 */
function streamedPost(port: number, agent: http.Agent, body: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent,
      headers: { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', ...headers, 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let bytes = 0;
      let tail: Buffer = Buffer.alloc(0);
      let failed = false;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        // The marker may straddle two chunks: search the end of the last one with this one.
        if (!failed && Buffer.concat([tail, c.subarray(0, 16)]).includes('<ERROR')) failed = true;
        if (!failed && c.includes('<ERROR')) failed = true;
        tail = c.subarray(Math.max(0, c.length - 8));
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
        else if (failed) reject(new Error('CIM error in the enumeration'));
        else resolve({ ms: performance.now() - t0, bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface SizeResult {
  n: number;
  ready: BenchServerReady;
  rows: { op: string; instances: number; warmP50: number; warmP99: number; coldP50: number; coldMax: number; callsPerCold: number; kib: number }[];
  seeded: BenchServerMetrics;
  after: BenchServerMetrics;
  rsc?: { bare: number; cim: number; callsPerRsc: number };
  /** GetInstance of a system while every RASD is being enumerated on another connection. */
  behind?: { enumMs: number; count: number; p50: number; max: number; loopMaxMs: number; gcMaxMs: number; clientLoopMaxMs: number };
  /** The three everyday reads of Xen_ComputerSystem, 1 and 4 clients, keep-alive and new connections. */
  clients: ClientRow[];
}

interface ClientRow {
  op: string;
  keepAlive: boolean;
  concurrency: number;
  p50: number;
  p99: number;
  bytesPerInstance: number;
  xlCalls: number;
}

/**
 * GetInstance, EnumerateInstanceNames and EnumerateInstances of Xen_ComputerSystem as a client
 * mix sees them: one and four clients, keep-alive and a new connection per request, with the
 * bytes per instance on the wire and the xl calls made meanwhile other than the background's
 * `xl list -v` (reads make none; what remains is the background's other queries: statistics,
 * bridges, the uplink).
 */
async function measureClients(child: ChildProcess, ready: BenchServerReady, n: number): Promise<ClientRow[]> {
  const name = `<INSTANCENAME CLASSNAME="Xen_ComputerSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Xen_ComputerSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">${ready.rscSystem}</KEYVALUE></KEYBINDING></INSTANCENAME>`;
  const cls = '<CLASSNAME NAME="Xen_ComputerSystem"/>';
  const ops: { op: string; method: string; params: Record<string, string>; requests: number; instances: number }[] = [
    { op: 'GetInstance', method: 'GetInstance', params: { InstanceName: name }, requests: 2000, instances: 1 },
    { op: 'EnumerateInstanceNames', method: 'EnumerateInstanceNames', params: { ClassName: cls }, requests: n >= 10000 ? 20 : 200, instances: n },
    { op: 'EnumerateInstances', method: 'EnumerateInstances', params: { ClassName: cls }, requests: n >= 10000 ? 10 : 100, instances: n },
  ];
  const rows: ClientRow[] = [];
  for (const o of ops) {
    const body = imethodcall(o.method, 'root/virt', o.params);
    const headers = { CIMMethod: o.method, CIMObject: 'root/virt' };
    await load({ port: ready.port, body, headers, requests: Math.min(100, o.requests), concurrency: 1, keepAlive: true }); // warm-up
    for (const [keepAlive, concurrency] of [[true, 1], [false, 1], [true, 4], [false, 4]] as const) {
      const m0 = await ask<BenchServerMetrics>(child, 'metrics');
      const r = await load({ port: ready.port, body, headers, requests: o.requests, concurrency, keepAlive });
      const m1 = await ask<BenchServerMetrics>(child, 'metrics');
      const xlCalls = (m1.toolCalls - m0.toolCalls) - (m1.snapshotRefreshes - m0.snapshotRefreshes);
      rows.push({ op: o.op, keepAlive, concurrency, p50: r.p50, p99: r.p99, bytesPerInstance: r.bytes / o.instances, xlCalls });
    }
  }
  return rows;
}

/**
 * GetInstance Xen_ComputerSystem one at a time (its own connection) for as long as an
 * EnumerateInstances of every RASD streams on another: how long a small request waits behind a
 * large one (target: within 50 ms at 10,000 systems).
 */
async function measureBehind(child: ChildProcess, ready: BenchServerReady): Promise<SizeResult['behind']> {
  const big = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const small = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const gi = {
    body: imethodcall('GetInstance', 'root/virt', {
      InstanceName: `<INSTANCENAME CLASSNAME="Xen_ComputerSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Xen_ComputerSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">${ready.rscSystem}</KEYVALUE></KEYBINDING></INSTANCENAME>`,
    }),
    headers: { CIMMethod: 'GetInstance', CIMObject: 'root/virt' },
  };
  try {
    await timedPost(ready.port, small, gi.body, gi.headers);
    const { body, headers } = enumBody('CIM_ResourceAllocationSettingData');
    const times: number[] = [];
    const enumTimes: number[] = [];
    await ask(child, 'stalls-reset');
    // This process's own stalls too: a slow answer may be the client's, not the server's.
    const own = monitorEventLoopDelay({ resolution: 2 });
    own.enable();
    for (let round = 0; round < BEHIND_ROUNDS; round++) {
      let done = false;
      const t0 = performance.now();
      const enumeration = streamedPost(ready.port, big, body, headers).finally(() => { done = true; });
      while (!done) times.push((await timedPost(ready.port, small, gi.body, gi.headers)).ms);
      await enumeration;
      enumTimes.push(performance.now() - t0);
    }
    own.disable();
    const { loopMaxMs, gcMaxMs } = await ask<BenchServerMetrics>(child, 'metrics');
    return { enumMs: median(enumTimes), count: times.length, p50: median(times), max: Math.max(...times), loopMaxMs, gcMaxMs, clientLoopMaxMs: own.max / 1e6 };
  } finally {
    big.destroy();
    small.destroy();
  }
}

async function measureSize(n: number): Promise<SizeResult> {
  const child = fork(fileURLToPath(new URL('./providers-server.js', import.meta.url)), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // The young-generation size the server ships with (bin/xen-wbem, npm start, the systemd unit);
    // BENCH_NODE_DEFAULTS=1 measures with Node's defaults instead.
    execArgv: ['--expose-gc', ...shippedNodeFlags()],
    env: { ...process.env, XEN_WBEM_BENCH_SYSTEMS: String(n) },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ready = await ask<BenchServerReady>(child);
    const seeded = await ask<BenchServerMetrics>(child, 'metrics');
    const rows: SizeResult['rows'] = [];
    for (const op of OPS) {
      const { body, headers } = enumBody(op.className);
      const probe = await timedPost(ready.port, agent, body, headers);
      // Warm: back to back, the snapshot stays within its TTL (refreshed about once a second).
      await load({ port: ready.port, body, headers, requests: Math.min(20, op.warm(n)), concurrency: 1, keepAlive: true });
      const warm = await load({ port: ready.port, body, headers, requests: op.warm(n), concurrency: 1, keepAlive: true });
      // Cold: each request after the snapshot expired.
      const cold: number[] = [];
      let calls = 0;
      for (let i = 0; i < COLD_REQUESTS; i++) {
        await sleep(SNAPSHOT_TTL_MS + 50);
        const before = await ask<BenchServerMetrics>(child, 'metrics');
        cold.push((await timedPost(ready.port, agent, body, headers)).ms);
        const after = await ask<BenchServerMetrics>(child, 'metrics');
        calls += (after.toolCalls - before.toolCalls) - (after.snapshotRefreshes - before.snapshotRefreshes);
      }
      rows.push({
        op: op.label, instances: await countInstances(ready.port, agent, body, headers),
        warmP50: warm.p50, warmP99: warm.p99, coldP50: median(cold), coldMax: Math.max(...cold),
        callsPerCold: calls / COLD_REQUESTS, kib: probe.bytes / 1024,
      });
    }
    const after = await ask<BenchServerMetrics>(child, 'metrics');
    const clients = await measureClients(child, ready, n);
    const behind = await measureBehind(child, ready);
    const rsc = await measureRsc(child, ready, agent);
    return { n, ready, rows, seeded, after, rsc, clients, ...(behind ? { behind } : {}) };
  } finally {
    agent.destroy();
    if (child.connected) child.send('stop');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

async function countInstances(port: number, agent: http.Agent, body: string, headers: Record<string, string>): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent,
      headers: { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', ...headers, 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end(body);
  });
  return text.split('<VALUE.NAMEDINSTANCE>').length - 1;
}

/**
 * Pause/unpause round trips: bare `xl-sim pause|unpause` (spawned here) against
 * Xen_ComputerSystem.RequestStateChange(9 / 2) over HTTP, interleaved; medians.
 */
async function measureRsc(child: ChildProcess, ready: BenchServerReady, agent: http.Agent): Promise<SizeResult['rsc']> {
  const env = { ...process.env, XL_SIM_STATE: ready.simState };
  const cs = { className: 'Xen_ComputerSystem', keys: { CreationClassName: 'Xen_ComputerSystem', Name: ready.rscSystem } };
  const opts = { port: ready.port, namespace: 'root/virt', agent };
  const rsc = async (code: number): Promise<number> => {
    const t0 = performance.now();
    const r = await call(opts, cs, 'RequestStateChange', `<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>${code}</VALUE></PARAMVALUE>`);
    const ms = performance.now() - t0;
    const rv = r.returnValue;
    if (r.error || rv !== 0) throw new Error(`RequestStateChange(${code}) failed: ${JSON.stringify(r.error ?? rv)}`);
    return ms;
  };
  const bare: number[] = [];
  const cim: number[] = [];
  // Warm-up (JIT, sockets), not counted.
  await rsc(9);
  await rsc(2);
  let cimCalls = 0;
  for (let i = 0; i < RSC_ROUNDS; i++) {
    // Interleaved, so that both see the same machine load. The bare pair runs on a twin domain:
    // on the server's own one it would be a change behind its back that its picture shows up to
    // one refresh later (a pause it then thinks already done).
    for (const cmd of ['pause', 'unpause']) {
      const t0 = performance.now();
      await execa(ready.xlSim, [cmd, ready.bareSystem], { env });
      bare.push(performance.now() - t0);
    }
    const m0 = await ask<BenchServerMetrics>(child, 'metrics');
    cim.push(await rsc(9));
    cim.push(await rsc(2));
    const m1 = await ask<BenchServerMetrics>(child, 'metrics');
    // Its own calls: the background listings that ran meanwhile (the twin's changes are behind
    // the server's back, so it lists the host to see them) are not the change's.
    cimCalls += (m1.toolCalls - m0.toolCalls) - (m1.snapshotRefreshes - m0.snapshotRefreshes);
  }
  return { bare: median(bare), cim: median(cim), callsPerRsc: cimCalls / (2 * RSC_ROUNDS) };
}

export async function runProvidersBench(report: (line: string) => void): Promise<void> {
  const t0 = performance.now();
  report('providers over HTTP, whole application on xl-sim (server in its own process; latency in ms)');
  const results: SizeResult[] = [];
  for (const n of SIZES) results.push(await measureSize(n));
  report('systems  mix (def/run/paused/adopted)  operation               instances   warm p50  warm p99   cold p50  cold max  other xl calls/cold  KiB');
  for (const r of results) {
    const m = r.ready.mix;
    for (const [i, row] of r.rows.entries()) {
      const head = i === 0
        ? `${String(r.n).padStart(7)}  ${`${m.defined}/${m.running - m.paused}/${m.paused}/${m.adopted}`.padEnd(30)}`
        : ' '.repeat(39);
      report(`${head}  ${row.op.padEnd(22)} ${String(row.instances).padStart(9)}  ${f(row.warmP50, 9, 2)} ${f(row.warmP99, 9, 2)}  ${f(row.coldP50, 9, 2)} ${f(row.coldMax, 9, 2)}  ${f(row.callsPerCold, 19, 2)} ${f(row.kib, 6, 0)}`);
    }
  }
  report('reads of Xen_ComputerSystem by a client mix (GetInstance, EnumerateInstanceNames and EnumerateInstances of every system)');
  report('systems  operation                conn        c     p50      p99   B/instance  other xl calls meanwhile');
  for (const r of results) {
    for (const c of r.clients) {
      report(`${String(r.n).padStart(7)}  ${c.op.padEnd(24)} ${(c.keepAlive ? 'keep-alive' : 'new').padEnd(10)} ${String(c.concurrency).padStart(2)}  ${f(c.p50, 6, 2)}  ${f(c.p99, 7, 2)}  ${f(c.bytesPerInstance, 11, 0)}  ${String(c.xlCalls).padStart(8)}`);
    }
  }
  report('systems  setup s   RSS seeded MiB (peak so far)   heap seeded MiB   RSS after reads MiB   heap after MiB   peak RSS MiB');
  for (const r of results) {
    report(`${String(r.n).padStart(7)}  ${f(r.ready.setupMs / 1000, 7)}  ${f(mib(r.seeded.rssBytes), 15)} (peak ${f(r.seeded.maxRssKiB / 1024, 5)})  ${f(mib(r.seeded.heapUsedBytes), 16)}  ${f(mib(r.after.rssBytes), 20)}  ${f(mib(r.after.heapUsedBytes), 15)}  ${f(r.after.maxRssKiB / 1024, 13)}`);
  }
  report(`RequestStateChange pause/unpause over HTTP vs bare xl-sim pause/unpause (median of ${2 * RSC_ROUNDS}; target overhead < 10% + 2 ms)`);
  for (const r of results) {
    if (!r.rsc) continue;
    const { bare, cim, callsPerRsc } = r.rsc;
    const over = cim - bare;
    const ok = over < bare * 0.1 + 2;
    report(`${String(r.n).padStart(7)} systems: bare ${f(bare, 6)}  CIM ${f(cim, 6)}  overhead ${f(over, 5)} ms (${f((over / bare) * 100, 4)}%)  own xl calls/RSC ${callsPerRsc.toFixed(2)}  ${ok ? 'within target' : 'OVER TARGET'}`);
  }
  report('GetInstance Xen_ComputerSystem on its own connection while every RASD is enumerated on another (target: within 50 ms)');
  for (const r of results) {
    if (!r.behind) continue;
    const b = r.behind;
    report(`${String(r.n).padStart(7)} systems: enumeration ${f(b.enumMs, 7)} ms (median of ${BEHIND_ROUNDS}); ${b.count} GetInstance meanwhile, p50 ${f(b.p50, 6, 2)} ms, max ${f(b.max, 6, 2)} ms  ${b.max <= 50 ? 'within target' : 'OVER TARGET'}; ` +
      `in the server: longest event-loop stall ${f(b.loopMaxMs, 6, 1)} ms, longest GC pause ${f(b.gcMaxMs, 5, 1)} ms; in this client: longest stall ${f(b.clientLoopMaxMs, 6, 1)} ms`);
  }
  report(`(providers section took ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

// `node dist/bench/providers.bench.js` runs it on its own.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await runProvidersBench((l) => console.log(l));
}
