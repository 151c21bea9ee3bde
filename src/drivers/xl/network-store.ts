/**
 * The virtual networks of the model (virt/networks), one JSON file per network in
 * <dataDir>/networks/, written like the definitions: temp file, fsync, rename, fsync the
 * directory (atomic-file.ts). At start-up a temp file left by a writer that died before its
 * rename is removed (the target still holds the previous version) and an unreadable file is set
 * aside as `<name>.json.corrupt-<ms>`, so one damaged file never stops the server.
 */
import { mkdir, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import type { NetworkStore, StoredNetwork } from '../../virt/networks/types.js';
import { TEMP_SUFFIX, fsyncDir, writeFileAtomic } from './atomic-file.js';

/** The network name rule (virt/networks/names.ts) makes every name a safe file name; checked again here. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

export class FileNetworkStore implements NetworkStore {
  readonly dir: string;
  /** Writes of one network are applied in the order they were asked for. */
  private readonly writes = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'networks');
  }

  async load(): Promise<{ networks: StoredNetwork[]; cleanedTempFiles: number; quarantined: string[] }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const out = { networks: [] as StoredNetwork[], cleanedTempFiles: 0, quarantined: [] as string[] };
    for (const entry of (await readdir(this.dir)).sort()) {
      const path = join(this.dir, entry);
      if (entry.startsWith('.') && entry.endsWith(TEMP_SUFFIX)) {
        await unlink(path).catch(() => {});
        out.cleanedTempFiles++;
        continue;
      }
      if (!entry.endsWith('.json')) continue;
      const name = entry.slice(0, -'.json'.length);
      const n = await readOne(path, name);
      if (n) {
        out.networks.push(n);
        continue;
      }
      await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => {});
      out.quarantined.push(name);
    }
    if (out.cleanedTempFiles || out.quarantined.length) await fsyncDir(this.dir);
    return out;
  }

  async save(network: StoredNetwork): Promise<void> {
    const path = this.pathOf(network.name);
    const data = JSON.stringify(network, null, 2) + '\n';
    return this.serial(network.name, () => writeFileAtomic(path, data));
  }

  async remove(name: string): Promise<void> {
    const path = this.pathOf(name);
    return this.serial(name, async () => {
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await fsyncDir(this.dir);
    });
  }

  private pathOf(name: string): string {
    if (!FILE_NAME.test(name)) throw new VirtError('invalid_argument', `invalid network name for the store: ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.json`);
  }

  private serial(name: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.writes.get(name) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    this.writes.set(name, next);
    void next.finally(() => {
      if (this.writes.get(name) === next) this.writes.delete(name);
    }).catch(() => {});
    return next;
  }
}

async function readOne(path: string, name: string): Promise<StoredNetwork | undefined> {
  try {
    const n = JSON.parse(await readFile(path, 'utf8')) as StoredNetwork;
    if (n?.version !== 1 || n.name !== name || !Array.isArray(n.members) || !Array.isArray(n.links) || !n.created) return undefined;
    return n;
  } catch {
    return undefined;
  }
}
