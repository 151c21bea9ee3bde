/**
 * Read-only pages under a path prefix (GET /networks…), served behind the same authentication
 * as /cimom, any role. The page set makes the body; this file sets what every page answer
 * carries: no MIME sniffing, no caching, and a Content-Security-Policy that allows nothing
 * unless the page says otherwise (never scripts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface PageAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Extra headers; a page widening the default policy sets its own Content-Security-Policy. */
  headers?: Record<string, string>;
}

export interface PageSet {
  /** "/networks": serves "/networks" and everything under "/networks/". */
  prefix: string;
  /** `path` is the request path without the query, still percent-encoded; `accept` the Accept header. */
  serve(path: string, accept?: string): Promise<PageAnswer>;
}

/** Nothing may load, run or frame: a page that needs inline styles or images says so itself. */
export const DEFAULT_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function pageSetFor(sets: readonly PageSet[], path: string): PageSet | undefined {
  return sets.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`));
}

export function sendPage(req: IncomingMessage, res: ServerResponse, answer: PageAnswer): void {
  res.writeHead(answer.status, {
    'Content-Security-Policy': DEFAULT_PAGE_CSP,
    ...answer.headers,
    'Content-Type': answer.contentType,
    'Content-Length': Buffer.byteLength(answer.body),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}
