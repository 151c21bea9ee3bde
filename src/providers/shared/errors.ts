/**
 * The one place where virt failures become CIM failures. Intrinsic operations and
 * the VSMS methods throw CimError with a description that says what was refused and why
 * (DSP0200 §5.4 lets an extrinsic method fail with CIM_ERR_INVALID_PARAMETER, CIM_ERR_NOT_FOUND
 * or CIM_ERR_FAILED); RequestStateChange reports state outcomes as its documented return codes
 * (DSP1057 / CIM_EnabledLogicalElement.RequestStateChange ValueMap).
 */
import { CimError, cimError, isCimError } from '../../cim/index.js';
import { VirtError } from '../../virt/index.js';

/** CIM_EnabledLogicalElement.RequestStateChange return codes (its ValueMap; DSP1057 §8.1). */
export const RSC = {
  completed: 0,
  notSupported: 1,
  unknownError: 2,
  timeout: 3,
  failed: 4,
  invalidParameter: 5,
  inUse: 6,
  jobStarted: 4096,
  invalidStateTransition: 4097,
  timeoutNotSupported: 4098,
  busy: 4099,
} as const;

/**
 * The model's names of settings → the CIM properties a client sends them in (DSP1041 RASDs), with
 * the unit the model's figures are in. A client never sees `memoryMiB`.
 */
const CIM_NAMES: Readonly<Record<string, { name: string; unit?: string }>> = {
  memoryMiB: { name: 'memory VirtualQuantity', unit: 'MiB' },
  maxMemoryMiB: { name: 'memory Limit', unit: 'MiB' },
  memoryReservationMiB: { name: 'memory Reservation', unit: 'MiB' },
  vcpus: { name: 'processor VirtualQuantity' },
  maxVcpus: { name: 'the maximum number of vCPUs' },
  cpuWeight: { name: 'processor Weight' },
  cpuCap: { name: 'processor Limit', unit: '% of a CPU' },
  cpuReservationPercent: { name: 'processor Reservation', unit: '% of a CPU' },
};

const MODEL_NAME = new RegExp(`\\b(${Object.keys(CIM_NAMES).join('|')})\\b(?: \\((\\d+)\\))?`, 'g');

/** A model message with its setting names replaced by the CIM properties (and units) a client knows. */
export function inCimTerms(text: string): string {
  return text.replace(MODEL_NAME, (_m, key: string, value: string | undefined) => {
    const n = CIM_NAMES[key]!;
    if (value !== undefined) return `${n.name} (${value}${n.unit ? ` ${n.unit}` : ''})`;
    return n.unit ? `${n.name} (in ${n.unit})` : n.name;
  });
}

/** Translates anything thrown below the providers into a CimError with a readable description. */
export function toCimError(err: unknown, context?: string): CimError {
  if (isCimError(err)) return err;
  const prefix = context ? `${context}: ` : '';
  if (err instanceof VirtError) {
    const message = inCimTerms(err.message);
    const text = `${prefix}${message}${err.detail ? ` (${err.detail.trim()})` : ''}`;
    switch (err.kind) {
      case 'not_found':
        return cimError('NOT_FOUND', text);
      case 'invalid_argument':
        return cimError('INVALID_PARAMETER', text);
      case 'conflict':
        // DSP0200 lists no ALREADY_EXISTS for extrinsic methods: a conflicting value is a bad parameter.
        return cimError('INVALID_PARAMETER', text);
      case 'no_memory':
        return cimError('FAILED', `${prefix}insufficient resources: ${message}`);
      case 'invalid_state':
        return cimError('FAILED', `${prefix}invalid state: ${message}`);
      case 'busy':
        return cimError('FAILED', `${prefix}busy: ${message}`);
      case 'timeout':
        return cimError('FAILED', `${prefix}timed out: ${message}`);
      default:
        return cimError('FAILED', text);
    }
  }
  const msg = err instanceof Error ? err.message : String(err);
  return cimError('FAILED', `${prefix}${msg}`);
}

/**
 * RequestStateChange outcome for a failure: a refused transition is 4097, a system busy with
 * another operation 4099, a timeout 3; anything else is thrown as a CimError so the client sees
 * why (admission refusals say "insufficient resources").
 */
export function rscCodeFor(err: unknown, context: string): number {
  if (err instanceof VirtError) {
    if (err.kind === 'invalid_state') return RSC.invalidStateTransition;
    if (err.kind === 'busy') return RSC.busy;
    if (err.kind === 'timeout') return RSC.timeout;
  }
  throw toCimError(err, context);
}

/** Shorthand for a refused VSMS parameter. */
export function badParam(description: string): CimError {
  return cimError('INVALID_PARAMETER', description);
}
