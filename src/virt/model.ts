/** What the façade's operations share (manager.ts builds it once): the driver, the locks, admission, jobs. */
import type { HypervisorDriver } from './driver.js';
import type { JobManager } from './jobs.js';
import type { Admission } from './ledger.js';
import type { IdentityClaims } from './claims.js';
import type { ElementEvent } from './events.js';
import type { KeyedLock } from './lock.js';
import type { Log } from './steps.js';
import type { SwitchUse } from './switches.js';

export interface Model {
  readonly driver: HypervisorDriver;
  /** Per-system locks (lock.ts): keyed by system name. */
  readonly locks: KeyedLock;
  readonly admission: Admission;
  /** MACs and UUIDs a change under way is giving a system (claims.ts). */
  readonly claims: IdentityClaims;
  /** Switches changes under way put interfaces on, or remove (switches.ts). */
  readonly switchUse: SwitchUse;
  readonly jobs: JobManager;
  readonly log: Log;
  /** Default wait for a clean shutdown to complete. */
  readonly shutdownTimeoutMs: number;
  readonly pollMs: number;
  /** Report a change of an element other than a system (a switch, a network) on the event stream. */
  readonly element: (e: Omit<ElementEvent, 'type' | 'at'>) => void;
}
