/**
 * The express app: routes /cimom (and /) to the CIM request pipeline
 *   method → size → auth → DSP0200 headers → media type → body → handler → response
 * and keeps every failure an HTTP answer plus a log line; nothing here may take the process down.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Principal } from '../operations/provider.js';
import type { Authenticator } from './auth.js';
import { WWW_AUTHENTICATE } from './auth.js';
import { checkContentType, declaredTooLarge, readBody } from './body.js';
import { httpError, type CimHttpResponse, type CimRequestHandler, type HttpErrorResponse } from './handler.js';
import { readCimHeaders } from './headers.js';
import { cimExtensionPrefix } from './mpost.js';
import { collect, sendBuffered, sendChunked, sendHttpError, wantsTrailers } from './respond.js';

export interface HttpLimits {
  /** Request body limit, compressed and decompressed (default 16 MiB). */
  maxBodyBytes?: number;
  /** Per-request deadline; the handler's signal aborts then (default 120 s). */
  requestTimeoutMs?: number;
  /** Extra time a handler gets after its signal aborted before we answer 503 (default 5 s). */
  timeoutGraceMs?: number;
}

export interface HttpAppOptions {
  handler: CimRequestHandler;
  /** null: no authentication, every request runs as {name:'anonymous', role:'admin'}. */
  auth: Authenticator | null;
  limits?: HttpLimits;
  log?: (line: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_TIMEOUT_GRACE_MS = 5_000;
export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', role: 'admin' }) as Principal;

/** DSP0200 §5.2: CIM operations travel as POST or M-POST. */
const ALLOW = 'POST, M-POST';
const CIM_PATHS = new Set(['/cimom', '/cimom/', '/']);
const TIMED_OUT = Symbol('timed out');

/** Per-request facts the access log line needs. */
interface Trace { user: string; method: string }

export function createHttpApp(opts: HttpAppOptions): RequestListener {
  const maxBody = opts.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = opts.limits?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const graceMs = opts.limits?.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS;
  const log = opts.log ?? ((): void => {});

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  /** One access-log line per request, whatever path it took (finished or cut off). */
  function traced(req: IncomingMessage, res: ServerResponse): Trace {
    const t0 = process.hrtime.bigint();
    const trace: Trace = { user: '-', method: '-' };
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const status = res.writableFinished ? String(res.statusCode) : `${res.statusCode}(aborted)`;
      log(`http ${req.socket.remoteAddress ?? '-'} ${trace.user} ${req.method} ${trace.method} ${status} ${ms.toFixed(1)}ms`);
    });
    return trace;
  }

  function runCim(req: IncomingMessage, res: ServerResponse, trace: Trace): void {
    cimRequest(req, res, trace).catch((err: unknown) => {
      log(`http: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendHttpError(res, httpError(500, 'internal server error'), null);
      else res.destroy();
    });
  }

  app.use((req: Request, res: Response, next: NextFunction) => {
    res.locals.trace = traced(req, res);
    next();
  });

  // Not app.all(): express routes only the methods Node knows, and M-POST is not one of them.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!CIM_PATHS.has(req.path)) { next(); return; }
    runCim(req, res, res.locals.trace as Trace);
  });

  app.use((_req: Request, res: Response) => {
    sendHttpError(res, httpError(404, 'not found (CIM operations go to POST /cimom)'), null);
  });

  // Express' own failures (a malformed URL...) and anything thrown synchronously above.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendHttpError(res, httpError(status, 'bad request'), null);
      return;
    }
    log(`http: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    sendHttpError(res, httpError(500, 'internal server error'), null);
  });

  async function cimRequest(req: IncomingMessage, res: ServerResponse, trace: Trace): Promise<void> {
    if (req.method !== 'POST' && req.method !== 'M-POST') {
      sendHttpError(res, httpError(405, `${req.method} is not allowed; use POST or M-POST`), null, { Allow: ALLOW });
      return;
    }
    // M-POST must declare the CIM mapping (RFC 2774 §7: otherwise 510 Not Extended).
    let prefix: string | null = null;
    if (req.method === 'M-POST') {
      prefix = cimExtensionPrefix(req.headers.man);
      if (prefix === null) {
        sendHttpError(res, httpError(510, 'M-POST without a Man header declaring the CIM mapping'), null);
        return;
      }
    }
    const fail = (e: HttpErrorResponse, extra?: Record<string, string>): void => sendHttpError(res, e, prefix, extra);

    // RFC 9112 §3.2 (OpenPegasus does the same): HTTP/1.1 needs Host. Node enforces it too.
    if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined) {
      fail(httpError(400, 'missing Host header'));
      return;
    }
    if (declaredTooLarge(req, maxBody)) {
      fail(httpError(413, `request body exceeds ${maxBody} bytes`), { Connection: 'close' });
      return;
    }

    let principal: Principal = ANONYMOUS;
    if (opts.auth) {
      const p = await opts.auth.authenticate(req.headers.authorization);
      if (!p) {
        fail(httpError(401, 'authentication required'), { 'WWW-Authenticate': WWW_AUTHENTICATE });
        return;
      }
      principal = p;
    }
    trace.user = principal.name;

    const hdr = readCimHeaders(req.headers, prefix);
    if (!hdr.ok) { fail(hdr.error); return; }
    trace.method = hdr.headers.method ?? '-';

    const ctError = checkContentType(req.headers['content-type']);
    if (ctError) { fail(ctError); return; }

    const body = await readBody(req, maxBody);
    if (!body.ok) {
      fail(body.error, body.close ? { Connection: 'close' } : {});
      return;
    }

    // The handler gets a signal for the deadline and for a client that went away; if it
    // still has not answered `graceMs` after the deadline, we answer for it.
    const ac = new AbortController();
    const onClose = (): void => { if (!res.writableFinished) ac.abort(new Error('client disconnected')); };
    res.once('close', onClose);
    const timer = setTimeout(() => ac.abort(new Error(`request timed out after ${timeoutMs} ms`)), timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      graceTimer = setTimeout(() => resolve(TIMED_OUT), timeoutMs + graceMs);
    });
    const timedOut = (): void => {
      log(`http: ${trace.method} from ${req.socket.remoteAddress ?? '-'} did not finish within ${timeoutMs} ms`);
      fail(httpError(503, 'request timed out'), { 'Retry-After': '5' });
    };

    try {
      const result: CimHttpResponse | typeof TIMED_OUT = await Promise.race([
        opts.handler({
          body: body.body,
          headers: hdr.headers,
          principal,
          signal: ac.signal,
          remote: req.socket.remoteAddress ?? '',
        }),
        deadline,
      ]);
      if (result === TIMED_OUT) { timedOut(); return; }
      if (res.destroyed) return;
      if (result.kind === 'httpError') { fail(result); return; }

      if (wantsTrailers(req)) {
        const st = await sendChunked(res, result.chunks, prefix, ac.signal);
        if (st.code !== 0) log(`http: ${trace.method} failed while streaming: CIM status ${st.code} ${st.description ?? ''}`);
        return;
      }
      const collected = collect(result.chunks);
      const out = collected instanceof Promise ? await Promise.race([collected, deadline]) : collected;
      if (out === TIMED_OUT) { timedOut(); return; }
      if (res.destroyed) return;
      await sendBuffered(req, res, out, prefix);
    } finally {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      res.off('close', onClose);
    }
  }

  // The fast path: a CIM operation to the exact path (all of them, in practice) goes straight
  // to the pipeline, without express' per-request set-up (prototype swaps, router walk),
  // which the pipeline does not use. Everything else takes the express route as before.
  return (req: IncomingMessage, res: ServerResponse): void => {
    if ((req.method === 'POST' || req.method === 'M-POST') && CIM_PATHS.has(req.url ?? '')) {
      runCim(req, res, traced(req, res));
      return;
    }
    app(req, res);
  };
}
