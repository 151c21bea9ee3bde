/**
 * Issue 2 figures: requests/s and p50/p99 for GetInstance, EnumerateInstanceNames and
 * EnumerateInstances over 1,000 instances, GetClass with qualifiers and deep
 * EnumerateClassNames, over keep-alive and new connections; peak RSS.
 * Reference: SFCB 1.3.18 measured side by side by sfcb.bench.ts (docs/benchmarks.md), p50 on
 * the loaded 2-core machine kind: GetInstance 0.34 ms, EnumerateInstanceNames(1,000) 4.2 ms,
 * EnumerateInstances(1,000) 16.8 ms; our target is half of each.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imethodcall, instanceName } from '../test/support/cim-client.js';
import { load } from './http-load.js';
import { ask } from './child-ipc.js';
import { shippedNodeFlags } from './shipped-flags.js';


export async function runHttpBench(report: (line: string) => void): Promise<void> {
  const child = fork(fileURLToPath(new URL('./bench-server.js', import.meta.url)), { stdio: 'inherit', execArgv: shippedNodeFlags() });
  const { port } = await ask<{ port: number }>(child);
  const srv = { port };
  try {
    const cases: { name: string; ns: string; method: string; params: Record<string, string>; n: number; instances?: number }[] = [
      { name: 'GetInstance', ns: 'root/test', method: 'GetInstance', params: { InstanceName: instanceName('Test_Bulk', { InstanceID: 'bulk-00500' }) }, n: 3000, instances: 1 },
      { name: 'EnumerateInstanceNames (1,000)', ns: 'root/test', method: 'EnumerateInstanceNames', params: { ClassName: '<CLASSNAME NAME="Test_Bulk"/>' }, n: 400, instances: 1000 },
      { name: 'EnumerateInstances (1,000)', ns: 'root/test', method: 'EnumerateInstances', params: { ClassName: '<CLASSNAME NAME="Test_Bulk"/>' }, n: 200, instances: 1000 },
      {
        name: 'GetClass Xen_ComputerSystem +qualifiers', ns: 'root/virt', method: 'GetClass',
        params: { ClassName: '<CLASSNAME NAME="Xen_ComputerSystem"/>', LocalOnly: '<VALUE>FALSE</VALUE>', IncludeQualifiers: '<VALUE>TRUE</VALUE>' }, n: 1000,
      },
      { name: 'EnumerateClassNames deep (root/virt)', ns: 'root/virt', method: 'EnumerateClassNames', params: { DeepInheritance: '<VALUE>TRUE</VALUE>' }, n: 1000 },
    ];
    report('HTTP (server in its own process, load generator in this one; latency in ms)');
    report('operation                                  conn        c   req/s     p50     p99   KiB/resp  B/inst');
    for (const k of cases) {
      const body = imethodcall(k.method, k.ns, k.params);
      const headers = { CIMMethod: k.method, CIMObject: k.ns };
      // Warm-up: JIT and caches.
      await load({ port: srv.port, body, headers, requests: Math.min(1000, k.n), concurrency: 1, keepAlive: true });
      for (const [keepAlive, concurrency] of [[true, 1], [false, 1], [true, 4], [false, 4]] as const) {
        const r = await load({ port: srv.port, body, headers, requests: k.n, concurrency, keepAlive });
        report(
          `${k.name.padEnd(42)} ${(keepAlive ? 'keep-alive' : 'new').padEnd(10)} ${String(concurrency).padStart(2)} ` +
          `${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${(r.bytes / 1024).toFixed(1).padStart(9)}` +
          (k.instances ? ` ${(r.bytes / k.instances).toFixed(0).padStart(7)}` : ''),
        );
      }
    }
    const { maxRssKiB } = await ask<{ maxRssKiB: number }>(child, 'rss');
    report(`server peak RSS: ${(maxRssKiB / 1024).toFixed(0)} MiB`);
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
