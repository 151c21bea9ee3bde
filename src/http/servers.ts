/**
 * Listening sockets: HTTP on 5988 and, when a certificate and key are configured, HTTPS on
 * 5989 (DSP0200 §A1 default ports). Without authentication the server only listens on
 * loopback: anyone who can reach it would otherwise be admin.
 */
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { interceptMpost, restoreMpostMethod } from './mpost-socket.js';

export interface ServerOptions {
  /** Address to bind (default 127.0.0.1). */
  listen?: string;
  /** HTTP port (default 5988; 0 = ephemeral). */
  port?: number;
  /** HTTPS port (default 5989 when tlsCert and tlsKey are set; 0 = ephemeral). */
  httpsPort?: number;
  /** PEM file paths; HTTPS runs only when both are given. */
  tlsCert?: string;
  tlsKey?: string;
  /** Whether the app authenticates requests; false confines the server to loopback. */
  auth: boolean;
}

export interface RunningServers {
  close(): Promise<void>;
  httpPort: number;
  httpsPort?: number;
}

/** Timeouts: headers must arrive promptly; idle keep-alive connections are kept ~10 s. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** Receiving a whole request (a 16 MiB body on a slow link included). */
export const REQUEST_RECEIVE_TIMEOUT_MS = 120_000;
/** After close(), in-flight requests get this long before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function tune(server: http.Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.requestTimeout = REQUEST_RECEIVE_TIMEOUT_MS;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server, sniffing: { destroyPending(): void }): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) { resolve(); return; }
    sniffing.destroyPending();
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    cut.unref();
    server.close(() => { clearTimeout(cut); resolve(); });
    server.closeIdleConnections();
  });
}

export async function startServers(app: http.RequestListener, opts: ServerOptions): Promise<RunningServers> {
  const host = opts.listen ?? '127.0.0.1';
  if (!opts.auth && !isLoopback(host)) {
    throw new Error(`refusing to listen on ${host} without authentication: `
      + 'configure users (auth on) or listen on a loopback address (127.0.0.1, ::1, localhost)');
  }
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new Error('HTTPS needs both a certificate and a key (tlsCert and tlsKey)');
  }
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    restoreMpostMethod(req);
    app(req, res);
  };

  const servers: Array<[http.Server, { destroyPending(): void }]> = [];
  const closeAll = async (): Promise<void> => { await Promise.all(servers.map(([s, p]) => closeServer(s, p))); };
  try {
    const plain = http.createServer(onRequest);
    tune(plain);
    servers.push([plain, interceptMpost(plain, 'connection', HEADERS_TIMEOUT_MS)]);
    const httpPort = await listen(plain, opts.port ?? 5988, host);

    let httpsPort: number | undefined;
    if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
      const [cert, key] = await Promise.all([readFile(opts.tlsCert), readFile(opts.tlsKey)]);
      const secure = https.createServer({ cert, key, minVersion: 'TLSv1.2' }, onRequest);
      tune(secure);
      servers.push([secure, interceptMpost(secure, 'secureConnection', HEADERS_TIMEOUT_MS)]);
      httpsPort = await listen(secure, opts.httpsPort ?? 5989, host);
    }
    return httpsPort === undefined ? { close: closeAll, httpPort } : { close: closeAll, httpPort, httpsPort };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
