/**
 * The virtual networks of the model (virt/networks), one JSON file per network in
 * <dataDir>/networks/, written like the definitions: temp file, fsync, rename, fsync the
 * directory (atomic-file.ts), read back at start-up as json-dir.ts says (temp files of a write
 * cut short removed, an unreadable file set aside as `<name>.json.corrupt-<ms>`).
 */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import { SavedNotDurably, type NetworkStore, type StoredNetwork } from '../../virt/networks/types.js';
import { NotDurableError, fsyncDir, writeFileAtomic } from './atomic-file.js';
import { scanJsonDir } from './json-dir.js';
import { WriteOrder } from './write-order.js';

/** The network name rule (virt/networks/names.ts) makes every name a safe file name; checked again here. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

export class FileNetworkStore implements NetworkStore {
  readonly dir: string;
  /** Writes of one network are applied in the order they were asked for. */
  private readonly order = new WriteOrder();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'networks');
  }

  async load(): Promise<{ networks: StoredNetwork[]; cleanedTempFiles: number; quarantined: string[] }> {
    const networks: StoredNetwork[] = [];
    const scan = await scanJsonDir(this.dir, async (path, name) => {
      const n = await readOne(path, name);
      if (n) networks.push(n);
      return n !== undefined;
    }, { sorted: true });
    return { networks, ...scan };
  }

  async save(network: StoredNetwork): Promise<void> {
    const path = this.pathOf(network.name);
    const data = JSON.stringify(network, null, 2) + '\n';
    return this.order.after([network.name], () => writeFileAtomic(path, data).catch((e: unknown) => {
      throw e instanceof NotDurableError ? new SavedNotDurably(`network '${network.name}': ${e.message}`, { cause: e }) : e;
    }));
  }

  async remove(name: string): Promise<void> {
    const path = this.pathOf(name);
    return this.order.after([name], async () => {
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
