/**
 * GET /health for load balancers and service managers: 200 while the backend answers, 503
 * otherwise. Served without authentication (a probe carries no credentials) and so it says
 * nothing but "ok" or "unavailable"; the reason goes to the log, once per change of state.
 * Probes are single-flight and their result is reused briefly, so a flood of unauthenticated
 * health checks costs the backend at most one probe per `reuseMs`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../operations/provider.js';

export interface HealthOptions {
  /** Resolves when the backend answered; rejects (or outlasts the timeout) otherwise. */
  probe: () => Promise<unknown>;
  /** How long the backend may take to answer (default 5 s). */
  timeoutMs?: number;
  /** How long a result is reused (default 1 s). */
  reuseMs?: number;
}

export interface HealthState { ok: boolean; reason?: string }

export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;

export function createHealthCheck(opts: HealthOptions, log: Logger): () => Promise<HealthState> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const reuseMs = opts.reuseMs ?? 1_000;
  let last: { at: number; state: HealthState } | undefined;
  let inFlight: Promise<HealthState> | undefined;
  /** A probe of the backend still running (a hung one is waited for, never doubled). */
  let backend: Promise<unknown> | undefined;

  async function probeOnce(): Promise<HealthState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the backend did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    if (!backend) {
      const started: Promise<unknown> = Promise.resolve().then(opts.probe).finally(() => { if (backend === started) backend = undefined; });
      backend = started;
    }
    try {
      await Promise.race([backend, timeout]);
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: (e as Error)?.message ?? String(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  return () => {
    const now = Date.now();
    if (last && now - last.at < reuseMs) return Promise.resolve(last.state);
    inFlight ??= probeOnce().then((state) => {
      if (last ? last.state.ok !== state.ok : !state.ok) {
        if (state.ok) log.info('health: backend answers again');
        else log.warn('health: backend unavailable', { reason: state.reason });
      }
      last = { at: Date.now(), state };
      inFlight = undefined;
      return state;
    });
    return inFlight;
  };
}

/** Answers GET/HEAD /health from a check; plain text, never cached by intermediaries. */
export async function serveHealth(req: IncomingMessage, res: ServerResponse, check: () => Promise<HealthState>): Promise<void> {
  const state = await check();
  const body = state.ok ? 'ok\n' : 'unavailable\n';
  res.statusCode = state.ok ? 200 : 503;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (!state.ok) res.setHeader('Retry-After', '5');
  res.end(req.method === 'HEAD' ? undefined : body);
}
