/**
 * Start-up recovery of snapshots (after a crash or kill -9 at any point of service.ts): every
 * tree is read; an operation recorded as under way is settled — a create that did not commit is
 * undone (the disks' own snapshots, the folders), an apply or a destroy is finished — and every
 * folder or temp file no tree names is removed. Runs before the server serves, under each
 * system's lock.
 */
import type { Model } from '../model.js';
import type { SnapshotService } from './service.js';

export interface SnapshotRecovery {
  undone: string[];
  finished: string[];
  removed: string[];
  quarantined: string[];
  failed: string[];
}

export async function recoverSnapshots(m: Model, svc: SnapshotService): Promise<SnapshotRecovery> {
  const out: SnapshotRecovery = { undone: [], finished: [], removed: [], quarantined: [], failed: [] };
  const loaded = await svc.store.load();
  out.quarantined = loaded.quarantined;
  // A system whose tree could not be read keeps its folder as it is (its images are named by
  // the tree set aside, for an operator to repair): nothing there is a leftover.
  const unread = new Set(loaded.unread);
  const systems = new Map((await m.driver.list()).map((s) => [s.uuid.toLowerCase(), s.name]));
  for (const tree of svc.store.trees_()) {
    const p = tree.pending;
    if (!p) continue;
    const name = systems.get(tree.systemUuid);
    const what = `${p.op} of snapshot ${p.id}${name ? ` of '${name}'` : ''}`;
    try {
      if (p.op === 'create') {
        // Cut while the system was paused for the capture: it runs again first, as before, even
        // if undoing what the capture made then fails (a disk held by its running guest).
        if (p.running && name !== undefined && (await m.driver.get(name)).state === 'paused') await m.locks.with(name, () => m.driver.unpause(name));
        await svc.undoCreate(tree.systemUuid, p.id, p.disks);
        out.undone.push(what);
      } else if (p.op === 'destroy') {
        await svc.redoDestroy(tree.systemUuid, p.id);
        out.finished.push(what);
      } else {
        const snap = tree.snapshots.find((s) => s.id === p.id);
        if (name === undefined || !snap) {
          const t = svc.store.tree(tree.systemUuid);
          delete t.pending;
          await svc.store.save(t);
        } else {
          await m.locks.with(name, () => svc.redoApply(name, snap));
          const t = svc.store.tree(tree.systemUuid);
          t.current = p.id;
          delete t.pending;
          await svc.store.save(t);
        }
        out.finished.push(what);
      }
    } catch (err) {
      out.failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      m.log(`snapshot recovery: could not settle the ${what}: ${err instanceof Error ? err.message : String(err)}`);
      // An apply that cannot be finished, a create whose disks' snapshots cannot be removed now
      // (a running guest's disk is held open) or a destroy that cannot end is over, as a failed
      // one is while the server runs: its intent goes, so that the system's snapshots can be used
      // again; a destroy's snapshot is marked broken (never applied, destroyed again on request).
      // A leftover disk snapshot (`xenwbem-<id>`) is named in the log above.
      const t = svc.store.tree(tree.systemUuid);
      if (p.op === 'destroy') {
        const s = t.snapshots.find((x) => x.id === p.id);
        if (s) s.broken = true;
      }
      delete t.pending;
      await svc.store.save(t).catch(() => {});
    }
  }
  for (const uuid of await svc.store.systemFolders()) {
    if (unread.has(uuid)) continue;
    for (const path of await svc.store.leftovers(uuid)) {
      await svc.store.removeFolder(path);
      out.removed.push(path);
    }
  }
  return out;
}
