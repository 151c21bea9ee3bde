/**
 * The plumbing of every change: mark the system as being changed, read it, run, then patch (an
 * outcome xl confirmed exactly: pause, unpause) or invalidate the picture of the host (which
 * starts its refresh at once, in the background). The caller holds the system's lock
 * (virt/lock.ts), so the picture read here already reflects our own last change of it; only
 * changes made outside us can be up to one refresh interval old, and xl refuses those itself. A
 * change thus costs its own xl call(s); a patched outcome is read back at no xl cost; a change
 * refused before xl ran keeps the picture.
 */
import { VirtError } from '../../virt/errors.js';
import { checkTransition, type Operation, type SystemState } from '../../virt/states.js';
import type { XlCore } from './core.js';
import { type DefinitionFields, type ExpectedState, type StoredDefinition, runningOf } from './definition-types.js';
import { pendingMigration } from './migration-pending.js';
import { parseList, type ListRow } from './parse/list.js';
import { validName } from './validate.js';
import { resolve, type Current } from './view.js';

export async function change<T>(core: XlCore, name: string, fn: (cur: Current) => Promise<T>): Promise<T> {
  const n = validName(name);
  const leave = core.enter([n]);
  try {
    const cur = resolve(core, n, await core.cache.get());
    const pending = pendingMigration(core, cur.system.config.uuid);
    if (pending) throw new VirtError('busy', pending);
    const scope = { ranXl: false };
    core.scopesOpen++;
    try {
      return await core.scope.run(scope, () => fn(cur));
    } finally {
      // Once no change is under way, the scope is switched off: while an AsyncLocalStorage is on,
      // every promise of the process pays its tracking (measured: 8–12 % of the GetInstance rate).
      if (--core.scopesOpen === 0) core.scope.disable();
      // Reads merge the store themselves; only an xl call of this change can have changed the host.
      if (cur.confirmed && cur.view) core.cache.patch(cur.view.row.domid, cur.confirmed);
      else if (cur.added) core.cache.insert(cur.added);
      else if (scope.ranXl) core.cache.invalidate();
    }
  } finally {
    leave();
  }
}

/** A domain we only know from xl gets a stored definition before we change it. */
export async function ensureDef(core: XlCore, cur: Current): Promise<StoredDefinition> {
  if (cur.def) return cur.def;
  cur.def = await core.store.put({
    config: cur.system.config,
    origin: 'adopted',
    expected: cur.system.state === 'paused' ? 'paused' : 'running',
    running: runningOf(cur.system.config),
    lastState: cur.system.state,
  });
  return cur.def;
}

/** Fields that record a state our change has brought the system to. */
export function reached(state: SystemState): Pick<DefinitionFields, 'lastState' | 'stateChangedAt'> {
  return { lastState: state, stateChangedAt: new Date().toISOString() };
}

/**
 * Record what we now expect of the system (reconcile and the observer compare it with xl), and
 * the state it reached when that is known now (not for a clean shutdown: the guest ends it).
 */
export async function setExpected(
  core: XlCore, cur: Current, expected: ExpectedState, extra: Partial<DefinitionFields> = {}, state?: SystemState,
): Promise<void> {
  await ensureDef(core, cur);
  await core.store.update(cur.name, (d) => {
    const next: DefinitionFields = { ...d, ...extra, expected, vanished: false, ...(state ? reached(state) : {}) };
    if (expected !== 'suspended') delete next.savedImage;
    return next;
  });
}

/**
 * The row of the domain a change of ours has just created under `name` (`xl list -v NAME`, one
 * domain: its cost does not grow with the host), when it is the system's (its uuid); undefined
 * when it cannot be told, and the picture is then refreshed whole.
 */
export async function listedRow(core: XlCore, name: string, uuid: string): Promise<ListRow | undefined> {
  try {
    const rows = parseList((await core.xl(['list', '-v', validName(name)])).stdout);
    return rows.length === 1 && rows[0]!.uuid === uuid ? rows[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Name xl knows the domain by right now (validated: it goes on xl's command line). */
export function liveName(cur: Current): string {
  if (!cur.view) throw new VirtError('invalid_state', `'${cur.name}' is not active`);
  return validName(cur.view.row.name);
}

/** The safety net under the caller's lock: the transition table against our own current view. */
export function check(cur: Current, op: Operation): void {
  checkTransition(cur.name, cur.system.state, op);
}
