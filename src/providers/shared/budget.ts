/**
 * How long a method call may keep its client waiting before it answers 4096 (Job Started) with a
 * reference to the job that goes on (DSP1042 §8.2, DSP1057 §8.1, DSP1103): well under the usual
 * client timeouts (pywbem's default is 30 s), so a slow or hung hypervisor call becomes a job the
 * client can follow or stop instead of a timed-out request.
 */
import type { MethodResult } from '../../operations/provider.js';
import type { Job } from '../../virt/index.js';
import type { ProviderDeps } from './deps.js';
import { RSC } from './errors.js';
import { jobName } from './naming.js';

export const SYNC_BUDGET_MS = 5_000;

export type Settled<T> = { kind: 'ok'; value: T } | { kind: 'error'; error: unknown } | { kind: 'pending' };

/** The longest wait a Node timer takes (about 24.8 days): a longer one fires at once. */
export const MAX_WAIT_MS = 2 ** 31 - 1;

/**
 * The promise's outcome if it settles within ms, else pending. 0 never waits: pending, even for
 * a promise that has already settled (a long operation always answers with its job). `signal` is
 * the request's: when it aborts (the request's deadline, or the client went away) the wait ends
 * as pending, so a TimeoutPeriod longer than the request may last still answers 4096 with the
 * job in time, instead of a 503 that loses the job's reference.
 */
export async function settleWithin<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<Settled<T>> {
  const settled = p.then((value): Settled<T> => ({ kind: 'ok', value }), (error: unknown): Settled<T> => ({ kind: 'error', error }));
  if (ms <= 0 || signal?.aborted) return Promise.race([settled, Promise.resolve<Settled<T>>({ kind: 'pending' })]);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const pending = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'pending' }), Math.min(ms, MAX_WAIT_MS));
    onAbort = () => resolve({ kind: 'pending' });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** The budget a deployment (or a test) set, else the default. */
export function syncBudgetOf(deps: ProviderDeps): number {
  return deps.syncBudgetMs ?? SYNC_BUDGET_MS;
}

/**
 * Answer with the job's outcome if it ends within the budget (done maps its result, a failure is
 * thrown for the caller to translate), else 4096 with the job's reference in `Job`.
 */
export async function answerWithin<T>(deps: ProviderDeps, job: Job<T>, done: (value: T) => MethodResult): Promise<MethodResult> {
  const outcome = await settleWithin(job.done, syncBudgetOf(deps));
  if (outcome.kind === 'pending') return { returnValue: RSC.jobStarted, out: { Job: jobName(job.id) } };
  if (outcome.kind === 'error') throw outcome.error;
  return done(outcome.value);
}
