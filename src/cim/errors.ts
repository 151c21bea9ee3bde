/**
 * CIM status codes (DSP0200 §5.3.1 / CIM_Error.CIMStatusCode ValueMap) and the one error type
 * that crosses the operations boundary.
 */

export const CIM_ERR = {
  FAILED: 1,
  ACCESS_DENIED: 2,
  INVALID_NAMESPACE: 3,
  INVALID_PARAMETER: 4,
  INVALID_CLASS: 5,
  NOT_FOUND: 6,
  NOT_SUPPORTED: 7,
  CLASS_HAS_CHILDREN: 8,
  CLASS_HAS_INSTANCES: 9,
  INVALID_SUPERCLASS: 10,
  ALREADY_EXISTS: 11,
  NO_SUCH_PROPERTY: 12,
  TYPE_MISMATCH: 13,
  QUERY_LANGUAGE_NOT_SUPPORTED: 14,
  INVALID_QUERY: 15,
  METHOD_NOT_AVAILABLE: 16,
  METHOD_NOT_FOUND: 17,
  UNEXPECTED_RESPONSE: 18,
  INVALID_RESPONSE_DESTINATION: 19,
  NAMESPACE_NOT_EMPTY: 20,
  INVALID_ENUMERATION_CONTEXT: 21,
  INVALID_OPERATION_TIMEOUT: 22,
  PULL_HAS_BEEN_ABANDONED: 23,
  PULL_CANNOT_BE_ABANDONED: 24,
  FILTERED_ENUMERATION_NOT_SUPPORTED: 25,
  CONTINUATION_ON_ERROR_NOT_SUPPORTED: 26,
  SERVER_LIMITS_EXCEEDED: 27,
  SERVER_IS_SHUTTING_DOWN: 28,
  QUERY_FEATURE_NOT_SUPPORTED: 29,
} as const;

export type CimStatusName = keyof typeof CIM_ERR;
export type CimStatusCode = (typeof CIM_ERR)[CimStatusName];

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(CIM_ERR).map(([name, code]) => [code, `CIM_ERR_${name}`]),
);

/** `CIM_ERR_NOT_FOUND` for 6; `CIM_ERR_<code>` for an unknown code. */
export function cimStatusName(code: number): string {
  return NAMES[code] ?? `CIM_ERR_${code}`;
}

/**
 * A CIM-level failure. `description` is for a person: it says what was wrong and with which
 * name or value; the encoder prefixes it with the status name, as OpenPegasus does.
 */
export class CimError extends Error {
  readonly code: CimStatusCode;
  readonly description: string;

  constructor(code: CimStatusCode, description?: string) {
    const text = description ?? '';
    super(text ? `${cimStatusName(code)}: ${text}` : cimStatusName(code));
    this.name = 'CimError';
    this.code = code;
    this.description = text;
  }

  get statusName(): string {
    return cimStatusName(this.code);
  }
}

/** Shorthand: `throw cimError('NOT_FOUND', 'no such instance: …')`. */
export function cimError(name: CimStatusName, description?: string): CimError {
  return new CimError(CIM_ERR[name], description);
}

export function isCimError(e: unknown): e is CimError {
  return e instanceof CimError;
}
