/**
 * A migration started before this server restarted (its record still open) may still be run by
 * the `xl migrate` the killed server left behind, until that command's deadline. Any change of
 * the system meanwhile would race it: a second migration fails once the first has moved the
 * domain; a start, stop or save here leaves the definition beside the system running there.
 * So every change of such a system is refused busy (change.ts) until the record is settled.
 */
import type { XlCore } from './core.js';

/** The migrations this server runs now (by UUID); any other open record is an earlier run's. */
const ours = new WeakMap<XlCore, Set<string>>();

/** Marks a migration as this run's own while it runs; the returned function ends that. */
export function migrationOfOurs(core: XlCore, uuid: string): () => void {
  const running = ours.get(core) ?? new Set<string>();
  ours.set(core, running);
  const id = uuid.toLowerCase();
  running.add(id);
  return () => running.delete(id);
}

/** Why the system must not be changed now, or undefined. */
export function pendingMigration(core: XlCore, uuid: string): string | undefined {
  const rec = core.outgoing.get(uuid);
  if (!rec || ours.get(core)?.has(uuid.toLowerCase())) return undefined;
  return `a migration of '${rec.name}' to ${rec.destination} started before this server restarted may still be running (until ${new Date(rec.expiresAt).toISOString()})`;
}
