/**
 * Xen_VirtualNetwork.RequestStateChange (CIM_EnabledLogicalElement; codes as DSP1057 §8.1 gives
 * them for one virtual system): 2 launches every router, 9 parks the network paused, 6 parks it
 * saved, 3 stops it. The network already there answers 0 with nothing done; otherwise the change
 * runs as one job over the members (Xen_ConcreteJob, DSP1103) whose PercentComplete moves as
 * systems reach the state, and the call returns 4096 with it, unless the client gave a
 * TimeoutPeriod and the job ended within it. A failure names each member that failed (the job's
 * ErrorDescription). A network busy with another change is 4099; an invalid code 5; a state
 * the network cannot take 1.
 */
import { type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import { VirtError } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { settleWithin } from '../shared/budget.js';
import { RSC, rscCodeFor } from '../shared/errors.js';
import { jobName } from '../shared/naming.js';
import { readDateTime, readNumber } from '../shared/params.js';
import { networkModel } from './model.js';
import { TARGET_OF_CODE, isKnownButUnsupported } from './network-state.js';

/** The jobs this profile started, by server (deps): job id → network, for Xen_AffectedJobElement. */
const startedJobs = new WeakMap<ProviderDeps, Map<string, string>>();

export function networkJobs(deps: ProviderDeps): ReadonlyMap<string, string> {
  return startedJobs.get(deps) ?? new Map();
}

function rc(code: number): MethodResult {
  return { returnValue: code };
}

/** `signal`: the request's (the wait for the job ends when it aborts: shared/budget.ts). */
export async function requestNetworkStateChange(deps: ProviderDeps, network: string, params: NameMap<CimValue>, signal?: AbortSignal): Promise<MethodResult> {
  const where = `RequestStateChange of network '${network}'`;
  const code = readNumber(params, 'RequestedState');
  if (code === undefined) return rc(RSC.invalidParameter);
  const target = TARGET_OF_CODE.get(code);
  if (target === undefined) {
    deps.log(`${where}: RequestedState ${code} is not a whole-network state`);
    return rc(isKnownButUnsupported(code) ? RSC.notSupported : RSC.invalidParameter);
  }
  const timeout = readDateTime(params, 'TimeoutPeriod');
  if (timeout && !timeout.isInterval) return rc(RSC.invalidParameter);
  const timeoutMs = timeout?.toMilliseconds() ?? 0;
  let change;
  try {
    change = await networkModel(deps).requestStateChange(network, target);
  } catch (e) {
    // Only the network itself missing is CIM_ERR_NOT_FOUND; a member gone (deleted while the
    // network still names it) is the model's own message, as a failed request.
    if (VirtError.is(e, 'not_found') && !(await networkModel(deps).get(network).then(() => true, () => false))) {
      throw cimError('NOT_FOUND', `no virtual network named '${network}'`);
    }
    deps.log(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    return rc(rscCodeFor(e, where));
  }
  if (change.kind === 'already') return rc(RSC.completed);
  const { job } = change;
  const started = startedJobs.get(deps) ?? new Map<string, string>();
  startedJobs.set(deps, started);
  // Jobs the job manager has forgotten (retention over) are forgotten here too.
  for (const id of started.keys()) if (!deps.jobs.get(id)) started.delete(id);
  started.set(job.id, network);
  deps.log(`${where}: ${target} as job ${job.id}`);
  if (timeoutMs > 0) {
    const outcome = await settleWithin(job.done, timeoutMs, signal);
    if (outcome.kind === 'ok') return rc(RSC.completed);
    // A router that did not get there fails the job (naming it): 4 Failed, with the job to read why.
    if (outcome.kind === 'error') {
      deps.log(`${where} failed: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`);
      return { returnValue: RSC.failed, out: { Job: jobName(job.id) } };
    }
  }
  return { returnValue: RSC.jobStarted, out: { Job: jobName(job.id) } };
}
