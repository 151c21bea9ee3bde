/**
 * A compound change as a list of steps, each with its undo. Run under the locks of every system
 * it touches (lock.ts rule 2): when a step fails, the steps already applied are undone newest
 * first and the call fails with the step's error. An undo that fails is not swallowed: it is in
 * the error's message (the system may be left partly changed, and the caller must say so) and
 * goes to the log.
 */
import { VirtError, toVirtError } from './errors.js';

export interface Step {
  /** What the step does, for messages ("adding disk xvdb to 'web'"). */
  what: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
}

export type Log = (line: string) => void;

/**
 * `signal` (a job's): once aborted, no further step starts; the steps already applied are undone
 * as after a failure, and the change fails as cancelled (the step under way is cut by its own
 * hypervisor call, which listens to the same signal).
 */
export async function runSteps(context: string, steps: readonly Step[], log?: Log, signal?: AbortSignal): Promise<void> {
  const done: Step[] = [];
  for (const step of steps) {
    try {
      if (signal?.aborted) throw new VirtError('failed', 'cancelled before it started');
      await step.run();
      done.push(step);
    } catch (err) {
      const cause = toVirtError(err, `${context}: ${step.what}`);
      const failedUndos: string[] = [];
      for (const d of done.reverse()) {
        if (!d.undo) continue;
        try {
          await d.undo();
        } catch (u) {
          const msg = u instanceof Error ? u.message : String(u);
          failedUndos.push(`${d.what}: ${msg}`);
          log?.(`${context}: could not undo "${d.what}" after "${step.what}" failed: ${msg}`);
        }
      }
      const undoNote = failedUndos.length > 0
        ? `; could not undo ${failedUndos.length} earlier step(s), the change is partly applied (${failedUndos.join('; ')})`
        : '';
      const e = new VirtError(cause.kind, `${step.what}: ${cause.message}${undoNote}`, cause.detail, { cause: err });
      // The failed step may be steps of its own (a change of resources) left partly applied too.
      if (failedUndos.length > 0 || isPartlyApplied(err)) partlyApplied.add(e);
      throw e;
    }
  }
}

const partlyApplied = new WeakSet<Error>();

/** Whether runSteps failed with steps it could not undo (its own or a failed step's): what they made is still there. */
export function isPartlyApplied(err: unknown): boolean {
  return err instanceof Error && partlyApplied.has(err);
}
