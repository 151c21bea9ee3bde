/**
 * Sending a CIM-XML answer as the encoder produces it (docs/architecture-http.md, "Streaming"):
 *
 * - An answer that ends within STREAM_AFTER bytes goes out whole, with Content-Length (gzip when
 *   asked for and worth it): GetInstance and every small answer stay un-chunked.
 * - A larger one is sent chunked (HTTP/1.1) while it is encoded, gzip-compressed on the way
 *   when the client accepts gzip; each write waits for 'drain' when the socket is full, and the
 *   loop yields to the event loop between encoder chunks, so one large enumeration neither
 *   blocks other requests nor holds the whole answer in memory.
 * - A failure before the first byte is answered whole by `errorBody` (a CIM-XML ERROR). After
 *   the first byte it can only be told in the CIMStatusCode trailer (DSP0200 §6.3.6/§6.3.7),
 *   hence: with `TE: trailers` the trailer carries it; without, the connection is reset before
 *   the terminating chunk, so the client sees an incomplete message, never a well-formed
 *   partial answer.
 * - An HTTP/1.0 client cannot take chunks: its answer is collected and sent whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as yieldToLoop, setTimeout as breathe } from 'node:timers/promises';
import * as zlib from 'node:zlib';
import { cimHeaderName } from './mpost.js';
import {
  GZIP_MIN_BYTES, acceptsGzip, cimStatusOf, collect, encodeHeaderText, sendBuffered, setCimHeaders, wantsTrailers,
} from './respond.js';

/** How long an answer streams before the loop lets timers and new connections in (see streamChunked). */
const BREATHE_MS = 10;

/** An answer up to this size (UTF-16 units ≈ bytes for CIM-XML) is sent whole, with Content-Length. */
export const STREAM_AFTER = 64 * 1024;

export interface StreamResult { code: number; description?: string; error?: unknown; streamed: boolean }

type Chunks = Iterable<string> | AsyncIterable<string>;

function iteratorOf(chunks: Chunks): Iterator<string> | AsyncIterator<string> {
  return Symbol.asyncIterator in chunks ? (chunks as AsyncIterable<string>)[Symbol.asyncIterator]() : (chunks as Iterable<string>)[Symbol.iterator]();
}

function drain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Where the body goes: the socket, or a gzip stream in front of it. `write` resolves true when
 * it waited for 'drain' (the event loop ran meanwhile).
 */
interface Sink { write(text: string): Promise<boolean>; end(): Promise<void> }

function plainSink(res: ServerResponse): Sink {
  return {
    async write(text) {
      // Node measures each chunk in UTF-8 before it writes it; an all-ASCII chunk (the usual
      // CIM-XML) then goes out as latin1, the same bytes copied as they are rather than
      // transcoded (measured: 7 % of the CPU of a 1,000-instance EnumerateInstances).
      const ascii = Buffer.byteLength(text, 'utf8') === text.length;
      if (res.write(text, ascii ? 'latin1' : 'utf8') || res.destroyed) return false;
      await drain(res);
      return true;
    },
    async end() { /* nothing buffered */ },
  };
}

function gzipSink(res: ServerResponse): Sink {
  const gz = zlib.createGzip();
  gz.on('data', (d: Buffer) => { if (!res.destroyed) res.write(d); });
  const ended = new Promise<void>((resolve, reject) => { gz.once('end', resolve); gz.once('error', reject); });
  return {
    async write(text) {
      // A sync flush per encoder chunk: the client gets what is encoded, and gzip holds nothing back.
      await new Promise<void>((resolve) => { gz.write(text, 'utf8'); gz.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()); });
      if (!res.writableNeedDrain || res.destroyed) return false;
      await drain(res);
      return true;
    },
    async end() { gz.end(); await ended; },
  };
}

/**
 * Sends `chunks` as described above. `errorBody` makes the whole answer for an error found
 * before the first byte. Returns the CIM status the client was told (0 on success).
 */
export async function sendCimAnswer(
  req: IncomingMessage, res: ServerResponse, chunks: Chunks, prefix: string | null, signal: AbortSignal,
  errorBody?: (err: unknown) => string,
): Promise<StreamResult> {
  const trailers = wantsTrailers(req);
  const http10 = req.httpVersionMajor === 1 && req.httpVersionMinor === 0;
  const it = iteratorOf(chunks);
  const head: string[] = [];
  let size = 0;
  let done = false;
  try {
    // Up to STREAM_AFTER bytes before deciding; the client sent TE: trailers: chunk at once (as before).
    while (!done && (size < STREAM_AFTER || http10) && !(trailers && head.length > 0)) {
      const r = await it.next();
      if (r.done) { done = true; break; }
      if (r.value.length === 0) continue;
      head.push(r.value);
      size += r.value.length;
    }
  } catch (err) {
    if (trailers) return streamChunked(req, res, [], 0, it, prefix, signal, trailers, err);
    if (errorBody === undefined) throw err;
    const st = cimStatusOf(err);
    await sendBuffered(req, res, { text: errorBody(err) }, prefix);
    return { ...st, error: err, streamed: false };
  }
  if (done && !trailers) {
    const body = collect(head);
    await sendBuffered(req, res, body instanceof Promise ? await body : body, prefix);
    return { code: 0, streamed: false };
  }
  return streamChunked(req, res, head, size, done ? null : it, prefix, signal, trailers);
}

async function streamChunked(
  req: IncomingMessage, res: ServerResponse, head: string[], size: number, it: Iterator<string> | AsyncIterator<string> | null,
  prefix: string | null, signal: AbortSignal, trailers: boolean, early?: unknown,
): Promise<StreamResult> {
  const codeName = cimHeaderName('CIMStatusCode', prefix);
  const descName = cimHeaderName('CIMStatusCodeDescription', prefix);
  setCimHeaders(res, prefix);
  if (trailers) res.setHeader('Trailer', `${codeName}, ${descName}`);
  const gzip = acceptsGzip(req) && (size > GZIP_MIN_BYTES || it !== null);
  res.setHeader('Vary', 'Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const sink = gzip ? gzipSink(res) : plainSink(res);

  let failure: unknown = early;
  if (failure === undefined) {
    try {
      let waited = head.length > 0 ? await sink.write(head.join('')) : false;
      let breathed = performance.now();
      while (it !== null) {
        if (res.destroyed) return { code: 0, streamed: true };
        // Other requests run between encoder chunks: while waiting for 'drain' (the usual case,
        // a chunk is larger than the socket's high-water mark), or else here. A yield on top
        // of a drain wait costs throughput and memory (measured: half the EnumerateInstances
        // rate and nearly twice the peak RSS at 4 clients). Neither lets a NEW connection in
        // while a fast local reader drains every chunk at once (measured: a GetInstance waited
        // for the whole 76 MB enumeration), so every BREATHE_MS a timer turn does: a request
        // behind a large answer waits about that long, for a few per cent of its throughput.
        if (performance.now() - breathed >= BREATHE_MS) {
          await breathe(0);
          breathed = performance.now();
        } else if (!waited) await yieldToLoop();
        if (signal.aborted) throw signal.reason ?? new Error('request aborted');
        const r = await it.next();
        if (r.done) break;
        waited = r.value.length > 0 ? await sink.write(r.value) : false;
      }
      await sink.end();
    } catch (err) {
      failure = err;
    }
  }
  if (res.destroyed) return { ...(failure === undefined ? { code: 0 } : cimStatusOf(failure)), error: failure, streamed: true };
  if (failure !== undefined) {
    const st = cimStatusOf(failure);
    if (!trailers) {
      // No way to tell the client: end the connection without the last chunk (incomplete message).
      res.destroy();
      return { ...st, error: failure, streamed: true };
    }
    if (gzip) await sink.end().catch(() => undefined);
    res.addTrailers({ [codeName]: String(st.code), [descName]: encodeHeaderText(st.description) });
    res.end();
    return { ...st, error: failure, streamed: true };
  }
  if (trailers) res.addTrailers({ [codeName]: '0' });
  res.end();
  return { code: 0, streamed: true };
}
