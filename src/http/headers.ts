/**
 * DSP0200 §6.3 extension headers of a request: read (resolving M-POST prefixes), decode and
 * validate them. Everything that is wrong here is an HTTP-level error with a CIMError header
 * (DSP0200 §7); the body is not looked at.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { httpError, type CimHttpRequest, type HttpErrorResponse } from './handler.js';
import { cimHeaderName } from './mpost.js';

export type CimHeaders = CimHttpRequest['headers'];

/** Protocol versions we implement: DSP0200 1.0 to 1.4. */
const MAX_MINOR = 4;

/** CIMMethod must be a CIM identifier (DSP0200 §6.3.4; DSP0004 identifier syntax). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Node hands header values over as latin1 (one char per byte). A client that sends raw UTF-8
 * instead of %-escapes would otherwise see mojibake: reinterpret when it is valid UTF-8.
 */
function latin1ToUtf8(v: string): string {
  if (!/[\x80-\xff]/.test(v)) return v;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(v, 'latin1'));
  } catch {
    return v;
  }
}

/**
 * The two-step decoding of DSP0200 §6.3 (UTF-8, then URI %-escapes). Tolerant: a value
 * that is not a valid escape sequence (a lone `%`, bytes that are not UTF-8) is kept raw,
 * since pywbem sends CIMObject unencoded and a `%` may appear literally in a key value.
 */
export function percentDecode(v: string): string {
  const text = latin1ToUtf8(v);
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A header under its (possibly prefixed) name; under M-POST the bare name is a fallback. */
function get(raw: IncomingHttpHeaders, name: string, prefix: string | null): string | undefined {
  const key = cimHeaderName(name, prefix).toLowerCase();
  const v = single(raw[key]);
  if (v !== undefined || prefix === null) return v;
  return single(raw[name.toLowerCase()]);
}

export type HeaderResult = { ok: true; headers: CimHeaders } | { ok: false; error: HttpErrorResponse };

/**
 * Validates in the order OpenPegasus' decoder does, so clients see the same first error:
 * operation, protocol version, batch, method, object.
 */
export function readCimHeaders(raw: IncomingHttpHeaders, prefix: string | null): HeaderResult {
  const fail = (status: number, message: string, cimError?: string): HeaderResult =>
    ({ ok: false, error: httpError(status, message, cimError) });

  // §6.3.1 CIMOperation. A value other than MethodCall is 400 unsupported-operation. An absent
  // header means "not a CIM operation" (e.g. an export to a listener, which we are not):
  // answered the same way, so the client learns why.
  const operation = get(raw, 'CIMOperation', prefix)?.trim();
  if (operation === undefined) {
    const isExport = get(raw, 'CIMExport', prefix) !== undefined;
    return fail(400, isExport ? 'CIM export requests are not accepted here' : 'missing CIMOperation header',
      'unsupported-operation');
  }
  if (operation.toLowerCase() !== 'methodcall') {
    return fail(400, `CIMOperation must be MethodCall, not "${operation}"`, 'unsupported-operation');
  }

  // §6.3.2 CIMProtocolVersion: absent means 1.0; only 1.0-1.4 are implemented, anything
  // else (including 2.x and garbage) is 501 unsupported-protocol-version.
  const given = get(raw, 'CIMProtocolVersion', prefix)?.trim();
  const version = given ?? '1.0';
  const vm = /^(\d+)\.(\d+)$/.exec(version);
  if (!vm || Number(vm[1]) !== 1 || Number(vm[2]) > MAX_MINOR) {
    return fail(501, `CIMProtocolVersion ${version} is not supported (1.0 to 1.${MAX_MINOR})`,
      'unsupported-protocol-version');
  }

  // §6.3.3 CIMBatch: multiple operation requests are not supported.
  if (get(raw, 'CIMBatch', prefix) !== undefined) {
    return fail(501, 'multiple operation requests are not supported', 'multiple-requests-unsupported');
  }

  // §6.3.4/§6.3.5 CIMMethod and CIMObject: required for a simple request; absent, empty or
  // invalid is 400 header-mismatch. Whether they match the body is checked by the dispatcher
  // once the body is decoded (dispatcher.ts headerMismatch).
  const methodRaw = get(raw, 'CIMMethod', prefix);
  const method = methodRaw === undefined ? undefined : percentDecode(methodRaw.trim());
  if (!method) return fail(400, 'missing or empty CIMMethod header', 'header-mismatch');
  if (!IDENTIFIER.test(method)) return fail(400, 'CIMMethod is not a CIM identifier', 'header-mismatch');

  const objectRaw = get(raw, 'CIMObject', prefix);
  const object = objectRaw === undefined ? undefined : percentDecode(objectRaw.trim());
  if (!object) return fail(400, 'missing or empty CIMObject header', 'header-mismatch');

  // Only a version the client sent is compared with the body's (an absent header asserts nothing).
  return { ok: true, headers: { operation: 'MethodCall', method, object, ...(given !== undefined ? { protocolVersion: version } : {}) } };
}
