/**
 * Admission control: the ONE place that decides whether a reservation fits, and the ledger of
 * reservations granted but not yet visible in the host's picture (a start still creating its
 * domain, a growth still being applied).
 *
 * Under the host lock (the critical section, nothing else): take a fresh picture, compute the
 * capacity (capacity.ts) minus what the ledger still holds, check, record the reservation. Then
 * the lock is released and the long operation runs. When it succeeded, `settle()` drops the
 * ledger entry under the host lock again, once the picture shows the system (so an admission
 * running meanwhile counts it exactly once); on failure or cancellation `release()` drops it.
 * Two admissions can therefore never both count the same room, and a hung create holds only
 * its own reservation, not the host.
 *
 * Admissions that queue for the host lock together (a whole network launched at once) share one
 * fresh picture: one taken after an admission was asked for is fresh for it, as long as no
 * reservation was settled since (a settled entry leaves the ledger and must then show in the
 * picture). Entries granted meanwhile are in the ledger, so nothing is counted twice or missed.
 */
import {
  admissionRequest, admissionShortfall, computeCapacity, overheadMiB, reservationMiB, withPending,
  type ActiveGuest, type AdmissionRequest, type Capacity, type CapacityPolicy,
} from './capacity.js';
import { VirtError } from './errors.js';
import { KeyedLock } from './lock.js';
import { performance } from 'node:perf_hooks';
import { isActive } from './states.js';
import type { HostFacts, VirtualSystem, VirtualSystemConfig } from './types.js';

/** One consistent view of the host: its facts and its systems, taken together. */
export interface Picture {
  host: HostFacts;
  systems: readonly VirtualSystem[];
}

/** 'start': the whole system (start, restore); 'growth': what an active system adds. */
export type ReservationKind = 'start' | 'growth';

interface Entry extends AdmissionRequest {
  system: string;
  kind: ReservationKind;
}

export interface Reservation {
  /** The change succeeded: drop the entry once the picture shows it (under the host lock). */
  settle(): Promise<void>;
  /** The change failed or was cancelled: give the room back. Idempotent. */
  release(): void;
}

const HOST_KEY = 'host';

export class Admission {
  private readonly ledger = new Set<Entry>();
  private readonly hostLock: KeyedLock;
  /** The last fresh picture and when it was asked for; dropped by every settle. */
  private shared: { askedAt: number; picture: Picture } | undefined;

  constructor(
    /** fresh: ask the hypervisor now (admission) rather than accept the cached picture (reads). */
    private readonly picture: (fresh: boolean) => Promise<Picture>,
    private readonly policy: CapacityPolicy,
    hostLockTimeoutMs: number,
  ) {
    this.hostLock = new KeyedLock(hostLockTimeoutMs);
  }

  /** What reads show: the picture's capacity minus the ledger. */
  capacityOf(p: Picture): Capacity {
    const cap = computeCapacity(p.host, p.systems.filter((s) => isActive(s.state)).map(toGuest), this.policy);
    return withPending(cap, this.pending(p));
  }

  /** Entries the picture does not show yet (a started system that already shows is counted there). */
  private pending(p: Picture): Entry[] {
    const shown = new Set(p.systems.filter((s) => isActive(s.state)).map((s) => s.name));
    return [...this.ledger].filter((e) => !(e.kind === 'start' && shown.has(e.system)));
  }

  /**
   * Reserve room for `config` of `system`: for a start, all it asks (reservation and overhead);
   * for growth of an active system, what `config` asks beyond what it holds now. no_memory with
   * the figures when that does not fit what is available.
   */
  admit(system: string, config: VirtualSystemConfig, kind: ReservationKind): Promise<Reservation> {
    const askedAt = performance.now();
    return this.hostLock.with(HOST_KEY, async () => {
      let p: Picture;
      if (this.shared && this.shared.askedAt >= askedAt) p = this.shared.picture;
      else {
        const at = performance.now();
        p = await this.picture(true);
        this.shared = { askedAt: at, picture: p };
      }
      const cap = this.capacityOf(p);
      let want = admissionRequest(config);
      if (kind === 'growth') {
        const now = p.systems.find((s) => s.name === system);
        const held = now && isActive(now.state) ? heldBy(now) : { memoryMiB: 0, cpuPercent: 0 };
        want = { memoryMiB: Math.max(0, want.memoryMiB - held.memoryMiB), cpuPercent: Math.max(0, want.cpuPercent - held.cpuPercent) };
      }
      const short = admissionShortfall(cap, want);
      if (short) throw new VirtError('no_memory', `cannot ${kind === 'growth' ? 'grow' : 'admit'} '${system}': ${short}`);
      const entry: Entry = { system, kind, ...want };
      this.ledger.add(entry);
      let done = false;
      return {
        settle: async () => {
          if (done) return;
          await this.hostLock.with(HOST_KEY, async () => {
            // The next admission asks for a fresh picture, which shows the change.
            done = true;
            this.ledger.delete(entry);
            this.shared = undefined;
          });
        },
        release: () => {
          done = true;
          this.ledger.delete(entry);
        },
      };
    });
  }

  /** Reservations granted and not yet settled (tests, diagnostics). */
  get pendingCount(): number {
    return this.ledger.size;
  }
}

export function toGuest(s: VirtualSystem): ActiveGuest {
  const g: ActiveGuest = { config: s.config };
  if (s.live) {
    g.currentMemoryMiB = s.live.memoryMiB;
    g.onlineVcpus = s.live.onlineVcpus;
  }
  return g;
}

/** What the accounting counts for an active system now (its reservation and overhead). */
function heldBy(s: VirtualSystem): AdmissionRequest {
  const g = toGuest(s);
  return { memoryMiB: reservationMiB(g) + overheadMiB(s.config), cpuPercent: s.config.cpuReservationPercent };
}
