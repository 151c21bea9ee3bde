/**
 * Writing responses: HTTP errors with the DSP0200 `CIMError` header, and buffered CIM-XML
 * bodies (Content-Length, optionally gzip). Streamed answers: stream-response.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { HttpErrorResponse } from './handler.js';
import { cimHeaderName, mpostResponseHeaders } from './mpost.js';

const gzip = promisify(zlib.gzip);

export const CIM_CONTENT_TYPE = 'application/xml; charset="utf-8"';
/** Smaller bodies gain nothing from gzip (pywbem asks for gzip on every request). */
export const GZIP_MIN_BYTES = 1024;
/** CIM_ERR_FAILED (DSP0200 status code 1): what an error without a numeric code becomes. */
const CIM_ERR_FAILED = 1;

/** Sets the headers every M-POST answer needs (nothing for POST). */
function setMpostHeaders(res: ServerResponse, prefix: string | null): void {
  if (prefix === null) return;
  for (const [k, v] of Object.entries(mpostResponseHeaders(prefix))) res.setHeader(k, v);
}

/**
 * Header values carry text only as printable ASCII: escape the rest like CIMMethod/CIMObject
 * values are escaped (DSP0200 §6.3, two-step UTF-8 + %-encoding).
 */
export function encodeHeaderText(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return Array.from(oneLine, (ch) => (/[\x20-\x24\x26-\x7e]/.test(ch) ? ch : encodeURIComponent(ch))).join('');
}

export function sendHttpError(
  res: ServerResponse, err: HttpErrorResponse, prefix: string | null, extra: Record<string, string> = {},
): void {
  if (res.headersSent) { res.destroy(); return; }
  res.statusCode = err.status;
  setMpostHeaders(res, prefix);
  if (err.cimError !== undefined) res.setHeader(cimHeaderName('CIMError', prefix), err.cimError);
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  const body = `${err.message}\n`;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * A response body as UTF-8 buffers, never joined into one string (or one buffer) first; or,
 * for a body that came as one small chunk, that string (Node then writes the head and the
 * body in one piece).
 */
export type BodyParts = { text: string } | { text?: undefined; parts: Buffer[]; length: number };

/** A body that comes as one chunk up to this size stays a string. */
const SMALL_TEXT = 64 * 1024;

/** Slab size for encoding string chunks; a chunk bigger than what is left starts a new slab. */
const SLAB_BYTES = 256 * 1024;

/**
 * Encodes every chunk (sync or async iterable) to UTF-8 as it comes, into large slabs: a
 * 2 MB enumeration costs no 2 MB string and no second copy (the socket takes the slabs as
 * they are, with writev).
 */
export function collect(chunks: Iterable<string> | AsyncIterable<string>): BodyParts | Promise<BodyParts> {
  const w = new SlabWriter();
  if (Symbol.iterator in chunks) {
    for (const c of chunks as Iterable<string>) w.add(c);
    return w.done();
  }
  return (async () => {
    for await (const c of chunks) w.add(c);
    return w.done();
  })();
}

class SlabWriter {
  private readonly parts: Buffer[] = [];
  private slab: Buffer | null = null;
  private used = 0;
  private length = 0;
  /** The first chunk, kept as a string until a second one comes. */
  private first: string | null = null;
  private count = 0;

  add(c: string): void {
    if (c.length === 0) return;
    if (++this.count === 1) {
      this.first = c;
      return;
    }
    if (this.first !== null) {
      const f = this.first;
      this.first = null;
      this.write(f);
    }
    this.write(c);
  }

  private write(c: string): void {
    const n = c.length;
    if (n === 0) return;
    // UTF-16 code units → at most 3 UTF-8 bytes each.
    const room = this.slab === null ? 0 : this.slab.length - this.used;
    if (n * 3 > room) {
      this.seal();
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, n * 3));
    }
    const wrote = this.slab!.write(c, this.used);
    this.used += wrote;
    this.length += wrote;
  }

  private seal(): void {
    if (this.slab !== null && this.used > 0) this.parts.push(this.slab.subarray(0, this.used));
    this.slab = null;
    this.used = 0;
  }

  done(): BodyParts {
    if (this.first !== null && this.first.length <= SMALL_TEXT) return { text: this.first };
    if (this.first !== null) this.write(this.first);
    this.seal();
    return { parts: this.parts, length: this.length };
  }
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  if (!ae) return false;
  return ae.split(',').some((tok) => {
    const [name, ...params] = tok.split(';').map((s) => s.trim().toLowerCase());
    if (name !== 'gzip' && name !== 'x-gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** TE: trailers (RFC 9110 §10.1.4) on an HTTP/1.1 request: the only case we chunk. */
export function wantsTrailers(req: IncomingMessage): boolean {
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return false;
  const raw = req.headers.te;
  const te = Array.isArray(raw) ? raw.join(',') : raw;
  return te !== undefined && te.split(',').some((t) => t.trim().toLowerCase().split(';')[0] === 'trailers');
}

export function setCimHeaders(res: ServerResponse, prefix: string | null): void {
  res.statusCode = 200;
  setMpostHeaders(res, prefix);
  res.setHeader('Content-Type', CIM_CONTENT_TYPE);
  res.setHeader(cimHeaderName('CIMOperation', prefix), 'MethodResponse');
}

/** A buffered CIM-XML answer: 200, Content-Length, gzip when asked for and worth it. */
export async function sendBuffered(
  req: IncomingMessage, res: ServerResponse, body: BodyParts, prefix: string | null,
): Promise<void> {
  setCimHeaders(res, prefix);
  res.setHeader('Vary', 'Accept-Encoding');
  if (body.text !== undefined) {
    const length = Buffer.byteLength(body.text, 'utf8');
    if (length > GZIP_MIN_BYTES && acceptsGzip(req)) {
      const zipped = await gzip(Buffer.from(body.text, 'utf8'));
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', zipped.length);
      res.end(zipped);
      return;
    }
    res.setHeader('Content-Length', length);
    res.end(body.text, 'utf8');
    return;
  }
  if (body.length > GZIP_MIN_BYTES && acceptsGzip(req)) {
    const zipped = await gzip(body.parts.length === 1 ? body.parts[0]! : Buffer.concat(body.parts, body.length));
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', zipped.length);
    res.end(zipped);
    return;
  }
  res.setHeader('Content-Length', body.length);
  const parts = body.parts;
  if (parts.length === 0) { res.end(); return; }
  if (parts.length === 1) { res.end(parts[0]); return; }
  res.cork();
  for (let i = 0; i < parts.length - 1; i++) res.write(parts[i]);
  res.end(parts[parts.length - 1]);
  res.uncork();
}

/** Duck-typed CimError (src/cim is not ours to import): numeric `code`, `description`. */
export function cimStatusOf(err: unknown): { code: number; description: string } {
  const e = err as { code?: unknown; description?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'number' && Number.isInteger(e.code) && e.code > 0 ? e.code : CIM_ERR_FAILED;
  const description = typeof e?.description === 'string' ? e.description
    : typeof e?.message === 'string' ? e.message : String(err);
  return { code, description };
}
