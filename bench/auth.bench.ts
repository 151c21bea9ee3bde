/**
 * A legitimate client's latency (GetInstance, keep-alive, one request at a time, its
 * credentials already verified) while 32 clients send wrong passwords as fast as they get
 * answers: from one address, then from 32 addresses (127.0.0.2 …), beside the quiet figures.
 * Target: within 2× of quiet. The attackers' answers (401, 429) are counted too.
 */
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imethodcall, instanceName } from '../test/support/cim-client.js';
import { ask } from './child-ipc.js';
import { shippedNodeFlags } from './shipped-flags.js';

const ATTACKERS = 32;
const SAMPLES = 5000;


const body = imethodcall('GetInstance', 'root/test', { InstanceName: instanceName('Test_Widget', { InstanceID: 'w1' }) });
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

function request(port: number, agent: http.Agent, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/cimom', method: 'POST', agent,
      headers: {
        'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', CIMMethod: 'GetInstance',
        CIMObject: 'root/test', Authorization: authorization, 'Content-Length': Buffer.byteLength(body),
      },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function legitimate(port: number): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const lat: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    const status = await request(port, agent, basic('admin', 'right-password'));
    if (status !== 200) throw new Error(`legitimate client got HTTP ${status}`);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length / 2)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}

/** Attackers loop until `stop`; `counts` holds the answers they got by status (reset at will). */
function flood(port: number, addresses: number): { counts: Record<number, number>; stop: () => Promise<void> } {
  let running = true;
  const counts: Record<number, number> = {};
  const workers = Array.from({ length: ATTACKERS }, async (_, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.0.${2 + (i % addresses)}` } as http.AgentOptions);
    let n = 0;
    while (running) {
      const status = await request(port, agent, basic('admin', `wrong-${i}-${n++}`)).catch(() => 0);
      counts[status] = (counts[status] ?? 0) + 1;
    }
    agent.destroy();
  });
  return { counts, stop: async () => { running = false; await Promise.all(workers); } };
}

export async function runAuthBench(report: (line: string) => void): Promise<void> {
  const child = fork(fileURLToPath(new URL('./auth-server.js', import.meta.url)), { stdio: 'inherit', execArgv: shippedNodeFlags() });
  const { port } = await ask<{ port: number }>(child);
  try {
    await legitimate(port);                                   // warm-up; verifies the credential once
    report(`legitimate GetInstance (keep-alive, c=1, ${SAMPLES} requests) with ${ATTACKERS} clients sending wrong passwords`);
    report('condition                           p50 ms   p99 ms   attackers: answers/s (401 / 429)');
    const quiet = await legitimate(port);
    report(`${'quiet'.padEnd(34)} ${quiet.p50.toFixed(2).padStart(7)} ${quiet.p99.toFixed(2).padStart(8)}`);
    for (const addresses of [1, ATTACKERS]) {
      const f = flood(port, addresses);
      await new Promise((r) => setTimeout(r, 1500));         // past the first burst of checks
      for (const k of Object.keys(f.counts)) delete f.counts[Number(k)];
      const t0 = performance.now();
      const r = await legitimate(port);
      const seconds = (performance.now() - t0) / 1000;
      const counts = { ...f.counts };
      await f.stop();
      const rate = (k: number) => ((counts[k] ?? 0) / seconds).toFixed(0);
      report(`${`flood from ${addresses} address${addresses > 1 ? 'es' : ''}`.padEnd(34)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(8)}   ${rate(401)} / ${rate(429)}`
        + `   (p50 ${(r.p50 / quiet.p50).toFixed(1)}× quiet)`);
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
