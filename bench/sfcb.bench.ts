/**
 * Side by side with SFCB (`npm run bench -- sfcb`): the request mix of http.bench.ts — GetInstance,
 * EnumerateInstanceNames and EnumerateInstances over 1,000 Test_Bulk instances, 1 and 4
 * clients, keep-alive and new connections — against our bench server and against an SFCB
 * given by SFCB_URL on this machine, interleaved round by round so both see the same load.
 * Prints medians over the rounds of each p50/p99 and of each round's ratio ours/SFCB, bytes per
 * instance, and for GetInstance the floor (sfcb-floor.ts) under both.
 * docs/benchmarks.md says how to build and start SFCB.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imethodcall, instanceName } from '../test/support/cim-client.js';
import { load } from './http-load.js';
import { ask } from './child-ipc.js';
import { median } from './stats.js';
import { BULK, compareOne, seedOther } from './sfcb-seed.js';
import { startFloorServer } from './sfcb-floor.js';
import { shippedNodeFlags } from './shipped-flags.js';

interface Target { name: string; port: number; ns: string; cls: string }
interface Sample { p50: number; p99: number; bytes: number }
interface Case { name: string; method: string; n: number; instances: number; params: (cls: string) => Record<string, string> }

const CASES: Case[] = [
  { name: 'GetInstance', method: 'GetInstance', n: 2000, instances: 1, params: (cls) => ({ InstanceName: instanceName(cls, { InstanceID: 'bulk-00500' }) }) },
  { name: 'EnumerateInstanceNames (1,000)', method: 'EnumerateInstanceNames', n: 300, instances: BULK, params: (cls) => ({ ClassName: `<CLASSNAME NAME="${cls}"/>` }) },
  { name: 'EnumerateInstances (1,000)', method: 'EnumerateInstances', n: 150, instances: BULK, params: (cls) => ({ ClassName: `<CLASSNAME NAME="${cls}"/>` }) },
];
const MODES = [[true, 1], [false, 1], [true, 4], [false, 4]] as const;

function sfcbTarget(): Target | string {
  const raw = process.env.SFCB_URL;
  if (!raw) return 'SFCB not given: set SFCB_URL (e.g. http://127.0.0.1:5988), SFCB_NAMESPACE (root/test) and SFCB_CLASS (Test_Bulk); docs/benchmarks.md, "Side by side with SFCB", says how to build and start it.';
  const url = new URL(raw);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) return `SFCB_URL must be plain http on this machine's loopback (got ${raw})`;
  return { name: 'SFCB', port: Number(url.port || 5988), ns: process.env.SFCB_NAMESPACE ?? 'root/test', cls: process.env.SFCB_CLASS ?? 'Test_Bulk' };
}

async function measure(t: Target, k: Case, keepAlive: boolean, concurrency: number, n: number) {
  const body = imethodcall(k.method, t.ns, k.params(t.cls));
  return load({ port: t.port, body, headers: { CIMMethod: k.method, CIMObject: t.ns }, requests: n, concurrency, keepAlive });
}

const ms = (x: number) => x.toFixed(2).padStart(7);

export async function runSfcbBench(report: (line: string) => void): Promise<void> {
  const sfcb = sfcbTarget();
  if (typeof sfcb === 'string') return report(sfcb);
  const child = fork(fileURLToPath(new URL('./bench-server.js', import.meta.url)), { stdio: 'inherit', execArgv: shippedNodeFlags() });
  const { port } = await ask<{ port: number }>(child);
  const ours: Target = { name: 'ours', port, ns: 'root/test', cls: 'Test_Bulk' };
  const floorServer = await startFloorServer(2048);
  const floor: Target = { name: 'floor', port: floorServer.port, ns: 'root/test', cls: 'Test_Bulk' };
  const rounds = Number(process.env.SFCB_ROUNDS ?? 3);
  try {
    const seeded = await seedOther({ port: sfcb.port, namespace: sfcb.ns }, sfcb.cls);
    report(`SFCB at 127.0.0.1:${sfcb.port} ${sfcb.ns}:${sfcb.cls}: ${seeded.before} instances found, ${seeded.created} created (of ${BULK})`);
    const diffs = await compareOne({ port, namespace: 'root/test' }, { port: sfcb.port, namespace: sfcb.ns }, sfcb.cls);
    report(diffs.length ? `bulk-00500 differs: ${diffs.join('; ')}` : 'bulk-00500 reads back with the same properties and values from both');
    report(`latency in ms, median over ${rounds} interleaved rounds of each p50/p99 and of each round's ratio ours / SFCB (the target is ≤ 0.50 at p50);`);
    report('the floor rows: the same client against a bare node:http server, and floor / SFCB, the lowest ratio any server could show');
    report('operation                          conn        c | ours p50     p99 | SFCB p50     p99 | ratio p50   p99 | B/inst ours  SFCB');
    for (const k of CASES) {
      // GetInstance rounds also time the floor: what the same client costs against a bare server.
      const targets = k.method === 'GetInstance' ? [ours, sfcb, floor] : [ours, sfcb];
      // Warm-up on each, one full run: after 200 GetInstances our first keep-alive round was still
      // twice as slow as the next ones (a server that runs for days is past that); SFCB starts
      // its provider process.
      for (const t of targets) await measure(t, k, true, 1, k.n);
      for (const [keepAlive, concurrency] of MODES) {
        const runs = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
        for (let r = 0; r < rounds; r++) {
          // Alternate who goes first, so a burst of load elsewhere does not always hit one side.
          for (const t of r % 2 ? [...targets].reverse() : targets) runs.get(t.name)!.push(await measure(t, k, keepAlive, concurrency, k.n));
        }
        const m = (side: string, f: keyof Sample) => median(runs.get(side)!.map((x) => x[f]));
        // Each round's ratio compares two runs taken seconds apart: steadier than a ratio of medians.
        const ratio = (side: string, f: 'p50' | 'p99') => median(runs.get(side)!.map((x, i) => x[f] / runs.get('SFCB')![i]![f]));
        const perInst = (side: string) => (m(side, 'bytes') / k.instances).toFixed(0).padStart(side === 'ours' ? 11 : 5);
        const conn = `${(keepAlive ? 'keep-alive' : 'new').padEnd(10)} ${String(concurrency).padStart(2)}`;
        report(
          `${k.name.padEnd(34)} ${conn} |${ms(m('ours', 'p50'))} ${ms(m('ours', 'p99'))} |${ms(m('SFCB', 'p50'))} ${ms(m('SFCB', 'p99'))} |` +
          `${ratio('ours', 'p50').toFixed(2).padStart(8)} ${ratio('ours', 'p99').toFixed(2).padStart(5)} |${perInst('ours')} ${perInst('SFCB')}`,
        );
        if (runs.has('floor')) {
          report(`${'  floor: bare node:http, 2 KiB'.padEnd(34)} ${conn} |${ms(m('floor', 'p50'))} ${ms(m('floor', 'p99'))} |${' '.repeat(16)} |${ratio('floor', 'p50').toFixed(2).padStart(8)} ${ratio('floor', 'p99').toFixed(2).padStart(5)} |`);
        }
      }
    }
  } finally {
    await floorServer.stop();
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
