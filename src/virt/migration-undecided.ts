/**
 * A migration whose end the hypervisor could not learn: xl's final handshake broke after the
 * sender had given the destination permission to start the system, so it may run there, or
 * nowhere (xl leaves the source's copy suspended and says the state is undefined). The driver
 * marks such a failure; the migration job then asks the destination (virt/migration.ts).
 */
const undecided = new WeakSet<Error>();

export function markUndecided<E extends Error>(err: E): E {
  undecided.add(err);
  return err;
}

export function isUndecided(err: unknown): boolean {
  return err instanceof Error && undecided.has(err);
}
