/**
 * The load generator's own share of a round trip: a bare node:http server in a child process
 * that answers every POST with a fixed body of the given size, as fast as Node can. Its p50 is
 * the floor under both servers' figures; a ratio to SFCB cannot go below floor / SFCB's time.
 * Run as a child: `node sfcb-floor.js BYTES` sends {port} over IPC and serves until 'stop'.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { ask } from './child-ipc.js';

export async function startFloorServer(bytes: number): Promise<{ port: number; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [String(bytes)], { stdio: 'inherit' });
  const { port } = await ask<{ port: number }>(child);
  return {
    port,
    async stop() {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const body = Buffer.alloc(Number(process.argv[2] ?? 2048), 'x');
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/xml; charset="utf-8"');
      res.setHeader('Content-Length', body.length);
      res.end(body);
    });
  });
  srv.listen(0, '127.0.0.1', () => process.send!({ port: (srv.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0)); // the bench died: do not outlive it
  process.on('message', (m) => {
    if (m === 'stop') {
      srv.close(() => process.exit(0));
      srv.closeAllConnections();
    }
  });
}
