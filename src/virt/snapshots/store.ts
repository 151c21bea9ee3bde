/**
 * Where snapshots are kept: `<dir>/<system uuid>/tree.json` (the tree, its most current
 * snapshot and the operation under way, replaced atomically: temp file, fsync, rename, fsync of
 * the folder) and one folder per snapshot beside it (`<id>/`: memory image, disk copies). A
 * snapshot is made in `.<id>.partial/` and renamed when whole; it exists once tree.json names it.
 * Folders and temp files no tree names are leftovers of a crash, removed at start-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../errors.js';
import type { SnapshotTree } from './types.js';

const TREE = 'tree.json';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SNAPSHOT_ID = /^[0-9a-f]{12}$/;

export function newSnapshotId(): string {
  return randomBytes(6).toString('hex');
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is atomic all the same
  } finally {
    await dh.close();
  }
}

export class SnapshotStore {
  private readonly trees = new Map<string, SnapshotTree>();
  /** Each system's tree writes, one after the other (a retry never lands after a newer write). */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly retrying = new Set<string>();
  /** How long a tree whose write failed waits before it is written again (tests shorten it). */
  retryMs = 5_000;

  constructor(readonly dir: string) {}

  systemDir(uuid: string): string {
    if (!UUID.test(uuid)) throw new VirtError('invalid_argument', `not a system UUID: ${JSON.stringify(uuid)}`);
    return join(this.dir, uuid.toLowerCase());
  }

  snapshotDir(uuid: string, id: string): string {
    if (!SNAPSHOT_ID.test(id)) throw new VirtError('invalid_argument', `not a snapshot id: ${JSON.stringify(id)}`);
    return join(this.systemDir(uuid), id);
  }

  partialDir(uuid: string, id: string): string {
    if (!SNAPSHOT_ID.test(id)) throw new VirtError('invalid_argument', `not a snapshot id: ${JSON.stringify(id)}`);
    return join(this.systemDir(uuid), `.${id}.partial`);
  }

  /**
   * Read every tree (start-up). Unreadable trees are set aside, never trusted; `unread` names the
   * systems whose tree exists but could not be read or was set aside: their folders hold images
   * no tree in memory names, which must not be taken for leftovers.
   */
  async load(): Promise<{ quarantined: string[]; unread: string[] }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.trees.clear();
    const quarantined: string[] = [];
    const unread: string[] = [];
    for (const entry of await readdir(this.dir)) {
      if (!UUID.test(entry)) continue;
      const path = join(this.dir, entry, TREE);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        // No tree: a folder whose first snapshot never finished, unless its tree was set aside
        // at an earlier start (still to be repaired). Any other error: not read.
        const setAside = async (): Promise<boolean> =>
          (await readdir(join(this.dir, entry)).catch(() => [] as string[])).some((f) => f.startsWith(`${TREE}.corrupt-`));
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || await setAside()) unread.push(entry);
        continue;
      }
      try {
        const tree = JSON.parse(text) as SnapshotTree;
        if (tree.version !== 1 || tree.systemUuid !== entry || !Array.isArray(tree.snapshots)) throw new Error('bad shape');
        this.trees.set(entry, tree);
      } catch {
        await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => {});
        quarantined.push(entry);
        unread.push(entry);
      }
    }
    return { quarantined, unread };
  }

  /** The system's tree (a copy: change it, then save it). */
  tree(uuid: string): SnapshotTree {
    const t = this.trees.get(uuid.toLowerCase());
    return t ? structuredClone(t) : { version: 1, systemUuid: uuid.toLowerCase(), snapshots: [] };
  }

  trees_(): SnapshotTree[] {
    return [...this.trees.values()].map((t) => structuredClone(t));
  }

  /** Replace the system's tree atomically; memory follows once the file is safe. */
  save(tree: SnapshotTree): Promise<void> {
    const uuid = tree.systemUuid.toLowerCase();
    const write = (): Promise<void> => this.write(tree);
    const done = (this.writes.get(uuid) ?? Promise.resolve()).then(write, write);
    this.writes.set(uuid, done.catch(() => {}));
    return done;
  }

  /**
   * The end of an operation whose record could not be written (a full disk): memory holds it at
   * once, so that the system's snapshots stay usable, and the file is written again from memory
   * until it takes, so that the next start does not take the operation for one a crash cut.
   */
  keep(tree: SnapshotTree): void {
    const uuid = tree.systemUuid.toLowerCase();
    this.trees.set(uuid, structuredClone(tree));
    if (this.retrying.has(uuid)) return;
    this.retrying.add(uuid);
    const again = (): void => {
      setTimeout(() => {
        const now = this.trees.get(uuid);
        if (!now) return void this.retrying.delete(uuid);
        this.save(now).then(() => this.retrying.delete(uuid), again);
      }, this.retryMs).unref();
    };
    again();
  }

  private async write(tree: SnapshotTree): Promise<void> {
    const dir = this.systemDir(tree.systemUuid);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, TREE);
    const tmp = join(dir, `.${TREE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(tree, null, 2) + '\n', 'utf8');
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await fh.close();
    await rename(tmp, path);
    await fsyncDir(dir);
    this.trees.set(tree.systemUuid.toLowerCase(), structuredClone(tree));
  }

  /** Remove a system's tree and folders (the system was deleted). */
  async forget(uuid: string): Promise<void> {
    const id = uuid.toLowerCase();
    // After any write still queued (a retry would otherwise bring the tree back).
    await this.writes.get(id);
    this.trees.delete(id);
    await rm(this.systemDir(uuid), { recursive: true, force: true });
  }

  /** A staging folder for a snapshot being made (emptied if a crash left one). */
  async stage(uuid: string, id: string): Promise<string> {
    const p = this.partialDir(uuid, id);
    await rm(p, { recursive: true, force: true });
    await mkdir(p, { recursive: true, mode: 0o700 });
    return p;
  }

  /** The staged snapshot becomes whole: one rename, once the names of its files are durable. */
  async commitStage(uuid: string, id: string): Promise<void> {
    await fsyncDir(this.partialDir(uuid, id));
    await rename(this.partialDir(uuid, id), this.snapshotDir(uuid, id));
    await fsyncDir(this.systemDir(uuid));
  }

  async removeFolder(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  /**
   * Folders and temp files of a system's directory that its tree does not name (a crash's
   * leftovers), except the snapshot being made when `keep` names it.
   */
  async leftovers(uuid: string, keep?: string): Promise<string[]> {
    const dir = this.systemDir(uuid);
    const known = new Set(this.tree(uuid).snapshots.map((s) => s.id));
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const e of entries) {
      if (e === TREE || e.includes('.corrupt-')) continue;
      if (keep && (e === keep || e === `.${keep}.partial`)) continue;
      if (SNAPSHOT_ID.test(e) && known.has(e)) continue;
      out.push(join(dir, e));
    }
    return out;
  }

  /** Bytes under a folder (the files a snapshot holds). */
  async sizeOf(path: string): Promise<number> {
    let total = 0;
    for (const e of await readdir(path, { withFileTypes: true }).catch(() => [])) {
      const p = join(path, e.name);
      if (e.isDirectory()) total += await this.sizeOf(p);
      else total += (await stat(p).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }

  /** UUIDs of the folders under the store, with or without a tree. */
  /** Whether a file of a snapshot is there (checked before an apply stops anything). */
  async exists(path: string): Promise<boolean> {
    return stat(path).then((s) => s.isFile(), () => false);
  }

  async systemFolders(): Promise<string[]> {
    return (await readdir(this.dir).catch(() => [] as string[])).filter((e) => UUID.test(e));
  }
}
