/**
 * Side by side with SFCB (`npm run bench -- sfcb`): the request mix of http.bench.ts — GetInstance,
 * EnumerateInstanceNames and EnumerateInstances over 1,000 Test_Bulk instances, 1 and 4
 * clients, keep-alive and new connections — against our bench server and against an SFCB
 * given by SFCB_URL on this machine, interleaved round by round so both see the same load.
 * Prints medians over the rounds of each p50/p99 and of each round's ratio ours/SFCB, and bytes
 * per instance.
 * docs/benchmarks.md says how to build and start SFCB.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imethodcall, instanceName } from '../test/support/cim-client.js';
import { load } from './http-load.js';
import { ask } from './child-ipc.js';
import { median } from './stats.js';
import { BULK, compareOne, seedOther } from './sfcb-seed.js';

interface Target { name: string; port: number; ns: string; cls: string }
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
  const child = fork(fileURLToPath(new URL('./bench-server.js', import.meta.url)), { stdio: 'inherit' });
  const { port } = await ask<{ port: number }>(child);
  const ours: Target = { name: 'ours', port, ns: 'root/test', cls: 'Test_Bulk' };
  const rounds = Number(process.env.SFCB_ROUNDS ?? 3);
  try {
    const seeded = await seedOther({ port: sfcb.port, namespace: sfcb.ns }, sfcb.cls);
    report(`SFCB at 127.0.0.1:${sfcb.port} ${sfcb.ns}:${sfcb.cls}: ${seeded.before} instances found, ${seeded.created} created (of ${BULK})`);
    const diffs = await compareOne({ port, namespace: 'root/test' }, { port: sfcb.port, namespace: sfcb.ns }, sfcb.cls);
    report(diffs.length ? `bulk-00500 differs: ${diffs.join('; ')}` : 'bulk-00500 reads back with the same properties and values from both');
    report(`latency in ms, median over ${rounds} interleaved rounds of each p50/p99 and of each round's ratio ours / SFCB (the target is ≤ 0.50 at p50)`);
    report('operation                          conn        c | ours p50     p99 | SFCB p50     p99 | ratio p50   p99 | B/inst ours  SFCB');
    for (const k of CASES) {
      // Warm-up on both: JIT, caches, SFCB's provider process.
      for (const t of [ours, sfcb]) await measure(t, k, true, 1, Math.min(200, k.n));
      for (const [keepAlive, concurrency] of MODES) {
        const runs = { ours: [] as { p50: number; p99: number; bytes: number }[], SFCB: [] as { p50: number; p99: number; bytes: number }[] };
        for (let r = 0; r < rounds; r++) {
          // Alternate who goes first, so a burst of load elsewhere does not always hit one side.
          for (const t of r % 2 ? [sfcb, ours] : [ours, sfcb]) runs[t.name as 'ours' | 'SFCB'].push(await measure(t, k, keepAlive, concurrency, k.n));
        }
        const m = (side: 'ours' | 'SFCB', f: 'p50' | 'p99' | 'bytes') => median(runs[side].map((x) => x[f]));
        // Each round's ratio compares two runs taken seconds apart: steadier than a ratio of medians.
        const ratio = (f: 'p50' | 'p99') => median(runs.ours.map((x, i) => x[f] / runs.SFCB[i]![f]));
        const perInst = (side: 'ours' | 'SFCB') => (m(side, 'bytes') / k.instances).toFixed(0).padStart(side === 'ours' ? 11 : 5);
        report(
          `${k.name.padEnd(34)} ${(keepAlive ? 'keep-alive' : 'new').padEnd(10)} ${String(concurrency).padStart(2)} |` +
          `${ms(m('ours', 'p50'))} ${ms(m('ours', 'p99'))} |${ms(m('SFCB', 'p50'))} ${ms(m('SFCB', 'p99'))} |` +
          `${ratio('p50').toFixed(2).padStart(8)} ${ratio('p99').toFixed(2).padStart(5)} |` +
          `${perInst('ours')} ${perInst('SFCB')}`,
        );
      }
    }
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
