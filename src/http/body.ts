/**
 * Request body: media type check, size limit (on the wire and after decompression, so a
 * gzip bomb cannot get past it), Content-Encoding, strict UTF-8 (DSP0200 §4.x: CIM-XML is UTF-8).
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { httpError, type HttpErrorResponse } from './handler.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

export type BodyResult = { ok: true; body: string } | { ok: false; error: HttpErrorResponse; close?: boolean };

/**
 * DSP0200 §6.2: CIM-XML travels as application/xml or text/xml in UTF-8. A missing
 * Content-Type is tolerated (nothing else could be meant on /cimom); another type or charset
 * is 406, as the pywbem listener answers (OpenPegasus says 400; 406 tells the client more).
 */
export function checkContentType(ct: string | undefined): HttpErrorResponse | null {
  if (ct === undefined || ct.trim() === '') return null;
  const [type, ...params] = ct.split(';').map((s) => s.trim());
  const media = (type ?? '').toLowerCase();
  if (media !== 'application/xml' && media !== 'text/xml') {
    return httpError(406, `Content-Type ${media} is not accepted (application/xml or text/xml)`);
  }
  for (const p of params) {
    const m = /^charset\s*=\s*"?([^"]*)"?$/i.exec(p);
    if (m && !/^utf-?8$/i.test(m[1]!.trim())) {
      return httpError(406, `charset ${m[1]} is not accepted (utf-8)`);
    }
  }
  return null;
}

/** Content-Length above the limit: refuse before reading a byte. */
export function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const cl = req.headers['content-length'];
  return cl !== undefined && /^\d+$/.test(cl) && Number(cl) > maxBytes;
}

/** The client went away before its request body was complete: nothing to answer, nothing wrong here. */
export class ClientAbortError extends Error {
  constructor(reason: string) {
    super(`client went away while sending the request (${reason})`);
    this.name = 'ClientAbortError';
  }
}

const ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether `err` is a client that disconnected (rather than a fault of ours). */
export function isClientAbort(err: unknown): boolean {
  if (err instanceof ClientAbortError) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  return (typeof e?.code === 'string' && ABORT_CODES.has(e.code)) || e?.message === 'aborted';
}

function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'tooLarge'> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        req.off('data', onData);
        req.pause();
        resolve('tooLarge');
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => { if (!done) resolve(Buffer.concat(parts, size)); });
    req.once('error', (e) => { if (!done) reject(isClientAbort(e) ? new ClientAbortError((e as NodeJS.ErrnoException).code ?? e.message) : e); });
    req.once('aborted', () => { if (!done) reject(new ClientAbortError('aborted')); });
    // A connection closed before the end of the body (no 'aborted' on some Node versions).
    req.once('close', () => { if (!done && !req.complete) reject(new ClientAbortError('closed')); });
  });
}

async function decode(buf: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const opts = { maxOutputLength: maxBytes };
  switch (encoding) {
    case 'gzip': case 'x-gzip': return gunzip(buf, opts);
    // "deflate" is zlib-wrapped per RFC 9110, but some clients send raw deflate: try both.
    case 'deflate':
      try { return await inflate(buf, opts); } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw e;
        return inflateRaw(buf, opts);
      }
    default: return buf;
  }
}

const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate']);

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
  if (!ENCODINGS.has(encoding)) {
    return { ok: false, error: httpError(415, `Content-Encoding ${encoding} is not supported (gzip, deflate)`) };
  }
  const tooLarge = (): BodyResult =>
    ({ ok: false, close: true, error: httpError(413, `request body exceeds ${maxBytes} bytes`) });

  const raw = await readRaw(req, maxBytes);
  if (raw === 'tooLarge') return tooLarge();
  let plain: Buffer;
  try {
    plain = await decode(raw, encoding, maxBytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
    return { ok: false, error: httpError(400, `body is not valid ${encoding} data`, 'request-not-well-formed') };
  }
  try {
    // fatal: a body that is not UTF-8 is not well-formed XML in the declared encoding.
    return { ok: true, body: new TextDecoder('utf-8', { fatal: true }).decode(plain) };
  } catch {
    return { ok: false, error: httpError(400, 'body is not valid UTF-8', 'request-not-well-formed') };
  }
}
