/**
 * The steps of a snapshot's apply (service.ts runs them as a job; start-up recovery runs them
 * again after a crash, and each ends in the same place). What can be checked is checked while the
 * system still runs: it is the system the snapshot was taken of (by UUID), the snapshot is whole,
 * its memory image is there, no other system uses a disk it writes back or a MAC it puts back,
 * the switches it plugs into exist (when it runs again), its paths are still allowed, each disk
 * copy has room to be written back, and a system that is not active has room to start. Then: stop the
 * system if active → disks back → definition back → `xl restore` or a start (or leave it
 * stopped). `reached` tells the caller how far it got when a step fails.
 */
import { VirtError } from '../errors.js';
import type { Model } from '../model.js';
import { macOwner } from '../spec.js';
import { applyWeights } from './progress.js';
import type { SnapshotDriver } from './snapshot-driver.js';
import type { SnapshotStore } from './store.js';
import type { CrashPoint, Snapshot } from './types.js';

export interface ApplyDeps {
  m: Model;
  driver: SnapshotDriver;
  store: SnapshotStore;
  /** A crash point (tests stop there for good). */
  at: (p: CrashPoint) => Promise<void>;
}

/** How far an apply got: the system stopped, its disks put back. */
export interface ApplyReached {
  stopped: boolean;
  disks: boolean;
}

export async function applySteps(
  deps: ApplyDeps, name: string, snap: Snapshot, signal: AbortSignal | undefined, progress: (p: number) => void, reached: ApplyReached,
): Promise<void> {
  const d = deps.m.driver;
  const o = signal ? { signal } : {};
  // Under the system's lock the driver's picture already reflects our own last change.
  const cur = await d.get(name);
  if (cur.uuid.toLowerCase() !== snap.systemUuid.toLowerCase()) {
    // Renamed meanwhile, and another system took the name: never apply to that one.
    throw new VirtError('not_found', `'${name}' is no longer the system snapshot ${snap.id} was taken of`);
  }
  if (snap.broken) throw new VirtError('invalid_state', `snapshot ${snap.id} was partly destroyed and cannot be applied: destroy it`);
  const wasActive = cur.state !== 'defined' && cur.state !== 'suspended';
  const w = applyWeights(snap);
  const folder = deps.store.snapshotDir(snap.systemUuid, snap.id);
  // What can be checked is checked before anything is stopped: a missing memory image, or no
  // room for a system that does not run now, leaves the system as it is.
  if (snap.stateFile && !(await deps.store.exists(`${folder}/${snap.stateFile}`))) {
    throw new VirtError('not_found', `the memory image of snapshot ${snap.id} is missing`);
  }
  // A disk written back must be this system's alone: detached since and given to another
  // system, it would be overwritten under that one (and both definitions would name it).
  const others = (await d.list()).filter((s) => s.uuid.toLowerCase() !== cur.uuid.toLowerCase());
  for (const disk of snap.disks) {
    const user = others.find((s) => s.config.disks.some((x) => x.target === disk.target));
    if (user) {
      throw new VirtError('invalid_state', `snapshot ${snap.id} would write disk ${disk.target} back, and '${user.name}' uses it now: take it from '${user.name}' first`);
    }
  }
  // Likewise an interface put back: its MAC given to another system since, two guests would share
  // it (DefineSystem refuses that too).
  for (const nic of snap.config.nics) {
    const user = nic.mac === undefined ? undefined : macOwner(others, nic.mac, name);
    if (user) {
      throw new VirtError('invalid_state', `snapshot ${snap.id} would put back the interface ${nic.mac!.toLowerCase()}, and '${user.name}' has an interface with that MAC now: take it from '${user.name}' first`);
    }
  }
  // A system brought back running or paused needs every switch its interfaces plug into: a switch
  // removed since would fail the restore after the system was stopped.
  if (snap.state !== 'stopped' && snap.config.nics.length > 0) {
    const switches = new Set((await d.switches()).map((s) => s.name));
    const gone = [...new Set(snap.config.nics.map((n) => n.bridge))].find((b) => !switches.has(b));
    if (gone !== undefined) {
      throw new VirtError('invalid_state', `snapshot ${snap.id} puts back an interface on the virtual switch '${gone}', which this host no longer has: create it first`);
    }
  }
  // A disk or boot path this host no longer allows, or a disk copy without room beside its image,
  // would fail the apply with the system stopped and its other disks already put back.
  await deps.driver.checkRevert(snap.disks, folder, snap.config);
  const grows = snap.config.memoryReservationMiB > cur.config.memoryReservationMiB
    || snap.config.cpuReservationPercent > cur.config.cpuReservationPercent;
  let reservation = snap.state !== 'stopped' && !wasActive ? await deps.m.admission.admit(name, snap.config, 'start') : undefined;
  try {
    // Recorded first, as a state request is (a read now costs nothing; after the restore it waits for the picture).
    await d.setRequestedState(name, snap.state === 'stopped' ? 'defined' : snap.state);
    if (cur.state !== 'defined') await d.destroy(name, o);
    reached.stopped = true;
    await deps.at('apply:stopped');
    progress(w.stopped);
    await deps.driver.revertDisks(snap.disks, folder, o);
    reached.disks = true;
    await deps.at('apply:disks');
    progress(w.disks);
    await deps.driver.putDefinition(name, { ...structuredClone(snap.config), name, uuid: cur.uuid });
    await deps.at('apply:definition');
    progress(w.definition);
    if (snap.state !== 'stopped') {
      const paused = snap.state === 'paused';
      // The room of a system that was active is its own again once it is destroyed: admitted
      // here only when the snapshot guarantees it more than it had (one that was not active
      // was admitted above, before anything was stopped).
      if (wasActive && grows) reservation = await deps.m.admission.admit(name, snap.config, 'start');
      if (snap.stateFile) {
        await deps.driver.resume(name, `${folder}/${snap.stateFile}`, { ...o, paused, progress: (f) => progress(w.definition + f * (99 - w.definition)) });
      } else {
        // A disk snapshot keeps no memory: the system boots from the disks as they were.
        await d.start(name, { ...o, paused });
      }
      if (reservation) {
        const r = reservation;
        d.invalidate();
        await r.settle().catch(() => r.release());
      }
    }
  } finally {
    reservation?.release();
  }
  await deps.at('apply:resumed');
}
