/**
 * The one error type that leaves a hypervisor driver and the model. Providers translate it once:
 * `kind` says what went wrong in hypervisor-neutral terms, `detail` carries the tool's own text
 * (e.g. xl's stderr) so that an operator can see what really happened.
 */
export type VirtErrorKind =
  | 'not_found'
  | 'invalid_state'
  | 'no_memory'
  | 'invalid_argument'
  | 'conflict'
  | 'failed'
  | 'timeout'
  | 'busy';

export const VIRT_ERROR_KINDS: readonly VirtErrorKind[] = [
  'not_found', 'invalid_state', 'no_memory', 'invalid_argument', 'conflict', 'failed', 'timeout', 'busy',
];

export class VirtError extends Error {
  readonly kind: VirtErrorKind;
  /** The underlying tool's own text (stderr), if any. */
  readonly detail: string | undefined;

  constructor(kind: VirtErrorKind, message: string, detail?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VirtError';
    this.kind = kind;
    this.detail = detail;
  }

  static is(err: unknown, kind?: VirtErrorKind): err is VirtError {
    return err instanceof VirtError && (kind === undefined || err.kind === kind);
  }
}

/** Wrap anything thrown into a VirtError ('failed' unless it already is one). */
export function toVirtError(err: unknown, context: string): VirtError {
  if (err instanceof VirtError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new VirtError('failed', `${context}: ${msg}`, undefined, { cause: err });
}
