/**
 * An HTTP request made by the server (to a peer, to an indication listener) or by a command (to
 * the server: `network show`, `network apply`): the whole exchange has a deadline, so an answer
 * trickled byte by byte cannot hold the caller, and the answer is read up to a bound, so one
 * streaming without end cannot grow the caller's memory.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface BoundedRequest {
  url: URL;
  /** Default POST. */
  method?: 'GET' | 'POST';
  headers: http.OutgoingHttpHeaders;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  /** How the host name is resolved (a check of each address), when not the default. */
  lookup?: LookupFunction;
  /** https: accept a certificate that cannot be verified (a command's --insecure). */
  insecure?: boolean;
}

export interface BoundedAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Why a request got no whole answer: the caller words it in its own terms. */
export class RequestFailure extends Error {
  constructor(readonly reason: 'timeout' | 'too_large' | 'network', message: string) {
    super(message);
  }
}

export function requestBounded(o: BoundedRequest): Promise<BoundedAnswer> {
  const lib = o.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      fn();
    };
    // The first reason wins; the request is then torn down (its own error events say nothing more).
    const fail = (e: RequestFailure): void => {
      settle(() => reject(e));
      req.destroy();
    };
    const req = lib.request(o.url, {
      method: o.method ?? 'POST', headers: o.headers, ...(o.lookup ? { lookup: o.lookup } : {}), ...(o.insecure ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) fail(new RequestFailure('too_large', `answer over ${o.maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on('error', (e) => fail(new RequestFailure('network', e.message)));
      res.on('end', () => settle(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') })));
    });
    const deadline = setTimeout(() => fail(new RequestFailure('timeout', `no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('error', (e) => fail(new RequestFailure('network', e.message)));
    req.end(o.body);
  });
}
