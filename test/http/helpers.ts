/** Test helpers: a server around a stub handler, and raw-socket HTTP exchanges. */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpApp, type HttpAppOptions } from '../../src/http/app.js';
import type { Authenticator } from '../../src/http/auth.js';
import type { CimHttpRequest, CimHttpResponse, CimRequestHandler } from '../../src/http/handler.js';
import { startServers, type RunningServers, type ServerOptions } from '../../src/http/servers.js';

/** Source tree fixtures (tsc does not copy .txt files into dist/). */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'http', 'fixtures');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export const BODY = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="EnumerateInstanceNames"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>';

export const CIM_HEADERS: Record<string, string> = {
  'Content-Type': 'application/xml; charset="utf-8"',
  CIMOperation: 'MethodCall',
  CIMMethod: 'EnumerateInstanceNames',
  CIMObject: 'root/virt',
};

export interface Harness {
  port: number;
  seen: CimHttpRequest[];
  logs: string[];
  close(): Promise<void>;
}

/** The default stub answers with one chunk echoing the body. */
export const echo: CimRequestHandler = async (req) => ({ kind: 'cim', chunks: [`<ECHO>${req.body}</ECHO>`] });

export async function start(
  handler: CimRequestHandler = echo,
  opts: { auth?: Authenticator | null; limits?: HttpAppOptions['limits']; health?: HttpAppOptions['health']; servers?: Partial<ServerOptions> } = {},
): Promise<Harness> {
  const seen: CimHttpRequest[] = [];
  const logs: string[] = [];
  const log = (l: string): void => { logs.push(l); };
  const app = createHttpApp({
    handler: (req): Promise<CimHttpResponse> => { seen.push(req); return handler(req); },
    auth: opts.auth ?? null,
    limits: opts.limits ?? {},
    log,
    ...(opts.health ? { health: opts.health } : {}),
  });
  const servers: RunningServers = await startServers(app, { listen: '127.0.0.1', port: 0, auth: !!opts.auth, log, ...opts.servers });
  return { port: servers.httpPort, seen, logs, close: () => servers.close() };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;   // lower-case names; repeated headers joined with ", "
  body: Buffer;
  trailers: Record<string, string>;
  chunked: boolean;
}

function parseHeaderLines(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    out[k] = out[k] === undefined ? v : `${out[k]}, ${v}`;
  }
  return out;
}

/** Parses one response off the front of `buf`; null while incomplete. */
export function parseResponse(buf: Buffer): { res: RawResponse; rest: Buffer } | null {
  const he = buf.indexOf('\r\n\r\n');
  if (he < 0) return null;
  const lines = buf.subarray(0, he).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers = parseHeaderLines(lines.slice(1));
  let pos = he + 4;
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
    const parts: Buffer[] = [];
    for (;;) {
      const le = buf.indexOf('\r\n', pos);
      if (le < 0) return null;
      const size = parseInt(buf.subarray(pos, le).toString('latin1'), 16);
      pos = le + 2;
      if (size === 0) {
        const te = buf.indexOf('\r\n\r\n', pos - 2);
        if (te < 0) return null;
        const trailerLines = buf.subarray(pos, te).toString('latin1').split('\r\n').filter(Boolean);
        return {
          res: { status, headers, body: Buffer.concat(parts), trailers: parseHeaderLines(trailerLines), chunked: true },
          rest: buf.subarray(te + 4),
        };
      }
      if (buf.length < pos + size + 2) return null;
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
  }
  const len = Number(headers['content-length'] ?? 0);
  if (buf.length < pos + len) return null;
  return {
    res: { status, headers, body: buf.subarray(pos, pos + len), trailers: {}, chunked: false },
    rest: buf.subarray(pos + len),
  };
}

/** A raw connection: write bytes, read whole responses in order. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly sock: net.Socket;

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.wake(); });
    sock.on('close', () => { this.closed = true; this.wake(); });
    sock.on('error', () => { /* surfaced as closed */ });
  }

  /** `from`: the local address to connect from (any of 127.0.0.0/8 reaches the loopback). */
  static connect(port: number, from?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', ...(from ? { localAddress: from } : {}) }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void { const w = this.waiters; this.waiters = []; w.forEach((f) => f()); }

  write(data: string | Buffer): void { this.sock.write(data); }

  async response(timeoutMs = 5000): Promise<RawResponse> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = parseResponse(this.buf);
      if (r) { this.buf = Buffer.from(r.rest); return r.res; }
      if (this.closed) throw new Error(`connection closed; got ${this.buf.length} bytes: ${this.buf.toString('latin1').slice(0, 200)}`);
      if (Date.now() > until) throw new Error('timed out waiting for a response');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  close(): void { this.sock.destroy(); }
}

/** Builds a request with a correct Content-Length. */
export function rawRequest(
  headers: Record<string, string>, body: string | Buffer = BODY, method = 'POST', path = '/cimom',
): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push(`Content-Length: ${b.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), b]);
}

/** One request on a fresh connection. */
export async function exchange(port: number, request: Buffer | string): Promise<RawResponse> {
  const c = await RawClient.connect(port);
  try {
    c.write(request);
    return await c.response();
  } finally {
    c.close();
  }
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
