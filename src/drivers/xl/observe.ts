/**
 * What every snapshot refresh brings, before any reader sees it:
 * - adoption on first sight: a domain created outside us gets a stored definition from its live
 *   configuration, so that later reads need only `xl list -v`;
 * - state changes nobody asked us for (a crash, a guest that powered itself off, a domain
 *   destroyed behind our back): recorded with the definition (state and time, so a restart keeps
 *   them) and reported to the listeners. A system expected to run that is gone without having
 *   been seen shutting down is marked vanished (lost) once it is still gone a while
 *   (`lossConfirmMs`, 1 s by default) later (a guest restarting itself is briefly absent between its old and new domain); the time
 *   recorded is when it was first missed.
 * Systems a change of ours is changing are left alone: that change records its own outcome.
 * A failed write only delays the record: the next snapshot tries again.
 * The listeners hear of the changes once the picture that showed them is the one readers get
 * (`flush`, when it is served): told earlier, a listener that reads the systems would still see
 * the picture before the change.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ObservedStateChange } from '../../virt/types.js';
import type { SystemState } from '../../virt/states.js';
import type { XlCore } from './core.js';
import type { DefinitionFields, StoredDefinition } from './definition-types.js';
import { adoptionOf, movable } from './reconcile.js';
import type { DomainView, Snapshot } from './picture.js';
import { reapplyRates } from './xenstore.js';
import { observedState, viewOf } from './view.js';

export type Listener = (change: ObservedStateChange) => void;


/** Systems compared per turn of the event loop. */
const OBSERVE_SLICE = 1000;

export class SnapshotObserver {
  readonly listeners = new Set<Listener>();
  /** The state first seen of systems stored before states were recorded (by uuid): no write until it changes. */
  private readonly firstSeen = new Map<string, SystemState>();
  /** Systems expected to run that a snapshot did not show (by uuid) → when first missed. */
  private readonly missing = new Map<string, number>();
  /** The domain id each stored system last ran as (by uuid): see followRebuild. */
  private readonly domids = new Map<string, number>();
  /** Changes recorded from a picture not yet served to readers. */
  private pending: ObservedStateChange[] = [];
  /** The store's version when forgetDeleted last ran. */
  private forgotAt = -1;

  constructor(private readonly core: XlCore) {}

  async adoptNew(snap: Snapshot): Promise<void> {
    if (!this.core.ready) return;
    for (const view of snap.domains) {
      const def = adoptionOf(this.core.store, view, this.core.incoming);
      if (!def) continue;
      try {
        await this.core.store.put(def);
        await this.core.incoming.remove(def.config.uuid);
      } catch {
        // Shown from its live configuration for now; the next snapshot tries again.
        continue;
      }
      // A system migrated here: xl built its domain from libxl's record, whose vif rates are those
      // it was plugged with on the source, not a rate changed live since (SetLinkBandwidth); the
      // definition handed over has the latest, set again here (reapplyRates logs a failure).
      if (def.origin === 'defined') void reapplyRates(this.core, view.row.name, def.config.nics, view.row.domid);
    }
  }

  /**
   * `current()`: false once a change of ours made `snap` out of date (nothing is recorded from it
   * then). `turn()`: the event loop's turn between slices (the refresh's, which keeps its CPU apart).
   */
  async observe(snap: Snapshot, current: () => boolean = () => true, turn: () => Promise<void> = () => yieldToLoop()): Promise<void> {
    const core = this.core;
    if (!core.ready) return;
    const listed = core.store.list();
    for (let i = 0; i < listed.length; i++) {
      // The event loop's turn every OBSERVE_SLICE systems: requests are not held for the whole host.
      if (i > 0 && i % OBSERVE_SLICE === 0) await turn();
      if (!current()) return;
      const name = listed[i]!.config.name;
      // The definition as stored now (an earlier iteration awaited: a change may have ended since).
      const def = core.store.get(name);
      if (!def) continue;
      const view = viewOf(def, snap);
      this.followRebuild(def, view, core.changing.has(name));
      if (core.changing.has(name)) continue;
      const now = observedState(def, view);
      const before = def.lastState ?? this.firstSeen.get(def.config.uuid);
      const expectedToRun = def.expected === 'running' || def.expected === 'paused';
      const gone = !view && expectedToRun && !def.vanished && !def.savedImage;
      // Gone while a migration of ours is open (a server restarted while its `xl migrate` ran on): moved, not lost.
      // Not when a change of ours stopped or saved it since, nor when it was seen shutting down.
      if (!view && movable(def) && before !== 'shutting_down' && core.outgoing.get(def.config.uuid)) {
        try {
          await core.store.remove(name);
          await core.outgoing.remove(def.config.uuid);
        } catch {
          // the next snapshot tries again
        }
        continue;
      }
      let at = Date.now();
      if (gone) {
        const first = this.missing.get(def.config.uuid);
        if (first === undefined) this.missing.set(def.config.uuid, at);
        if (first === undefined || at - first < core.lossConfirmMs) continue;
        at = first;
      } else this.missing.delete(def.config.uuid);
      if (before === undefined) {
        this.firstSeen.set(def.config.uuid, now);
        if (!gone) continue;
      }
      if (before === now && !gone) continue;
      const fields: Partial<DefinitionFields> = { lastState: now, stateChangedAt: new Date(at).toISOString() };
      let lost: ObservedStateChange['lost'];
      if (gone) {
        // Seen shutting down before it went: the guest powered itself off; else it was lost.
        if (before === 'shutting_down') fields.expected = 'stopped';
        else {
          fields.vanished = true;
          lost = 'vanished';
        }
      } else if (now === 'crashed' && expectedToRun) lost = 'crashed';
      try {
        await core.store.update(name, (d) => ({ ...d, ...fields }));
      } catch {
        continue;
      }
      this.firstSeen.delete(def.config.uuid);
      this.missing.delete(def.config.uuid);
      const change: ObservedStateChange = { name, from: before ?? 'running', to: now, at };
      if (lost) change.lost = lost;
      this.pending.push(change);
    }
    // Only after the store changed: an entry goes stale only when a definition goes (walking the
    // three maps at every picture cost 9 ms at 10,000 systems).
    if (core.store.version !== this.forgotAt) {
      this.forgotAt = core.store.version;
      this.forgetDeleted();
    }
  }

  /**
   * What is held of systems no longer stored (deleted while missed, moved away by a migration) is
   * dropped: the loop above only visits stored systems, so a long run would keep one entry per
   * system ever deleted.
   */
  private forgetDeleted(): void {
    const store = this.core.store;
    for (const m of [this.firstSeen, this.missing, this.domids] as Map<string, unknown>[]) {
      for (const uuid of m.keys()) if (!store.findByUuid(uuid)) m.delete(uuid);
    }
  }

  /**
   * A running system whose domain id changed with no change of ours was rebuilt by xl: a guest's
   * own reboot, or `on_crash`/`on_poweroff = "restart"`. xl builds the new domain from libxl's
   * record, which keeps the vif rates the interfaces were plugged with, so a rate changed live
   * since (a throttled guest) would come undone by a reboot of the guest's choosing: the
   * definition's rates are set again (reapplyRates logs a failure; the next rebuild tries again).
   */
  private followRebuild(def: StoredDefinition, view: DomainView | undefined, ours: boolean): void {
    const uuid = def.config.uuid;
    if (!view) {
      this.domids.delete(uuid);
      return;
    }
    const was = this.domids.get(uuid);
    this.domids.set(uuid, view.row.domid);
    if (ours || was === undefined || was === view.row.domid || def.config.nics.length === 0) return;
    void reapplyRates(this.core, view.row.name, def.config.nics, view.row.domid);
  }

  /** Tell the listeners what the pictures recorded so far, once readers see it. */
  flush(): void {
    const changes = this.pending;
    this.pending = [];
    for (const change of changes) {
      for (const l of this.listeners) {
        try {
          l(change);
        } catch {
          // a listener's failure must not break the refresh
        }
      }
    }
  }
}
