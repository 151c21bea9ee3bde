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
  out.quarantined = (await svc.store.load()).quarantined;
  const systems = new Map((await m.driver.list()).map((s) => [s.uuid.toLowerCase(), s.name]));
  for (const tree of svc.store.trees_()) {
    const p = tree.pending;
    if (!p) continue;
    const name = systems.get(tree.systemUuid);
    const what = `${p.op} of snapshot ${p.id}${name ? ` of '${name}'` : ''}`;
    try {
      if (p.op === 'create') {
        await svc.undoCreate(tree.systemUuid, p.id, p.disks);
        // Cut while the system was paused for the capture: it runs again, as before.
        if (p.running && name !== undefined && (await m.driver.get(name)).state === 'paused') await m.locks.with(name, () => m.driver.unpause(name));
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
    }
  }
  for (const uuid of await svc.store.systemFolders()) {
    for (const path of await svc.store.leftovers(uuid)) {
      await svc.store.removeFolder(path);
      out.removed.push(path);
    }
  }
  return out;
}
