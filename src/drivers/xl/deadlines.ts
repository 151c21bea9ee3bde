/**
 * How long each xl command may run before it is killed: a deadline that fits what it does, so a
 * hung xl never holds a caller longer than the work could take. Queries and quick changes answer
 * in well under a second on a healthy host; a create, save or restore moves or builds a whole
 * domain; a shutdown or reboot waits for the guest to acknowledge. Every long one is also
 * cancellable through the caller's signal (the job's).
 */

export type DeadlineClass = 'quick' | 'listLong' | 'device' | 'destroy' | 'guest' | 'build' | 'image';

/** Default deadline of each class, in ms. */
export const DEFAULT_DEADLINES: Readonly<Record<DeadlineClass, number>> = {
  /** list -v, info, domid, pause, unpause, mem-set, vcpu-set, rename... */
  quick: 5_000,
  /** list -l: the configuration of every domain, proportional to their number. */
  listLong: 30_000,
  /**
   * block/network attach and detach: libxl runs the device's hotplug script and waits up to 40 s
   * for it (10 s for a backend to let go on detach, then the script): xl killed before that leaves
   * the device half plugged or half removed.
   */
  device: 60_000,
  /** destroy: releases (and Xen scrubs) the domain's memory. */
  destroy: 30_000,
  /** shutdown, reboot: the guest must acknowledge the request. */
  guest: 60_000,
  /** create: builds the domain, runs the bootloader, attaches devices. */
  build: 120_000,
  /** save, restore: write or read the whole memory image. */
  image: 300_000,
};

export function deadlineClassOf(args: readonly string[]): DeadlineClass {
  const [cmd, opt] = args;
  switch (cmd) {
    case 'list': return opt === '-l' ? 'listLong' : 'quick';
    case 'block-attach':
    case 'block-detach':
    case 'network-attach':
    case 'network-detach': return 'device';
    case 'destroy': return 'destroy';
    case 'shutdown':
    case 'reboot': return 'guest';
    case 'create': return 'build';
    case 'save':
    case 'restore':
    case 'migrate': return 'image';
    default: return 'quick';
  }
}

export interface DeadlineOverrides {
  /** Overrides the quick class (tests use short values). */
  quick?: number;
  /** Overrides every longer class. */
  long?: number;
}

export function deadlineOf(args: readonly string[], o: DeadlineOverrides = {}): number {
  const c = deadlineClassOf(args);
  if (c === 'quick') return o.quick ?? DEFAULT_DEADLINES.quick;
  return o.long ?? DEFAULT_DEADLINES[c];
}
