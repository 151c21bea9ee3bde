/**
 * xl keeps nothing for a stopped domain, so we do: one JSON file per virtual system under
 * <dataDir>/definitions/, written atomically (atomic-file.ts), and a journal
 * (definition-journal.ts) folded into those files in the background. Creating or replacing one
 * definition (`put`, `move`) writes its file; changing one (`update`/`patch`: a state recorded, a
 * request, a setting), a batch of many (`putMany` from BULK_FROM: adoption of a whole host) and
 * a removal's tombstone are journal records, whose appends share their fdatasyncs. Every version
 * and tombstone carries a sequence number: after any crash the newest of a file and the records
 * of its name wins; definition-fold.ts folds the journal into the files. All definitions are held
 * in memory after init(), so reads never touch the disk. Writes of one definition are applied in
 * the order they were asked for (write-order.ts), each `update` onto the latest version (a write
 * that ended meanwhile is kept).
 */
import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import type { VirtualSystemConfig } from '../../virt/types.js';
import { NotDurableError, fsyncDir, writeFileAtomic, writeFilesAtomic } from './atomic-file.js';
import { DefinitionFold } from './definition-fold.js';
import { DefinitionJournal, journalFiles, journalLine, readJournal } from './definition-journal.js';
import type { DefinitionFields, StoredDefinition, Tombstone } from './definition-types.js';
import { scanJsonDir } from './json-dir.js';
import { WriteOrder } from './write-order.js';

/** A journal generation this large is folded into the definition files (in the background). */
const COMPACT_AT_BYTES = 1 << 20;
/** From this many definitions a putMany is one journal append (folded later) rather than a file each. */
const BULK_FROM = 256;

/** Definition files read per turn of the event loop at start-up. */
const READ_SLICE = 500;

/** Changes remembered for changedSince() (a reader further behind rebuilds everything). */
const CHANGES_MAX = 1024;

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export interface StoreInitReport {
  cleanedTempFiles: number;
  quarantined: string[];
  /** Journal records folded into the definition files at start-up, and whether a torn tail was dropped. */
  journalRecords: number;
  journalTorn: boolean;
}

export class DefinitionStore {
  readonly dir: string;
  private readonly defs = new Map<string, StoredDefinition>();
  /** uuid → name, so that matching a host's domains against the store stays O(domains). */
  private readonly byUuid = new Map<string, string>();
  private loaded = false;
  /** Set by close(): writes are refused until init() opens the store again. */
  private closed = false;
  /** Bumped by every change of the definitions held in memory (lets readers cache derived views). */
  version = 0;
  /** The names changed by the versions after `changesStart`, one per version (bounded). */
  private changes: string[] = [];
  private changesStart = 0;
  /** Writes of one definition run in the order they were asked for. */
  private readonly order = new WriteOrder();
  /** The sequence number of the last version written. */
  private seq = 0;
  private journal: DefinitionJournal | undefined;
  private fold: DefinitionFold | undefined;

  constructor(dataDir: string, private readonly opts: { compactAtBytes?: number } = {}) {
    this.dir = join(dataDir, 'definitions');
  }

  /** Load every definition; remove leftover temp files; set aside unreadable ones. */
  async init(): Promise<StoreInitReport> {
    await this.close();
    this.closed = false;
    this.seq = 0;
    this.defs.clear();
    this.byUuid.clear();
    this.bump(undefined);
    // Read synchronously, a slice at a time: one small file costs ~15 µs this way against ~80 µs
    // through fs/promises (open, fstat, read and close each a round trip to the thread pool),
    // which is most of a restart with 10,000 systems. Applied in directory order.
    const scan = await scanJsonDir(this.dir, (path, name) => {
      const def = this.readOne(path, name);
      if (def) this.setDef(def);
      return def !== undefined;
    }, { slice: READ_SLICE });
    const report: StoreInitReport = { ...scan, journalRecords: 0, journalTorn: false };
    for (const d of this.defs.values()) this.seq = Math.max(this.seq, d.seq ?? 0);
    await this.replayJournal(report);
    this.loaded = true;
    return report;
  }

  /**
   * Apply every intact journal record newer than what the files hold of its name (a version, or a
   * tombstone that removes it). The generations read are then folded into the files: at once when
   * few definitions changed, in the background otherwise (a host adopted whole: start-up does not
   * wait for thousands of files).
   */
  private async replayJournal(report: StoreInitReport): Promise<void> {
    const files = journalFiles(this.dir);
    const touched = new Set<string>();
    for (const f of files) {
      const { records, torn } = readJournal(f.path);
      report.journalTorn ||= torn;
      for (const r of records) {
        const rec = r as Partial<StoredDefinition> & Partial<Tombstone>;
        const name = typeof rec?.removed === 'string' ? rec.removed : rec?.config?.name;
        if (rec?.version !== 1 || typeof name !== 'string' || !FILE_NAME.test(name) || typeof rec.seq !== 'number') continue;
        if (rec.removed === undefined && typeof rec.config?.uuid !== 'string') continue;
        report.journalRecords++;
        this.seq = Math.max(this.seq, rec.seq);
        const cur = this.defs.get(name);
        if (cur && (cur.seq ?? 0) >= rec.seq) continue;
        if (rec.removed !== undefined) {
          if (cur) this.forget(name);
        } else {
          this.setDef(rec as StoredDefinition);
        }
        touched.add(name);
      }
    }
    this.journal = new DefinitionJournal(this.dir, (files.at(-1)?.generation ?? 0) + 1);
    this.fold = new DefinitionFold({
      dir: this.dir, journal: this.journal, order: this.order,
      current: (name) => this.defs.get(name), pathOf: (name) => this.pathOf(name), fileText,
    }, files.map((f, i) => ({ path: f.path, names: i === files.length - 1 ? touched : new Set<string>() })));
    if (files.length === 0) return;
    if (touched.size >= BULK_FROM) this.fold.soon();
    // A fold that fails here (a full disk) does not keep the server from starting: everything is
    // in memory and in the journal, which is folded later or replayed at the next start.
    else await this.fold.now().catch(() => this.fold!.soon());
  }

  /**
   * Stops folding (what is left is folded at the next start) and waits for the writes asked for
   * before it (a change whose xl call ran is recorded before the server lets its directory go).
   */
  async close(): Promise<void> {
    await this.fold?.stop();
    await this.order.settled();
    await this.journal?.close();
    this.closed = true;
  }

  /** The journal, while the store is open (a write asked for after close() must not reopen it). */
  private openJournal(): DefinitionJournal {
    if (this.closed || !this.journal) throw new VirtError('failed', 'the definition store is closed (the server is stopping)');
    return this.journal;
  }

  /** Fold soon once the journal has grown past its threshold. */
  private foldIfLarge(): void {
    if (this.openJournal().bytes >= (this.opts.compactAtBytes ?? COMPACT_AT_BYTES)) this.fold!.soon();
  }

  private readOne(path: string, name: string): StoredDefinition | undefined {
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as StoredDefinition;
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
    this.defs.set(def.config.name, def);
    if (prev && prev.config.uuid !== def.config.uuid) this.releaseUuid(prev.config.uuid, prev.config.name);
    this.byUuid.set(def.config.uuid, def.config.name);
    this.bump(def.config.name);
  }

  /** `name` no longer holds `uuid`: another definition that holds it (a rename cut short) takes over. */
  private releaseUuid(uuid: string, name: string): void {
    if (this.byUuid.get(uuid) !== name) return;
    this.byUuid.delete(uuid);
    for (const d of this.defs.values()) if (d.config.uuid === uuid) this.byUuid.set(uuid, d.config.name);
  }

  /** A new version: `name`'s definition changed (undefined: all of them may have). */
  private bump(name: string | undefined): void {
    // changes[i] names what version changesStart + i + 1 changed.
    if (name === undefined || this.changes.length >= CHANGES_MAX) {
      this.changes = [];
      this.changesStart = this.version;
    }
    this.version++;
    if (name === undefined) this.changesStart = this.version;
    else this.changes.push(name);
  }

  /** The names whose definitions changed since `version` (undefined when that is no longer known). */
  changedSince(version: number): string[] | undefined {
    if (version < this.changesStart || version > this.version) return undefined;
    return this.changes.slice(version - this.changesStart);
  }

  get size(): number {
    return this.defs.size;
  }

  private versionOf(def: DefinitionFields, updatedAt = new Date().toISOString()): StoredDefinition {
    const { seq: _old, ...fields } = def as DefinitionFields & { seq?: number; version?: number; updatedAt?: string };
    return { ...fields, version: 1, updatedAt, seq: ++this.seq };
  }

  private async write(def: DefinitionFields): Promise<StoredDefinition> {
    const full = this.versionOf(def);
    try {
      await writeFileAtomic(this.pathOf(full.config.name), fileText(full));
    } catch (err) {
      // Replaced but not synced: memory holds what the file holds, and the caller hears of it.
      if (err instanceof NotDurableError) this.setDef(full);
      throw err;
    }
    this.setDef(full);
    return full;
  }

  /** A new version of an existing definition, through the journal. */
  private async writeJournaled(def: DefinitionFields): Promise<StoredDefinition> {
    const full = this.versionOf(def);
    await this.openJournal().append(full.config.name, journalLine(full));
    this.setDef(full);
    this.foldIfLarge();
    return full;
  }

  /** Fold the journal into the definition files now (one fold at a time; asked during one, another follows it). */
  compact(): Promise<void> {
    return this.fold!.now();
  }

  /** Write (create or replace) a definition; memory is updated only once the file is safe. */
  async put(def: DefinitionFields): Promise<StoredDefinition> {
    this.ensureLoaded();
    this.pathOf(def.config.name);
    return this.order.after([def.config.name], () => this.write(def));
  }

  /**
   * Write many definitions at once (start-up adoption and reconcile), as crash-safe as put(): a
   * few as files, their fsyncs overlapped and one directory fsync for all; from BULK_FROM on as
   * one journal append, folded into the files in the background. Runs after the writes of these
   * names already asked for; memory is updated once all of them are safe.
   */
  async putMany(defs: readonly DefinitionFields[]): Promise<StoredDefinition[]> {
    this.ensureLoaded();
    if (defs.length === 0) return [];
    const names = defs.map((d) => d.config.name);
    if (new Set(names).size !== names.length) throw new VirtError('failed', 'putMany: a name is given twice');
    const paths = names.map((n) => this.pathOf(n));
    return this.order.after(names, async () => {
      const updatedAt = new Date().toISOString();
      const full = defs.map((d) => this.versionOf(d, updatedAt));
      if (full.length >= BULK_FROM) {
        // A whole host adopted: one journal append instead of thousands of files on the way to
        // serving (they are written by the fold, in the background, a step at a time).
        const journal = this.openJournal();
        await Promise.all(full.map((d) => journal.append(d.config.name, journalLine(d))));
        this.fold!.soon();
      } else {
        try {
          await writeFilesAtomic(this.dir, full.map((d, i) => ({ path: paths[i]!, data: fileText(d) })));
        } catch (err) {
          // Those replaced before the failure: memory holds what their files hold.
          if (err instanceof NotDurableError) for (const d of full) if (err.paths.includes(this.pathOf(d.config.name))) this.setDef(d);
          throw err;
        }
      }
      for (const d of full) this.setDef(d);
      return full;
    });
  }

  /**
   * Change the latest version of a definition (after any write of it under way); not_found if there
   * is none. `change` gets a shallow copy and returns the new fields: values below the top level
   * are shared with the stored version readers hold, so it builds new ones and never mutates them
   * (a deep copy per change cost more than the rest of a pause's bookkeeping).
   */
  async update(name: string, change: (d: StoredDefinition) => DefinitionFields): Promise<StoredDefinition> {
    this.ensureLoaded();
    this.pathOf(name);
    return this.order.after([name], () => {
      const cur = this.defs.get(name);
      if (!cur) throw new VirtError('not_found', `no definition for '${name}'`);
      const next = change({ ...cur });
      if (next.config.name !== name) throw new VirtError('failed', `update of '${name}' may not rename it`);
      return this.writeJournaled(next);
    });
  }

  /** Set some fields of the latest version of a definition. */
  patch(name: string, fields: Partial<Omit<DefinitionFields, 'config'>> & { config?: VirtualSystemConfig }): Promise<StoredDefinition> {
    return this.update(name, (d) => ({ ...d, ...fields }));
  }

  /**
   * Move a definition to a new name (rename): the new file is written (atomically) first, then the
   * old one removed, so a crash in between leaves the definition stored twice with one UUID, never
   * lost; start-up reconcile keeps one of them (see duplicateGroups). Memory follows the new name
   * as soon as its file is safe, even if removing the old file fails (the error is rethrown).
   */
  async move(from: string, def: DefinitionFields): Promise<StoredDefinition> {
    this.ensureLoaded();
    if (def.config.name === from) return this.put(def);
    this.pathOf(from);
    const full = await this.put(def);
    const prev = this.defs.get(from);
    if (prev && this.byUuid.get(prev.config.uuid) === from) this.byUuid.delete(prev.config.uuid);
    this.defs.delete(from);
    this.bump(from);
    await this.remove(from);
    return full;
  }

  /** Definitions that share a UUID (two files for one system: a rename cut short), in groups. */
  duplicateGroups(): StoredDefinition[][] {
    this.ensureLoaded();
    const groups = new Map<string, StoredDefinition[]>();
    for (const d of this.defs.values()) {
      const g = groups.get(d.config.uuid);
      if (g) g.push(d);
      else groups.set(d.config.uuid, [d]);
    }
    return [...groups.values()].filter((g) => g.length > 1);
  }

  async remove(name: string): Promise<void> {
    this.ensureLoaded();
    this.pathOf(name);
    return this.order.after([name], () => this.unlinkOne(name));
  }

  private async unlinkOne(name: string): Promise<void> {
    // The tombstone first: a record of this name in the journal must not bring it back.
    await this.openJournal().append(name, journalLine({ version: 1, removed: name, seq: ++this.seq } satisfies Tombstone));
    await unlink(this.pathOf(name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await fsyncDir(this.dir);
    this.forget(name);
    this.foldIfLarge(); // tombstones alone grow the journal too (systems defined and removed)
  }

  /** Drop `name` from memory. */
  private forget(name: string): void {
    const prev = this.defs.get(name);
    this.defs.delete(name);
    if (prev) this.releaseUuid(prev.config.uuid, name);
    this.bump(name);
  }

}

/** A definition file's text. */
function fileText(d: StoredDefinition): string {
  return JSON.stringify(d, null, 2) + '\n';
}
