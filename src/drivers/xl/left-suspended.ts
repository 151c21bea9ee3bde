/**
 * A save (or a checkpoint, `save -c`) cut after xl suspended the guest: a failing xl resumes it
 * ("resuming domain"), but an xl killed at its deadline or cancelled leaves it suspended (shut
 * down, reason suspend), and no xl command resumes it. It would hold its memory, dead to its
 * network, shown as suspending for ever. Powered off, with the error saying so; the definition
 * is kept, so the system can be started again (docs/xl-toolstack.md §7).
 */
import { VirtError } from '../../virt/errors.js';
import { reached } from './change.js';
import type { XlCore } from './core.js';
import type { Current } from './view.js';

/** Rethrows `err`, first powering off the guest when the cut save left it suspended. */
export async function failSave(core: XlCore, cur: Current, err: unknown): Promise<never> {
  const after = (await core.cache.fresh().catch(() => undefined))?.byUuid.get(cur.system.uuid);
  if (!after?.row.flags.shutdown || after.row.flags.shutdownReason !== 'suspend') throw err;
  await core.xl(['destroy', String(after.row.domid)], core.runOptions({}));
  await core.store.patch(cur.name, { expected: 'stopped', ...reached('defined') });
  const e = err instanceof VirtError ? err : new VirtError('failed', String(err));
  throw new VirtError(e.kind, `${e.message}; '${cur.name}' had been suspended for the save, which no xl command resumes: it was powered off (its definition is kept)`, e.detail, { cause: err });
}
