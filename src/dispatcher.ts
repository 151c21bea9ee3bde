/**
 * The CIM request handler given to http/: decodes the CIM-XML body, checks it against the
 * DSP0200 §6.3 extension headers, runs the operation and encodes the response. Protocol-level
 * failures become HTTP errors with a `CIMError` header; CIM-level failures become an ERROR
 * element in a 200 response (DSP0200 §7.1); nothing thrown escapes as a crash.
 */
import { CimError, CimInstanceName, cimError, isClassNameRef, normalizeNamespace, parseObjectPath, sameName, type CimRequest } from './cim/index.js';
import {
  CimXmlProtocolError, CimXmlRequestError, decodeRequest, encodeError, encodeExtrinsicResponse, encodeIntrinsicResponse, encodeNamedInstanceStream,
} from './cimxml/index.js';
import type { CimHttpRequest, CimHttpResponse, CimRequestHandler } from './http/handler.js';
import { asLogger, type LogLine } from './http/log.js';
import type { Logger } from './operations/provider.js';
import type { Operations } from './operations/index.js';

export interface DispatcherOptions {
  operations: Operations;
  /** HOST written into returned object paths that carry no host. */
  hostName: string;
  log: Logger | LogLine;
  limits?: { maxDepth?: number; maxElements?: number };
}

export function createDispatcher(options: DispatcherOptions): CimRequestHandler {
  const opts = { ...options, log: asLogger(options.log) };
  return async (req: CimHttpRequest): Promise<CimHttpResponse> => {
    let request: CimRequest;
    try {
      request = decodeRequest(req.body, opts.limits);
    } catch (e) {
      if (e instanceof CimXmlProtocolError) {
        return { kind: 'httpError', status: e.status, cimError: e.cimErrorHeader, message: e.message };
      }
      if (e instanceof CimXmlRequestError) {
        return { kind: 'cim', chunks: [encodeError(e.messageId, e.method, e.kind, e.cimError)], cimStatus: statusOf(e.cimError) };
      }
      opts.log.error('decode failed unexpectedly', { error: (e as Error).stack ?? String(e) });
      return { kind: 'httpError', status: 400, cimError: 'request-not-valid', message: 'the request could not be decoded' };
    }

    const mismatch = headerMismatch(req, request);
    if (mismatch) return { kind: 'httpError', status: 400, cimError: 'header-mismatch', message: mismatch };

    try {
      if (request.kind === 'intrinsic') {
        const response = await opts.operations.intrinsic(request, req.principal, req.signal, true);
        const { messageId, method } = request;
        const r = response.result;
        return {
          kind: 'cim',
          chunks: r.kind === 'namedInstanceStream'
            ? encodeNamedInstanceStream(messageId, method, r.batches, response.flags)
            : encodeIntrinsicResponse(messageId, method, response, { namespace: request.namespace, host: opts.hostName }),
          // An encoding failure before the first byte is still a whole ERROR answer.
          errorBody: (e) => encodeError(messageId, method, 'intrinsic', asCimError(e, method, opts.log)),
        };
      }
      const result = await opts.operations.extrinsic(request, req.principal, req.signal);
      return { kind: 'cim', chunks: [encodeExtrinsicResponse(request.messageId, request.method, result)] };
    } catch (e) {
      return cimErrorResponse(request.messageId, request.method, request.kind, asCimError(e, request.method, opts.log));
    }
  };
}

/** A CimError as it is; anything else is logged and becomes CIM_ERR_FAILED. */
function asCimError(e: unknown, method: string, log: Logger): CimError {
  if (e instanceof CimError) return e;
  log.error('operation failed unexpectedly', { cimMethod: method, error: (e as Error).stack ?? String(e) });
  return cimError('FAILED', `internal error while running ${method}: ${(e as Error).message ?? e}`);
}

function statusOf(err: CimError): { code: number; description: string } {
  return { code: err.code, description: err.message };
}

function cimErrorResponse(messageId: string, method: string, kind: 'intrinsic' | 'extrinsic', err: CimError): CimHttpResponse {
  return { kind: 'cim', chunks: [encodeError(messageId, method, kind, err)], cimStatus: statusOf(err) };
}

/**
 * DSP0200 §6.3.2-§6.3.4: CIMMethod must name the called method, CIMObject the namespace
 * (intrinsic) or the target path (extrinsic), CIMProtocolVersion the MESSAGE PROTOCOLVERSION.
 * Returns a description of the first mismatch, or undefined.
 */
function headerMismatch(http: CimHttpRequest, req: CimRequest): string | undefined {
  const h = http.headers;
  // CIM names are case-insensitive (DSP0004): the header may spell the method otherwise.
  if (h.method !== undefined && !sameName(h.method, req.method)) {
    return `CIMMethod header "${h.method}" does not match the ${req.kind === 'intrinsic' ? 'IMETHODCALL' : 'METHODCALL'} name "${req.method}"`;
  }
  if (h.protocolVersion !== undefined && h.protocolVersion.trim() !== req.protocolVersion) {
    return `CIMProtocolVersion header "${h.protocolVersion}" does not match MESSAGE PROTOCOLVERSION "${req.protocolVersion}"`;
  }
  if (h.object === undefined) return undefined;
  const object = h.object.trim();
  if (req.kind === 'intrinsic') {
    if (!sameName(normalizeNamespace(object), req.namespace)) {
      return `CIMObject header "${object}" does not match the request namespace "${req.namespace}"`;
    }
    return undefined;
  }
  let parsed;
  try {
    parsed = parseObjectPath(object);
  } catch {
    return `CIMObject header "${object}" is not an object path`;
  }
  if (parsed.namespace !== undefined && !sameName(normalizeNamespace(parsed.namespace), req.namespace)) {
    return `CIMObject header namespace "${parsed.namespace}" does not match the request namespace "${req.namespace}"`;
  }
  const target = req.target;
  const targetClass = isClassNameRef(target) ? target.className : target.className;
  if (!sameName(parsed.className, targetClass)) {
    return `CIMObject header class "${parsed.className}" does not match the target class "${targetClass}"`;
  }
  if (!isClassNameRef(target) && parsed.keybindings) {
    const fromHeader = new CimInstanceName(parsed.className, parsed.keybindings);
    if (!sameKeys(fromHeader, target)) return `CIMObject header "${object}" does not match the target instance path`;
  }
  return undefined;
}

/** Key comparison tolerant of typing differences (the header carries text, the body typed keys). */
function sameKeys(a: CimInstanceName, b: CimInstanceName): boolean {
  if (a.keybindings.length !== b.keybindings.length) return false;
  return a.keybindings.every((k) => {
    const other = b.key(k.name);
    if (other === undefined) return false;
    // Nested reference keys are compared by the body alone: header quoting of paths varies.
    if (other instanceof CimInstanceName || k.value instanceof CimInstanceName) return true;
    const text = (v: unknown) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v));
    return text(k.value) === text(other);
  });
}
