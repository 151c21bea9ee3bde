/**
 * Writing responses: HTTP errors with the DSP0200 `CIMError` header, and CIM-XML bodies either
 * buffered (Content-Length, optionally gzip) or chunked with the `CIMStatusCode` trailer
 * (DSP0200 §6.3.6/§6.3.7), the latter only when the client sent `TE: trailers`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { HttpErrorResponse } from './handler.js';
import { cimHeaderName, mpostResponseHeaders } from './mpost.js';

const gzip = promisify(zlib.gzip);

export const CIM_CONTENT_TYPE = 'application/xml; charset="utf-8"';
/** Smaller bodies gain nothing from gzip (digest A1: pywbem asks for it on every request). */
export const GZIP_MIN_BYTES = 1024;
/** Chunked mode coalesces small strings into writes of about this size. */
const CHUNK_FLUSH_BYTES = 16 * 1024;

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

/** Collects every chunk (sync or async iterable) into one string. */
export async function collect(chunks: Iterable<string> | AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  return parts.join('');
}

function acceptsGzip(req: IncomingMessage): boolean {
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

function setCimHeaders(res: ServerResponse, prefix: string | null): void {
  res.statusCode = 200;
  setMpostHeaders(res, prefix);
  res.setHeader('Content-Type', CIM_CONTENT_TYPE);
  res.setHeader(cimHeaderName('CIMOperation', prefix), 'MethodResponse');
}

/** A buffered CIM-XML answer: 200, Content-Length, gzip when asked for and worth it. */
export async function sendBuffered(
  req: IncomingMessage, res: ServerResponse, text: string, prefix: string | null,
): Promise<void> {
  let body = Buffer.from(text, 'utf8');
  setCimHeaders(res, prefix);
  res.setHeader('Vary', 'Accept-Encoding');
  if (body.length > GZIP_MIN_BYTES && acceptsGzip(req)) {
    body = await gzip(body);
    res.setHeader('Content-Encoding', 'gzip');
  }
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** Duck-typed CimError (src/cim is not ours to import): numeric `code`, `description`. */
export function cimStatusOf(err: unknown): { code: number; description: string } {
  const e = err as { code?: unknown; description?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'number' && Number.isInteger(e.code) && e.code > 0 ? e.code : CIM_ERR_FAILED;
  const description = typeof e?.description === 'string' ? e.description
    : typeof e?.message === 'string' ? e.message : String(err);
  return { code, description };
}

function drain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Streams the chunks as they come (DSP0200 §6.3.6/§6.3.7). A failure after the headers are
 * out can only be told in the trailer, hence the TE: trailers precondition. Returns the CIM
 * status sent in the trailer (0 on success).
 */
export async function sendChunked(
  res: ServerResponse, chunks: Iterable<string> | AsyncIterable<string>, prefix: string | null,
  signal: AbortSignal,
): Promise<{ code: number; description?: string; error?: unknown }> {
  const codeName = cimHeaderName('CIMStatusCode', prefix);
  const descName = cimHeaderName('CIMStatusCodeDescription', prefix);
  setCimHeaders(res, prefix);
  res.setHeader('Trailer', `${codeName}, ${descName}`);

  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const ok = res.write(pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    if (!ok && !res.destroyed) await drain(res);
  };

  let result: { code: number; description?: string; error?: unknown } = { code: 0 };
  try {
    for await (const c of chunks) {
      if (signal.aborted) throw signal.reason ?? new Error('request aborted');
      if (res.destroyed) return { code: 0 };
      pending.push(c);
      pendingBytes += c.length;
      if (pendingBytes >= CHUNK_FLUSH_BYTES) await flush();
    }
    await flush();
  } catch (err) {
    const st = cimStatusOf(err);
    result = { ...st, error: err };
    pending = [];            // a partial element is useless to the client; the trailer tells
  }
  if (res.destroyed) return result;
  res.addTrailers(result.code === 0
    ? { [codeName]: '0' }
    : { [codeName]: String(result.code), [descName]: encodeHeaderText(result.description ?? '') });
  res.end();
  return result;
}
