/**
 * The two ways decoding a CIM-XML request can fail, kept apart because they are answered
 * differently (DSP0200 §7.5):
 *
 * - `CimXmlProtocolError`: the message cannot be processed at all (not well-formed XML, not a
 *   valid CIM-XML message, unsupported version, multi-request). The HTTP layer answers with the
 *   given status (400 or 501) and a `CIMError: <cimErrorHeader>` header; there is no body to echo.
 * - `CimXmlRequestError`: the message was understood far enough to know its MESSAGE ID and
 *   method name, but a value in it is wrong (a "12x" for a uint16 PARAMTYPE, an embedded
 *   instance that is not XML...). It is answered like any CIM error: HTTP 200 with an ERROR
 *   element, built with `encodeIntrinsicResponse` / `encodeExtrinsicResponse` from its fields.
 */
import type { CimError } from '../cim/index.js';

export type CimXmlErrorHeader =
  | 'request-not-well-formed'
  | 'request-not-valid'
  | 'unsupported-cim-version'
  | 'unsupported-dtd-version'
  | 'unsupported-protocol-version'
  | 'multiple-requests-unsupported';

export class CimXmlProtocolError extends Error {
  constructor(
    readonly status: 400 | 501,
    readonly cimErrorHeader: CimXmlErrorHeader,
    message: string,
  ) {
    super(message);
    this.name = 'CimXmlProtocolError';
  }
}

/** 400 request-not-well-formed: the body is not XML (DSP0200 §7.5 / A3). */
export function notWellFormed(message: string): CimXmlProtocolError {
  return new CimXmlProtocolError(400, 'request-not-well-formed', message);
}

/** 400 request-not-valid: XML, but not a CIM-XML message DSP0201 defines. */
export function notValid(message: string): CimXmlProtocolError {
  return new CimXmlProtocolError(400, 'request-not-valid', message);
}

export class CimXmlRequestError extends Error {
  constructor(
    readonly messageId: string,
    readonly method: string,
    /** Which response element carries the ERROR: IMETHODRESPONSE, METHODRESPONSE or EXPMETHODRESPONSE. */
    readonly kind: 'intrinsic' | 'extrinsic',
    readonly cimError: CimError,
  ) {
    super(cimError.message);
    this.name = 'CimXmlRequestError';
  }
}

export function isCimXmlProtocolError(e: unknown): e is CimXmlProtocolError {
  return e instanceof CimXmlProtocolError;
}

export function isCimXmlRequestError(e: unknown): e is CimXmlRequestError {
  return e instanceof CimXmlRequestError;
}
