/**
 * A small load generator for the benchmarks: sends the same CIM-XML request N times over
 * keep-alive or new connections, with C requests in flight, and reports latency percentiles.
 * Bounded in count and time; loopback only.
 */
import http from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
}

export async function load(opts: {
  port: number;
  host?: string;
  body: string;
  headers: Record<string, string>;
  requests: number;
  concurrency: number;
  keepAlive: boolean;
}): Promise<LoadResult> {
  const agent = opts.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: opts.concurrency }) : undefined;
  const lat: number[] = [];
  let bytes = 0;
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request(
        {
          host: opts.host ?? '127.0.0.1', port: opts.port, path: '/cimom', method: 'POST', agent: agent ?? false,
          headers: { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', ...opts.headers, 'Content-Length': Buffer.byteLength(opts.body) },
        },
        (res) => {
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
            lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  const worker = async () => {
    while (next < opts.requests) {
      next++;
      await one();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent?.destroy();
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
  return { requests: lat.length, seconds, rps: lat.length / seconds, p50: pct(50), p99: pct(99), bytes: bytes / lat.length };
}
