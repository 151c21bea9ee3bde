/**
 * Admission control: the ONE place that decides whether a reservation fits, and the ledger of
 * reservations granted but not yet visible in the host's picture (a start still creating its
 * domain, a growth still being applied).
 *
 * Take a fresh picture, then under the host lock (the critical section, nothing else) compute
 * the capacity (capacity.ts) minus what the ledger still holds, check, record the reservation. Then
 * the lock is released and the long operation runs. When it succeeded, `settle()` drops the
 * ledger entry under the host lock again, once the picture shows the system (so an admission
 * running meanwhile counts it exactly once); on failure or cancellation `release()` drops it
 * (a failure may have left part of it behind: a picture read before either is read again).
 * Two admissions can therefore never both count the same room, and a hung create holds only
 * its own reservation, not the host.
 *
 * Admissions asked together (a whole network launched at once) share one fresh read of the host
 * (freshPicture), as long as no reservation settled since it began (a settled entry leaves the
 * ledger and must then show in the picture). Entries granted meanwhile are in the ledger, so
 * nothing is counted twice or missed.
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

interface FreshRead {
  startedAt: number;
  /** The settled count when the read began. */
  settled: number;
  pending: boolean;
  picture: Promise<Picture>;
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
  /** Counts settled reservations: a picture read before the last one may miss its system. */
  private settled = 0;
  private readonly hostLock: KeyedLock;
  /** The last fresh read of the host: shared while it runs, or by admissions asked before it began. */
  private read: FreshRead | undefined;
  /** The last capacity computed, with what it was computed from (baseCapacity). */
  private capMemo: { hostKey: string; active: readonly VirtualSystem[]; cap: Capacity } | undefined;

  constructor(
    /** fresh: ask the hypervisor now (admission) rather than accept the cached picture (reads). */
    private readonly picture: (fresh: boolean) => Promise<Picture>,
    private readonly policy: CapacityPolicy,
    hostLockTimeoutMs: number,
  ) {
    this.hostLock = new KeyedLock(hostLockTimeoutMs);
  }

  /** The capacity reads show now (the cached picture, the ledger counted): what the host could ever give is its capacityMiB. */
  async capacity(): Promise<Capacity> {
    return this.capacityOf(await this.picture(false));
  }

  /** What reads show: the picture's capacity minus the ledger. */
  capacityOf(p: Picture): Capacity {
    return withPending(this.baseCapacity(p), this.pending(p));
  }

  /**
   * The capacity of the picture's active systems, reused while the host facts and the active
   * system objects are the same: a DefineSystem or a read among 10,000 systems checks identities
   * instead of recounting every guest (a running system's object changes with each picture).
   */
  private baseCapacity(p: Picture): Capacity {
    const hostKey = JSON.stringify(p.host);
    const m = this.capMemo;
    if (m && m.hostKey === hostKey && sameActive(p.systems, m.active)) return m.cap;
    const active = p.systems.filter((s) => isActive(s.state));
    const cap = computeCapacity(p.host, active.map(toGuest), this.policy);
    this.capMemo = { hostKey, active, cap };
    return cap;
  }

  /** Entries the picture does not show yet (a started system that already shows is counted there). */
  private pending(p: Picture): Entry[] {
    if (this.ledger.size === 0) return [];
    const shown = new Set(p.systems.filter((s) => isActive(s.state)).map((s) => s.name));
    return [...this.ledger].filter((e) => !(e.kind === 'start' && shown.has(e.system)));
  }

  /**
   * Reserve room for `config` of `system`: for a start, all it asks (reservation and overhead);
   * for growth of an active system, what `config` asks beyond what it holds now. no_memory with
   * the figures when that does not fit what is available.
   */
  async admit(system: string, config: VirtualSystemConfig, kind: ReservationKind): Promise<Reservation> {
    // The fresh picture is read before the host lock, so a hung hypervisor query delays only the
    // admissions waiting for it, never the host lock. It is read again under the lock only when a
    // reservation settled since the read began (its entry has left the ledger, so the older
    // picture would no longer count it).
    const read = this.freshPicture(performance.now());
    const early = await read.picture;
    return this.hostLock.with(HOST_KEY, async () => {
      // Under the host lock no reservation settles, but one may be released (a failed change):
      // read again until no entry has left the ledger since the read in hand began.
      let p = early;
      for (let since = read.settled; since !== this.settled;) {
        const again = this.freshPicture(performance.now());
        since = again.settled;
        p = await again.picture;
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
            this.settled++;
          });
        },
        release: () => {
          done = true;
          // A change that failed may still have left what it reserved for (a domain created, then
          // storing its definition failed): a picture read before must be read again, as after a settle.
          if (this.ledger.delete(entry)) this.settled++;
        },
      };
    });
  }

  /**
   * A fresh picture for an admission asked at `askedAt`. Admissions asked together (a whole
   * network launched at once) share one read: one still running, or one begun after they asked,
   * as long as no reservation settled since it began. Entries granted meanwhile are in the
   * ledger, so nothing is counted twice or missed.
   */
  private freshPicture(askedAt: number): FreshRead {
    const r = this.read;
    if (r && r.settled === this.settled && (r.pending || r.startedAt >= askedAt)) return r;
    const next: FreshRead = { startedAt: performance.now(), settled: this.settled, pending: true, picture: this.picture(true) };
    next.picture.then(() => { next.pending = false; }, () => {
      next.pending = false;
      if (this.read === next) this.read = undefined;
    });
    this.read = next;
    return next;
  }

  /** Reservations granted and not yet settled (tests, diagnostics). */
  get pendingCount(): number {
    return this.ledger.size;
  }
}

/** The active systems of `systems` are the very objects of `active`, in order. */
function sameActive(systems: readonly VirtualSystem[], active: readonly VirtualSystem[]): boolean {
  let i = 0;
  for (const s of systems) {
    if (!isActive(s.state)) continue;
    if (active[i++] !== s) return false;
  }
  return i === active.length;
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
