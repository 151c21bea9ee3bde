/**
 * The HTTP front: a small fixed router in front of the CIM request pipeline.
 *   POST|M-POST /cimom (and /)  → method → size → auth → DSP0200 headers → media type → body → handler
 *   GET|HEAD /health             → the backend probe (no authentication, see health.ts)
 *   GET|HEAD /metrics            → auth → the Prometheus text of the latest metrics sample
 *   GET|HEAD a page set's prefix → auth → its read-only pages (pages.ts; the network drawings)
 *   anything else                → 404, or 405 with Allow on a known path
 * Without users, a request whose Host is not a loopback name of this machine is 403 on every path
 * (loopback.ts: DNS rebinding).
 * No framework: every CIM request would bypass one anyway (docs/architecture-http.md says why).
 * Every failure is an HTTP answer plus a log line; nothing here may take the process down.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger, Principal } from '../operations/provider.js';
import type { Authenticator } from './auth.js';
import { WWW_AUTHENTICATE } from './auth.js';
import { checkContentType, declaredTooLarge, isClientAbort, readBody } from './body.js';
import { httpError, type CimHttpResponse, type CimRequestHandler, type HttpErrorResponse } from './handler.js';
import { readCimHeaders } from './headers.js';
import { createHealthCheck, serveHealth, type HealthOptions } from './health.js';
import { asLogger, type LogLine } from './log.js';
import { addressedToThisMachine } from './loopback.js';
import { cimExtensionPrefix } from './mpost.js';
import { pageSetFor, sendPage, type PageSet } from './pages.js';
import { sendHttpError } from './respond.js';
import { sendCimAnswer } from './stream-response.js';

export interface HttpLimits {
  /** Request body limit, compressed and decompressed (default 16 MiB). */
  maxBodyBytes?: number;
  /** Per-request deadline; the handler's signal aborts then (default 120 s). */
  requestTimeoutMs?: number;
  /** Extra time a handler gets after its signal aborted before we answer 503 (default 5 s). */
  timeoutGraceMs?: number;
  /** Requests one connection may have unanswered at once, pipelined (default 16). */
  maxPipelined?: number;
}

export interface HttpAppOptions {
  handler: CimRequestHandler;
  /** null: no authentication, every request runs as {name:'anonymous', role:'admin'}. */
  auth: Authenticator | null;
  limits?: HttpLimits;
  log?: Logger | LogLine;
  /** Serves GET /health from this probe; without it /health is 404. */
  health?: HealthOptions;
  /** Serves GET /metrics (Prometheus text format) behind the same authentication as /cimom; without it 404. */
  metrics?: { contentType: string; render(): Promise<string> };
  /** Read-only page sets (GET /networks…) behind the same authentication as /cimom, any role. */
  pages?: readonly PageSet[];
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_TIMEOUT_GRACE_MS = 5_000;
/**
 * Node parses pipelined requests (RFC 9112 §9.3.2) and hands each over at once, without
 * waiting for the answers before it: one connection could run thousands of requests together,
 * past the connection cap. WBEM clients send one request at a time; a connection with more
 * than this many unanswered is closed.
 */
export const DEFAULT_MAX_PIPELINED = 16;
export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', role: 'admin' }) as Principal;

/** DSP0200 §5.2: CIM operations travel as POST or M-POST. */
export const CIM_ALLOW = 'POST, M-POST';
const CIM_PATHS = new Set(['/cimom', '/cimom/', '/']);
const TIMED_OUT = Symbol('timed out');
/** How long a 429 for too many failed logins is held back. */
export const THROTTLED_ANSWER_DELAY_MS = 500;
/** How long a refused client that keeps sending its unread body may hold the connection. */
const REFUSED_BODY_GRACE_MS = 2_000;
/** Longest CIM error description kept in an access-log entry. */
const DESCRIPTION_MAX = 160;

/** Per-request facts the access-log entry needs. */
interface Trace { user: string; cimMethod?: string; cimStatus?: number; cimError?: string; quiet?: boolean }

type Route = (req: IncomingMessage, res: ServerResponse, trace: Trace) => Promise<void>;

/** `scheme://authority` at the start of an absolute-form request target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;

/**
 * The path of a request target (still percent-encoded, without the query) and, for the
 * absolute form, which a server must accept (RFC 9112 §3.2.2), the host it names (that form's
 * authority takes the place of Host; a user name and password in it are dropped, never logged).
 */
function targetOf(url: string | undefined): { path: string; host?: string } {
  let u = url ?? '';
  let host: string | undefined;
  const abs = ABSOLUTE_FORM.exec(u);
  if (abs) {
    const authority = abs[1]!;
    host = authority.slice(authority.lastIndexOf('@') + 1);
    u = u.slice(abs[0].length);
    if (!u.startsWith('/')) u = `/${u}`;
  }
  const q = u.indexOf('?');
  const path = q < 0 ? u : u.slice(0, q);
  return host === undefined ? { path } : { path, host };
}

function pathOf(url: string | undefined): string {
  return targetOf(url).path;
}

export function createHttpApp(opts: HttpAppOptions): RequestListener {
  const maxBody = opts.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = opts.limits?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const graceMs = opts.limits?.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS;
  const maxPipelined = opts.limits?.maxPipelined ?? DEFAULT_MAX_PIPELINED;
  const log = asLogger(opts.log);
  /** Unanswered requests per connection (the M-POST shim stands for its socket). */
  const unanswered = new WeakMap<object, number>();

  /** Plain GET routes: path → handler (HEAD is served by the same handler). */
  const routes = new Map<string, Route>();
  if (opts.health) {
    const check = createHealthCheck(opts.health, log);
    routes.set('/health', async (req, res, trace) => {
      trace.quiet = true;            // probes come every few seconds: debug level
      await serveHealth(req, res, check);
    });
  }
  const metrics = opts.metrics;
  if (metrics) {
    // Same authentication as /cimom, any role: the figures are what a reader sees over CIM.
    routes.set('/metrics', async (req, res, trace) => {
      const principal = await authenticated(req, (e, extra) => sendHttpError(res, e, null, extra));
      if (!principal) return;
      trace.user = principal.name;
      const body = await metrics.render();
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  /** Same authentication as /cimom and /metrics, any role: the pages show what a reader sees over CIM. */
  function pageRoute(set: PageSet, path: string): Route {
    return async (req, res, trace) => {
      const principal = await authenticated(req, (e, extra) => sendHttpError(res, e, null, extra));
      if (!principal) return;
      trace.user = principal.name;
      sendPage(req, res, await set.serve(path, req.headers.accept));
    };
  }

  /** One access-log entry per request, whatever path it took (finished or cut off). */
  function traced(req: IncomingMessage, res: ServerResponse): Trace {
    const t0 = process.hrtime.bigint();
    const trace: Trace = { user: '-' };
    res.once('close', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - t0) / 1e4) / 100;
      const fields = {
        remote: req.socket.remoteAddress ?? '-', user: trace.user, method: req.method, path: pathOf(req.url),
        cimMethod: trace.cimMethod, status: res.statusCode, cimStatus: trace.cimStatus, cimError: trace.cimError,
        aborted: res.writableFinished ? undefined : true, ms,
      };
      if (res.statusCode >= 500) log.warn('request', fields);
      else if (trace.quiet && res.statusCode < 400) log.debug('request', fields);
      else log.info('request', fields);
    });
    return trace;
  }

  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (isClientAbort(err) || res.destroyed) {
      // The client hung up mid-request (a cancelled wbemcli, a load balancer timing out).
      log.debug('client went away', { remote: req.socket.remoteAddress ?? '-', reason: (err as Error)?.message ?? String(err) });
      res.destroy();
      return;
    }
    log.error('unexpected error', { remote: req.socket.remoteAddress ?? '-', error: (err as Error)?.stack ?? String(err) });
    if (!res.headersSent) sendHttpError(res, httpError(500, 'internal server error'), null);
    else res.destroy();
  }

  /** The caller, or undefined once refused (401, or 429 for too many failed logins). */
  async function authenticated(req: IncomingMessage, refuse: (e: HttpErrorResponse, extra?: Record<string, string>) => void): Promise<Principal | undefined> {
    if (!opts.auth) return ANONYMOUS;
    const outcome = await opts.auth.authenticate(req.headers.authorization, req.socket.remoteAddress ?? '');
    if (outcome !== null && !('refused' in outcome)) return outcome;
    const throttled = outcome !== null && outcome.refused === 'throttled';
    // A throttled client that retries at once is slowed down: answering it instantly would
    // turn a password-guessing loop into a request flood that costs everyone CPU.
    if (throttled) await new Promise((resolve) => setTimeout(resolve, THROTTLED_ANSWER_DELAY_MS).unref());
    // A body not read yet is not read at all: the connection closes after the answer (a client
    // without credentials must not hold a connection slot by trickling a body it announced).
    const unread = !req.complete;
    refuse(throttled
      ? httpError(429, 'too many failed logins from this address; retry later')
      : httpError(401, 'authentication required'),
    {
      ...(throttled ? { 'Retry-After': String(outcome.retryAfterSec) } : { 'WWW-Authenticate': WWW_AUTHENTICATE }),
      ...(unread ? { Connection: 'close' } : {}),
    });
    if (unread) {
      const socket = req.socket;
      // Node ends its side after the answer; one that keeps sending is cut off shortly after.
      socket.once('finish', () => setTimeout(() => socket.destroy(), REFUSED_BODY_GRACE_MS).unref());
    }
    return undefined;
  }

  async function cimRequest(req: IncomingMessage, res: ServerResponse, trace: Trace): Promise<void> {
    if (req.method !== 'POST' && req.method !== 'M-POST') {
      sendHttpError(res, httpError(405, `${req.method} is not allowed; use POST or M-POST`), null, { Allow: CIM_ALLOW });
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
    const refuse = (e: HttpErrorResponse, extra?: Record<string, string>): void => sendHttpError(res, e, prefix, extra);

    // RFC 9112 §3.2 (OpenPegasus does the same): HTTP/1.1 needs Host. Node enforces it too.
    if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined) {
      refuse(httpError(400, 'missing Host header'));
      return;
    }
    if (declaredTooLarge(req, maxBody)) {
      refuse(httpError(413, `request body exceeds ${maxBody} bytes`), { Connection: 'close' });
      return;
    }

    const principal = await authenticated(req, refuse);
    if (!principal) return;
    trace.user = principal.name;

    const hdr = readCimHeaders(req.headers, prefix);
    if (!hdr.ok) { refuse(hdr.error); return; }
    if (hdr.headers.method !== undefined) trace.cimMethod = hdr.headers.method;

    const ctError = checkContentType(req.headers['content-type']);
    if (ctError) { refuse(ctError); return; }

    const body = await readBody(req, maxBody);
    if (!body.ok) {
      refuse(body.error, body.close ? { Connection: 'close' } : {});
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
      log.warn('request did not finish in time', { remote: req.socket.remoteAddress ?? '-', cimMethod: trace.cimMethod, timeoutMs });
      refuse(httpError(503, 'request timed out'), { 'Retry-After': '5' });
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
      if (result.kind === 'httpError') { refuse(result); return; }
      trace.cimStatus = result.cimStatus?.code ?? 0;
      if (result.cimStatus?.description) trace.cimError = result.cimStatus.description.slice(0, DESCRIPTION_MAX);

      const st = await sendCimAnswer(req, res, result.chunks, prefix, ac.signal, result.errorBody);
      if (st.code !== 0) {
        trace.cimStatus = st.code;
        trace.cimError = (st.description ?? '').slice(0, DESCRIPTION_MAX);
        if (st.streamed) log.warn('response failed while streaming', { cimMethod: trace.cimMethod, cimStatus: st.code, cimError: st.description });
      }
    } finally {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      res.off('close', onClose);
    }
  }

  function route(req: IncomingMessage, res: ServerResponse, trace: Trace): Promise<void> {
    const target = targetOf(req.url);
    const path = target.path;
    // Without users every caller is admin, and the server listens on the loopback only; but a
    // web page in a local browser reaches the loopback too, under a name it resolved to
    // 127.0.0.1 (DNS rebinding). Its requests carry that name in Host: refused.
    const host = target.host ?? req.headers.host;
    if (!opts.auth && !addressedToThisMachine(host)) {
      sendHttpError(res, httpError(403, `Host ${JSON.stringify(host)} is not addressed to this machine: without users, `
        + 'only requests to localhost, a loopback address or this host\'s name are served'), null);
      return Promise.resolve();
    }
    if (CIM_PATHS.has(path)) return cimRequest(req, res, trace);
    const pages = pageSetFor(opts.pages ?? [], path);
    const handler = routes.get(path) ?? (pages ? pageRoute(pages, path) : undefined);
    if (!handler) {
      sendHttpError(res, httpError(404, 'not found (CIM operations go to POST /cimom)'), null);
      return Promise.resolve();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendHttpError(res, httpError(405, `${req.method} is not allowed on ${path}`), null, { Allow: 'GET, HEAD' });
      return Promise.resolve();
    }
    return handler(req, res, trace);
  }

  /** Counts the request on its connection; false (the connection closed) when it is one too many. */
  function admitted(req: IncomingMessage, res: ServerResponse): boolean {
    const sock = req.socket;
    const n = (unanswered.get(sock) ?? 0) + 1;
    if (n > maxPipelined) {
      log.warn('too many pipelined requests on one connection: closed', { remote: sock.remoteAddress ?? '-', max: maxPipelined });
      sock.destroy();
      return false;
    }
    unanswered.set(sock, n);
    res.once('close', () => { unanswered.set(sock, (unanswered.get(sock) ?? 1) - 1); });
    return true;
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    let trace: Trace | undefined;
    try {
      if (!admitted(req, res)) return;
      trace = traced(req, res);
      route(req, res, trace).catch((err: unknown) => fail(req, res, err));
    } catch (err) {
      fail(req, res, err);
    }
  };
}
