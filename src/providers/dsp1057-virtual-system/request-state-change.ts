/**
 * Xen_ComputerSystem.RequestStateChange (DSP1057 §8.1). Every change runs as a virt
 * job; the call waits for it at most TimeoutPeriod (or, when none is given, a short budget for
 * quick operations and none at all for long ones: save, restore, clean shutdown) and otherwise
 * returns 4096 (shared/budget.ts) with a reference to the job (Xen_ConcreteJob, InstanceID = job id; DSP1103).
 * A transition the virt state table refuses is 4097, a system busy with another job 4099, both
 * decided before anything starts; a system already in the requested state answers 0.
 */
import { type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import { type Operation, type StateChange, VirtError } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { RSC, rscCodeFor } from '../shared/errors.js';
import { jobName } from '../shared/naming.js';
import { readDateTime, readNumber } from '../shared/params.js';
import { MAX_WAIT_MS, settleWithin, syncBudgetOf } from '../shared/budget.js';
import { codeRule, isKnownButUnsupported } from './states.js';

/** Operations that may take long (disk I/O or the guest's cooperation): a job unless a timeout says wait. */
const LONG_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>(['save', 'restore', 'shutdown']);

function rc(code: number): MethodResult {
  return { returnValue: code };
}

/**
 * TimeoutPeriod in ms: undefined when absent or zero (no requirement), null when not an interval.
 * A period past what a timer can wait is waited for that long (a month answered 4096 at once).
 */
function timeoutOf(params: NameMap<CimValue>): number | undefined | null {
  const dt = readDateTime(params, 'TimeoutPeriod');
  if (dt === undefined) return undefined;
  if (!dt.isInterval) return null;
  const ms = dt.toMilliseconds() ?? 0;
  return ms > 0 ? Math.min(ms, MAX_WAIT_MS) : undefined;
}

/** `signal`: the request's (the wait for the job ends when it aborts: shared/budget.ts). */
export async function requestStateChange(deps: ProviderDeps, name: string, params: NameMap<CimValue>, signal?: AbortSignal): Promise<MethodResult> {
  const where = `RequestStateChange of '${name}'`;
  const code = readNumber(params, 'RequestedState');
  if (code === undefined) {
    deps.log(`${where}: RequestedState missing`);
    return rc(RSC.invalidParameter);
  }
  const rule = codeRule(code);
  if (!rule) {
    deps.log(`${where}: RequestedState ${code} is ${isKnownButUnsupported(code) ? 'not supported' : 'not a valid value'}`);
    return rc(isKnownButUnsupported(code) ? RSC.notSupported : RSC.invalidParameter);
  }
  const timeoutMs = timeoutOf(params);
  if (timeoutMs === null) {
    deps.log(`${where}: TimeoutPeriod is not an interval`);
    return rc(RSC.invalidParameter);
  }
  const { target, operations } = rule;
  let change: StateChange;
  try {
    // One call: looked up, planned, admitted and recorded (RequestedState) by the model, under the system's lock.
    change = await deps.virt.requestStateChange(name, target, operations ? { operations } : {});
  } catch (e) {
    if (VirtError.is(e, 'not_found')) throw cimError('NOT_FOUND', `no virtual system named '${name}'`);
    deps.log(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    return rc(rscCodeFor(e, where));
  }
  // Already in the requested state: a success with nothing done (DSP1057 §8.1 return 0).
  if (change.kind === 'already') return rc(RSC.completed);
  const { job, operation } = change;
  const budget = timeoutMs ?? (LONG_OPERATIONS.has(operation) ? 0 : syncBudgetOf(deps));
  const outcome = await settleWithin(job.done, budget, signal);
  if (outcome.kind === 'pending') return { returnValue: RSC.jobStarted, out: { Job: jobName(job.id) } };
  if (outcome.kind === 'ok') return rc(RSC.completed);
  deps.log(`${where} (${operation}) failed: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`);
  return rc(rscCodeFor(outcome.error, where));
}
