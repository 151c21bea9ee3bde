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

/** The promise's outcome if it settles within ms (0: only if it already has), else pending. */
export async function settleWithin<T>(p: Promise<T>, ms: number): Promise<Settled<T>> {
  const settled = p.then((value): Settled<T> => ({ kind: 'ok', value }), (error: unknown): Settled<T> => ({ kind: 'error', error }));
  if (ms <= 0) return Promise.race([settled, Promise.resolve<Settled<T>>({ kind: 'pending' })]);
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'pending' }), ms);
  });
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
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
