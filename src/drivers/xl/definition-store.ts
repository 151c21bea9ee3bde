/**
 * xl keeps nothing for a stopped domain (xl-reference §8), so we do: one JSON file per virtual
 * system under <dataDir>/definitions/, written atomically (atomic-file.ts). All definitions are
 * held in memory after init(), so reads never touch the disk.
 */
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import type { SystemOrigin, VirtualSystemConfig } from '../../virt/types.js';
import { TEMP_SUFFIX, fsyncDir, writeFileAtomic } from './atomic-file.js';

/** What we last asked of the system; reconcile compares it with what xl reports. */
export type ExpectedState = 'stopped' | 'running' | 'paused' | 'suspended';

export interface StoredDefinition {
  version: 1;
  config: VirtualSystemConfig;
  origin: SystemOrigin;
  expected: ExpectedState;
  /** Path of the saved image while suspended. */
  savedImage?: string;
  /** Expected to run but gone from xl (set by reconcile, cleared by the next start). */
  vanished?: boolean;
  updatedAt: string;
}

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export interface StoreInitReport {
  cleanedTempFiles: number;
  quarantined: string[];
}

export class DefinitionStore {
  readonly dir: string;
  private readonly defs = new Map<string, StoredDefinition>();
  /** uuid → name, so that matching a host's domains against the store stays O(domains). */
  private readonly byUuid = new Map<string, string>();
  private loaded = false;
  /** Bumped by every change of the definitions held in memory (lets readers cache derived views). */
  version = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'definitions');
  }

  /** Load every definition; remove leftover temp files; set aside unreadable ones. */
  async init(): Promise<StoreInitReport> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const report: StoreInitReport = { cleanedTempFiles: 0, quarantined: [] };
    this.defs.clear();
    this.byUuid.clear();
    this.version++;
    for (const entry of await readdir(this.dir)) {
      const path = join(this.dir, entry);
      if (entry.startsWith('.') && entry.endsWith(TEMP_SUFFIX)) {
        // A writer died before its rename: the target file still holds the previous version.
        await unlink(path).catch(() => {});
        report.cleanedTempFiles++;
        continue;
      }
      if (!entry.endsWith('.json')) continue;
      const name = entry.slice(0, -'.json'.length);
      const def = await this.readOne(path, name);
      if (def) {
        this.setDef(def);
      } else {
        await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => {});
        report.quarantined.push(name);
      }
    }
    if (report.cleanedTempFiles || report.quarantined.length) await fsyncDir(this.dir);
    this.loaded = true;
    return report;
  }

  private async readOne(path: string, name: string): Promise<StoredDefinition | undefined> {
    try {
      const data = JSON.parse(await readFile(path, 'utf8')) as StoredDefinition;
      if (data?.version !== 1 || data.config?.name !== name || typeof data.config.uuid !== 'string') return undefined;
      return data;
    } catch {
      return undefined;
    }
  }

  private ensureLoaded(): void {
    if (!this.loaded) throw new VirtError('failed', 'definition store used before init()');
  }

  private pathOf(name: string): string {
    if (!FILE_NAME.test(name)) throw new VirtError('invalid_argument', `invalid system name for the store: ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.json`);
  }

  list(): StoredDefinition[] {
    this.ensureLoaded();
    return [...this.defs.values()];
  }

  get(name: string): StoredDefinition | undefined {
    this.ensureLoaded();
    return this.defs.get(name);
  }

  findByUuid(uuid: string): StoredDefinition | undefined {
    const name = this.byUuid.get(uuid);
    const d = name === undefined ? undefined : this.defs.get(name);
    return d?.config.uuid === uuid ? d : undefined;
  }

  private setDef(def: StoredDefinition): void {
    const prev = this.defs.get(def.config.name);
    if (prev && this.byUuid.get(prev.config.uuid) === prev.config.name) this.byUuid.delete(prev.config.uuid);
    this.defs.set(def.config.name, def);
    this.byUuid.set(def.config.uuid, def.config.name);
    this.version++;
  }

  get size(): number {
    return this.defs.size;
  }

  /** Write (create or replace) a definition; memory is updated only once the file is safe. */
  async put(def: Omit<StoredDefinition, 'version' | 'updatedAt'>): Promise<StoredDefinition> {
    this.ensureLoaded();
    const full: StoredDefinition = { ...def, version: 1, updatedAt: new Date().toISOString() };
    await writeFileAtomic(this.pathOf(full.config.name), JSON.stringify(full, null, 2) + '\n');
    this.setDef(full);
    return full;
  }

  async update(name: string, change: (d: StoredDefinition) => Omit<StoredDefinition, 'version' | 'updatedAt'>): Promise<StoredDefinition> {
    const cur = this.get(name);
    if (!cur) throw new VirtError('not_found', `no definition for '${name}'`);
    return this.put(change(structuredClone(cur)));
  }

  async remove(name: string): Promise<void> {
    this.ensureLoaded();
    await unlink(this.pathOf(name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await fsyncDir(this.dir);
    const prev = this.defs.get(name);
    if (prev && this.byUuid.get(prev.config.uuid) === name) this.byUuid.delete(prev.config.uuid);
    this.defs.delete(name);
    this.version++;
  }
}
