/**
 * Node's HTTP parser (llhttp) knows a fixed list of methods and M-POST (DSP0200 §5.2,
 * RFC 2774) is not on it: such a request dies as a parse error before any JS sees it.
 * So a connection whose first request is M-POST is put behind a small shim that follows
 * the HTTP/1.1 message framing, rewrites each `M-POST` request line to `POST`, and queues
 * a flag per request so the app can restore `req.method = 'M-POST'`.
 *
 * Connections that start with any other method go to the parser untouched (no cost); on
 * those, a later M-POST is a 400 from the parser (clients that use M-POST do so for the
 * whole session, and fall back to POST on an error).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

const MPOST = Buffer.from('M-POST ');
const MAX_HEAD = 64 * 1024;
const kQueue = Symbol('xen-wbem.mpostQueue');

type Framing =
  | { s: 'head' }
  | { s: 'body'; left: number }
  | { s: 'chunkLine' }
  | { s: 'chunkData'; left: number }   // data plus its CRLF
  | { s: 'trailer' }
  | { s: 'passthrough' };              // gave up: the parser will judge the bytes as they are

/** Follows request framing over a byte stream and rewrites M-POST request lines. */
class RequestRewriter {
  private state: Framing = { s: 'head' };
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onRequest: (mpost: boolean) => void) {}

  /** Bytes in, bytes out (the request lines rewritten). */
  feed(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.buf = Buffer.alloc(0);
    while (data.length > 0) {
      const st = this.state;
      if (st.s === 'passthrough') { out.push(data); break; }
      if (st.s === 'body' || st.s === 'chunkData') {
        const n = Math.min(st.left, data.length);
        out.push(data.subarray(0, n));
        data = data.subarray(n);
        st.left -= n;
        if (st.left === 0) this.state = st.s === 'body' ? { s: 'head' } : { s: 'chunkLine' };
        continue;
      }
      // Line-oriented states: wait for a complete unit.
      const end = st.s === 'head' ? indexOfHeadEnd(data) : data.indexOf('\r\n');
      if (end < 0) {
        if (data.length > MAX_HEAD) { this.state = { s: 'passthrough' }; out.push(data); break; }
        this.buf = Buffer.from(data);
        break;
      }
      if (st.s === 'head') {
        const headLen = end + 4;
        out.push(this.head(data.subarray(0, headLen)));
        data = data.subarray(headLen);
      } else if (st.s === 'chunkLine') {
        const line = data.subarray(0, end).toString('latin1');
        out.push(data.subarray(0, end + 2));
        data = data.subarray(end + 2);
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (Number.isNaN(size)) { this.state = { s: 'passthrough' }; continue; }
        this.state = size === 0 ? { s: 'trailer' } : { s: 'chunkData', left: size + 2 };
      } else {
        // trailer section: lines until an empty one
        out.push(data.subarray(0, end + 2));
        data = data.subarray(end + 2);
        if (end === 0) this.state = { s: 'head' };
      }
    }
    return out;
  }

  private head(head: Buffer): Buffer {
    // Leading empty lines between requests are allowed (RFC 9112 §2.2).
    let start = 0;
    while (head[start] === 0x0d && head[start + 1] === 0x0a) start += 2;
    const isMpost = head.subarray(start, start + MPOST.length).equals(MPOST);
    this.onRequest(isMpost);
    const text = head.toString('latin1');
    let chunked = false;
    let length = 0;
    for (const line of text.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'transfer-encoding' && /(^|,)\s*chunked\s*$/.test(value)) chunked = true;
      if (name === 'content-length' && /^\d+$/.test(value)) length = Number(value);
    }
    this.state = chunked ? { s: 'chunkLine' } : length > 0 ? { s: 'body', left: length } : { s: 'head' };
    if (!isMpost) return head;
    return Buffer.concat([head.subarray(0, start), head.subarray(start + 2)]);   // "M-POST" → "POST"
  }
}

function indexOfHeadEnd(data: Buffer): number {
  return data.indexOf('\r\n\r\n');
}

/** A Duplex in front of the real socket, presenting rewritten bytes to the HTTP parser. */
class MpostShim extends Duplex {
  readonly [kQueue]: boolean[] = [];
  private readonly rewriter = new RequestRewriter((m) => this[kQueue].push(m));

  constructor(private readonly sock: Socket, first: Buffer) {
    super({ allowHalfOpen: true });
    sock.on('data', (c: Buffer) => this.input(c));
    sock.on('end', () => this.push(null));
    sock.on('close', () => this.destroy());
    sock.on('error', (e) => this.destroy(e));
    sock.on('timeout', () => this.emit('timeout'));
    sock.on('drain', () => this.emit('drain'));
    this.input(first);
  }

  private input(chunk: Buffer): void {
    for (const piece of this.rewriter.feed(chunk)) {
      if (!this.push(piece)) this.sock.pause();
    }
  }

  override _read(): void { this.sock.resume(); }
  override _write(chunk: Buffer, enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.sock.write(chunk, enc, cb);
  }
  override _final(cb: (e?: Error | null) => void): void { this.sock.end(cb); }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.sock.destroy(err ?? undefined);
    cb(err);
  }

  // What the HTTP server and the app read or call on a socket.
  get remoteAddress(): string | undefined { return this.sock.remoteAddress; }
  get remotePort(): number | undefined { return this.sock.remotePort; }
  get remoteFamily(): string | undefined { return this.sock.remoteFamily; }
  get localAddress(): string | undefined { return this.sock.localAddress; }
  get localPort(): number | undefined { return this.sock.localPort; }
  get encrypted(): boolean { return (this.sock as Socket & { encrypted?: boolean }).encrypted === true; }
  setTimeout(ms: number, cb?: () => void): this {
    this.sock.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(v?: boolean): this { this.sock.setNoDelay(v); return this; }
  setKeepAlive(v?: boolean, d?: number): this { this.sock.setKeepAlive(v, d); return this; }
  ref(): this { this.sock.ref(); return this; }
  unref(): this { this.sock.unref(); return this; }
  destroySoon(): void { this.end(); }
}

/**
 * Replaces the server's listener for `event` ('connection' for http, 'secureConnection' for
 * https) with one that looks at the first bytes and interposes the shim for M-POST.
 */
export function interceptMpost(
  server: NodeJS.EventEmitter, event: 'connection' | 'secureConnection', firstByteTimeoutMs: number,
): { destroyPending(): void } {
  const originals = server.listeners(event) as Array<(s: unknown) => void>;
  // Sockets still waiting for their first bytes: the HTTP server does not know them yet, so
  // its closeAllConnections() would not end them.
  const pending = new Set<Socket>();
  server.removeAllListeners(event);
  server.on(event, (sock: Socket) => {
    pending.add(sock);
    sock.once('close', () => pending.delete(sock));
    const deliver = (s: unknown): void => { for (const l of originals) l.call(server, s); };
    let seen: Buffer = Buffer.alloc(0);
    const onError = (): void => { sock.destroy(); };
    const onTimeout = (): void => { sock.destroy(); };     // the parser's timeouts start later
    // A client that hangs up before its first byte: the server's sockets allow half-open
    // connections, so without this one would linger until the timeout (holding a connection slot).
    const onEnd = (): void => { sock.destroy(); };
    const onData = (chunk: Buffer): void => {
      seen = seen.length ? Buffer.concat([seen, chunk]) : chunk;
      // "M-PO" may come alone in a first segment: wait until the method can be told.
      if (seen.length < MPOST.length && MPOST.subarray(0, seen.length).equals(seen)) return;
      pending.delete(sock);
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('timeout', onTimeout);
      sock.off('end', onEnd);
      sock.setTimeout(0);
      sock.pause();
      if (seen.subarray(0, MPOST.length).equals(MPOST)) {
        deliver(new MpostShim(sock, seen));
      } else {
        // Put the bytes back; the parser reads them once the socket flows again.
        sock.unshift(seen);
        deliver(sock);
        sock.resume();
      }
    };
    sock.on('error', onError);
    sock.once('end', onEnd);
    sock.setTimeout(firstByteTimeoutMs);
    sock.on('timeout', onTimeout);
    sock.on('data', onData);
  });
  return { destroyPending: () => { for (const s of pending) s.destroy(); pending.clear(); } };
}

/** Restores `req.method` for requests that arrived as M-POST (see the shim). */
export function restoreMpostMethod(req: IncomingMessage): void {
  const q = (req.socket as unknown as { [kQueue]?: boolean[] })[kQueue];
  if (q && q.shift() === true) req.method = 'M-POST';
}
