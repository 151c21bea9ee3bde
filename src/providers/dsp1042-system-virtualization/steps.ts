/**
 * A multi-step change that a refused call leaves undone: each applied step has its undo, run in
 * reverse when a later step fails.
 */
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';

export interface Step {
  what: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
}

/** Runs steps in order; on a failure undoes the applied ones (newest first) and throws a CimError. */
export async function runSteps(deps: ProviderDeps, method: string, steps: Step[]): Promise<void> {
  const done: Step[] = [];
  for (const s of steps) {
    try {
      await s.run();
      done.push(s);
    } catch (e) {
      for (const d of done.reverse()) {
        try {
          await d.undo?.();
        } catch (u) {
          deps.log(`${method}: could not undo "${d.what}" after a failure: ${u instanceof Error ? u.message : String(u)}`);
        }
      }
      throw toCimError(e, `${method}: ${s.what}`);
    }
  }
}
