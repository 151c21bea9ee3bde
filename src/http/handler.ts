/**
 * The contract between the HTTP adapter and whatever answers CIM-XML requests (docs/architecture.md):
 * http/ deals with transport, auth, limits and DSP0200 §6.3 headers; the handler only sees
 * a decoded body plus the extension headers and answers with CIM-XML chunks or an HTTP error.
 */
import type { Principal } from '../operations/provider.js';

export interface CimHttpRequest {
  body: string;                // utf-8 text (after Content-Encoding gzip/deflate decoding)
  headers: {                   // DSP0200 §6.3 extension headers, M-POST NN- prefixes resolved, values percent-decoded (UTF-8) where DSP0200 says so
    operation?: string;        // CIMOperation
    method?: string;           // CIMMethod
    object?: string;           // CIMObject (decoded: wbemcli percent-encodes it, pywbem does not)
    protocolVersion?: string;  // CIMProtocolVersion
  };
  principal: Principal;        // the authenticated user (or {name:'anonymous', role:'admin'} when auth is off)
  signal: AbortSignal;         // aborted on the per-request timeout or client disconnect
  remote: string;              // remote address
}

export type CimHttpResponse =
  // 200 + CIMOperation: MethodResponse; `cimStatus` is the ERROR the chunks carry, when they do (for the access log)
  // `errorBody`: the whole answer for a failure of `chunks` before their first byte is sent (a CIM-XML ERROR)
  | { kind: 'cim'; chunks: Iterable<string> | AsyncIterable<string>; cimStatus?: { code: number; description?: string }; errorBody?: (err: unknown) => string }
  | { kind: 'httpError'; status: number; cimError?: string; message: string };  // e.g. 400 header-mismatch

export type CimRequestHandler = (req: CimHttpRequest) => Promise<CimHttpResponse>;

/** The error variant on its own, used by the adapter's own checks. */
export type HttpErrorResponse = Extract<CimHttpResponse, { kind: 'httpError' }>;

export function httpError(status: number, message: string, cimError?: string): HttpErrorResponse {
  return cimError === undefined
    ? { kind: 'httpError', status, message }
    : { kind: 'httpError', status, cimError, message };
}
