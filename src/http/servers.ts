/**
 * Listening sockets: HTTP on 5988 and, when a certificate and key are configured, HTTPS on
 * 5989 (DSP0200 §A1 default ports).
 *
 * - Without authentication the server only listens on loopback: anyone who can reach it would
 *   otherwise be admin.
 * - Beyond loopback it serves HTTPS only, and refuses to start without a certificate: Basic
 *   credentials must never cross a network in clear text. On loopback, HTTPS only is an option.
 * - A connection cap (both listeners together) bounds open files, and a smaller one per client
 *   address keeps one host from taking every slot: beyond either, a new HTTP connection gets
 *   `503` and is closed, a new TLS connection is closed before any handshake.
 *   TLS handshakes must finish within a short timeout, so silent clients cannot hold sockets.
 * - CONNECT (which Node hands to a separate event) gets 405 like any other wrong method.
 */
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { Logger } from '../operations/provider.js';
import { CIM_ALLOW } from './app.js';
import { asLogger, type LogLine } from './log.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './connection-limits.js';
import { addressKey } from './login-throttle.js';
import { isLoopback } from './loopback.js';
import { interceptMpost, restoreMpostMethod } from './mpost-socket.js';

export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, isLoopback };

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
  /** No plain HTTP listener. Default: on beyond loopback (where it cannot be turned off), off on loopback. */
  httpsOnly?: boolean;
  /** Open connections at most, both listeners together (default 512). */
  maxConnections?: number;
  /** Open connections one client address (IPv6: its /64) may hold (default 64, at most maxConnections). */
  maxConnectionsPerAddress?: number;
  /** Time a TLS client has to complete its handshake (default 10 s; Node's own is 120 s). */
  handshakeTimeoutMs?: number;
  /** Time a client has for its first byte, and for a whole request head (default 10 s). */
  headersTimeoutMs?: number;
  log?: Logger | LogLine;
}

export interface RunningServers {
  close(): Promise<void>;
  /** The plain HTTP port; 0 when plain HTTP is not served (HTTPS only). */
  httpPort: number;
  httpsPort?: number;
}

/** Timeouts: headers must arrive promptly; idle keep-alive connections are kept ~10 s. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** How often Node looks for connections past those timeouts. */
const CONNECTIONS_CHECK_MS = 1_000;
/** Receiving a whole request (a 16 MiB body on a slow link included). */
export const REQUEST_RECEIVE_TIMEOUT_MS = 120_000;
/** After close(), in-flight requests get this long before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;
/** The connection-cap warning is repeated at most this often. */
const CAP_WARNING_INTERVAL_MS = 10_000;


/**
 * Throws, naming the address, when a port the server is to listen on is taken. Asked before the
 * server reads or repairs its data (reconcile, demo seeding can take seconds), so a clash fails at
 * once and changes nothing; the real bind comes later, once the server can answer.
 */
export async function assertPortsFree(host: string, ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (port === 0) continue;
    const probe = createNetServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', (e: NodeJS.ErrnoException) => {
        reject(new Error(e.code === 'EADDRINUSE'
          ? `${host}:${port} is in use by another process: stop it or choose another port (--port, --https-port)`
          : `cannot listen on ${host}:${port}: ${e.message}`));
      });
      probe.listen(port, host, () => probe.close(() => resolve()));
    });
  }
}

/** Whether the options would serve plain HTTP; throws when they would carry passwords in clear text. */
export function servesPlainHttp(opts: Pick<ServerOptions, 'listen' | 'tlsCert' | 'tlsKey' | 'auth' | 'httpsOnly'>): boolean {
  const host = opts.listen ?? '127.0.0.1';
  if (!opts.auth && !isLoopback(host)) {
    throw new Error(`refusing to listen on ${host} without authentication: `
      + 'configure users (auth on) or listen on a loopback address (127.0.0.1, ::1, localhost)');
  }
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new Error('HTTPS needs both a certificate and a key (tlsCert and tlsKey)');
  }
  const tls = opts.tlsCert !== undefined;
  if (!isLoopback(host)) {
    if (!tls) {
      throw new Error(`refusing to listen on ${host} without TLS: passwords would cross the network in clear text; `
        + 'configure a certificate and key (--tls-cert, --tls-key)');
    }
    if (opts.httpsOnly === false) {
      throw new Error(`refusing plain HTTP on ${host}: passwords would cross the network in clear text (HTTPS only beyond loopback)`);
    }
    return false;
  }
  if (opts.httpsOnly && !tls) throw new Error('HTTPS only needs a certificate and key (--tls-cert, --tls-key)');
  return !opts.httpsOnly;
}

function tune(server: http.Server, headersTimeoutMs: number): void {
  server.headersTimeout = headersTimeoutMs;
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

const OVERLOADED = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n'
  + 'Content-Length: 34\r\nRetry-After: 5\r\nConnection: close\r\n\r\ntoo many connections; retry later\n', 'latin1');

/** Open connections across the listeners (in all and per address key), and the caps. */
interface ConnectionBudget {
  open: number;
  readonly max: number;
  readonly byAddress: Map<string, number>;
  readonly perAddress: number;
  warnedAt: number;
  addressWarnedAt: number;
}

/**
 * Puts the cap in front of the server's own 'connection' listeners (which for HTTPS start the
 * handshake, so a refused TLS client costs no handshake).
 */
function capConnections(server: http.Server, budget: ConnectionBudget, plain: boolean, log: Logger): void {
  const originals = server.listeners('connection') as Array<(s: Socket) => void>;
  server.removeAllListeners('connection');
  const refuse = (sock: Socket): void => {
    sock.on('error', () => { /* the client may already be gone */ });
    if (plain) sock.end(OVERLOADED);
    else sock.destroy();
    setTimeout(() => sock.destroy(), 1_000).unref();
  };
  server.on('connection', (sock: Socket) => {
    const now = Date.now();
    if (budget.open >= budget.max) {
      if (now - budget.warnedAt > CAP_WARNING_INTERVAL_MS) {
        budget.warnedAt = now;
        log.warn('connection limit reached: refusing new connections', { open: budget.open, max: budget.max });
      }
      refuse(sock);
      return;
    }
    const key = addressKey(sock.remoteAddress ?? '');
    const held = budget.byAddress.get(key) ?? 0;
    if (held >= budget.perAddress) {
      if (now - budget.addressWarnedAt > CAP_WARNING_INTERVAL_MS) {
        budget.addressWarnedAt = now;
        log.warn('connections from one address at their limit: refusing its new ones', { remote: key, max: budget.perAddress });
      }
      refuse(sock);
      return;
    }
    budget.open++;
    budget.byAddress.set(key, held + 1);
    sock.once('close', () => {
      budget.open--;
      const left = (budget.byAddress.get(key) ?? 1) - 1;
      if (left > 0) budget.byAddress.set(key, left);
      else budget.byAddress.delete(key);
    });
    for (const l of originals) l.call(server, sock);
  });
}

/** CONNECT never reaches the request handler in Node: answer it like any unsupported method. */
function refuseConnect(server: http.Server, log: Logger): void {
  server.on('connect', (req: http.IncomingMessage, sock: Socket) => {
    const body = `${req.method} is not allowed; use POST or M-POST\n`;
    sock.on('error', () => {});
    sock.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${CIM_ALLOW}\r\nContent-Type: text/plain; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    log.info('request', { remote: req.socket.remoteAddress ?? '-', user: '-', method: req.method, path: req.url, status: 405 });
  });
}

export async function startServers(app: http.RequestListener, opts: ServerOptions): Promise<RunningServers> {
  const host = opts.listen ?? '127.0.0.1';
  const plainHttp = servesPlainHttp(opts);
  const log = asLogger(opts.log);
  const headersMs = opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  // Node enforces the headers and request timeouts only when it looks, every 30 s by default: a
  // client trickling its head held its connection 30-40 s instead of 10.
  const checkEvery = Math.max(100, Math.min(CONNECTIONS_CHECK_MS, Math.floor(headersMs / 2)));
  const max = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const budget: ConnectionBudget = {
    open: 0, max, byAddress: new Map(), perAddress: Math.min(max, opts.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
    warnedAt: 0, addressWarnedAt: 0,
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    restoreMpostMethod(req);
    app(req, res);
  };

  const servers: Array<[http.Server, { destroyPending(): void }]> = [];
  const closeAll = async (): Promise<void> => { await Promise.all(servers.map(([s, p]) => closeServer(s, p))); };
  try {
    let httpPort = 0;
    if (plainHttp) {
      const plain = http.createServer({ connectionsCheckingInterval: checkEvery }, onRequest);
      tune(plain, headersMs);
      servers.push([plain, interceptMpost(plain, 'connection', headersMs)]);
      capConnections(plain, budget, true, log);
      refuseConnect(plain, log);
      httpPort = await listen(plain, opts.port ?? 5988, host);
    }

    let httpsPort: number | undefined;
    if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
      const [cert, key] = await Promise.all([readFile(opts.tlsCert), readFile(opts.tlsKey)]);
      const secure = https.createServer({
        cert, key, minVersion: 'TLSv1.2', handshakeTimeout: opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
        connectionsCheckingInterval: checkEvery,
      }, onRequest);
      tune(secure, headersMs);
      servers.push([secure, interceptMpost(secure, 'secureConnection', headersMs)]);
      capConnections(secure, budget, false, log);
      refuseConnect(secure, log);
      // A client that fails or times out its handshake: no stack, nothing to answer.
      secure.on('tlsClientError', (err: Error, sock: Socket) => {
        log.debug('TLS handshake failed', { remote: sock.remoteAddress ?? '-', reason: err.message });
        sock.destroy();
      });
      httpsPort = await listen(secure, opts.httpsPort ?? 5989, host);
    }
    return httpsPort === undefined ? { close: closeAll, httpPort } : { close: closeAll, httpPort, httpsPort };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
