/**
 * A large enumeration on the wire (about 50 MB, Test_Bulk): its time and the server's peak
 * RSS while it is answered (over the RSS before), and GetInstance latency while it streams
 * compared with GetInstance alone. Server in its own process.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { imethodcall, instanceName } from '../test/support/cim-client.js';
import { load } from './http-load.js';
import { ask } from './child-ipc.js';
import { shippedNodeFlags } from './shipped-flags.js';

const INSTANCES = 28_000;


/** One request read to the end at full speed: ms and bytes. */
function fetchAll(port: number, body: string, headers: Record<string, string>, agent: http.Agent | false = false): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({
      host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent,
      headers: { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', ...headers, 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => { bytes += d.length; });
      res.on('end', () => resolve({ ms: performance.now() - t0, bytes }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runStreamBench(report: (line: string) => void): Promise<void> {
  const child = fork(fileURLToPath(new URL('./stream-server.js', import.meta.url)), [String(INSTANCES)], { stdio: 'inherit', execArgv: ['--expose-gc', ...shippedNodeFlags()] });
  const { port } = await ask<{ port: number }>(child);
  try {
    const enumBody = imethodcall('EnumerateInstances', 'root/test', { ClassName: '<CLASSNAME NAME="Test_Bulk"/>' });
    const enumHeaders = { CIMMethod: 'EnumerateInstances', CIMObject: 'root/test' };
    const giBody = imethodcall('GetInstance', 'root/test', { InstanceName: instanceName('Test_Bulk', { InstanceID: 'bulk-00500' }) });
    const giHeaders = { CIMMethod: 'GetInstance', CIMObject: 'root/test' };
    // The first enumeration of a fresh server: RSS does not shrink back after a peak, so only
    // this one shows what an enumeration costs in memory.
    child.send('sample');
    const first = await fetchAll(port, enumBody, enumHeaders);
    const { baseKiB, peakKiB } = await ask<{ baseKiB: number; peakKiB: number }>(child, 'peak');
    await load({ port, body: giBody, headers: giHeaders, requests: 500, concurrency: 1, keepAlive: true }); // warm-up
    const e = await fetchAll(port, enumBody, enumHeaders);
    report(`EnumerateInstances of ${INSTANCES.toLocaleString('en')} instances: ${(e.bytes / 1e6).toFixed(1)} MB in ${e.ms.toFixed(0)} ms ` +
      `(first, cold: ${first.ms.toFixed(0)} ms), ${(e.bytes / INSTANCES).toFixed(0)} B/instance`);
    report(`server RSS during the first enumeration: ${(baseKiB / 1024).toFixed(0)} MiB before, peak ${(peakKiB / 1024).toFixed(0)} MiB (+${((peakKiB - baseKiB) / 1024).toFixed(0)})`);

    const alone = await load({ port, body: giBody, headers: giHeaders, requests: 500, concurrency: 1, keepAlive: true });
    // GetInstance one at a time, keep-alive, for as long as the enumeration takes.
    let streaming = true;
    const lat: number[] = [];
    const enumeration = fetchAll(port, enumBody, enumHeaders).finally(() => { streaming = false; });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (streaming) lat.push((await fetchAll(port, giBody, giHeaders, agent)).ms);
    agent.destroy();
    await enumeration;
    lat.sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
    report(`GetInstance alone: p50 ${alone.p50.toFixed(2)} ms, p99 ${alone.p99.toFixed(2)} ms`);
    report(`GetInstance while the ${(e.bytes / 1e6).toFixed(0)} MB enumeration streams: ${lat.length} requests, ` +
      `p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, max ${lat[lat.length - 1]!.toFixed(2)} ms`);
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
