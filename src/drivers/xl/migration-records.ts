/**
 * The two records a migration leaves in the data directory, one JSON file per system (by UUID),
 * written atomically and read back at start-up:
 * - `migrations/<uuid>.json` on the sender: a migration of ours is (or was) under way. A domain
 *   that leaves this host while its record is open has moved, it is not lost: its definition
 *   goes (reconcile.ts at start-up, observe.ts afterwards). Kept until the migration's deadline
 *   when the server died before it knew the outcome (the `xl migrate` it started may still run).
 * - `incoming/<uuid>.json` on the receiver: the sender's stored definition, handed over before
 *   the transfer, so that the domain is adopted with it (policies, requested state) rather than
 *   from its bare live configuration. Dropped once adopted, when the sender gives up, or expired.
 */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetState } from '../../virt/states.js';
import type { VirtualSystemConfig } from '../../virt/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { scanJsonDir } from './json-dir.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface OutgoingRecord {
  uuid: string;
  name: string;
  destination: string;
  startedAt: number;
  /** After this the `xl migrate` we started has been killed by its deadline, whatever happened to us. */
  expiresAt: number;
  /** A non-live migration: we pause the domain for the copy (a restart resumes it if it is still here). */
  pauses?: boolean;
}

export interface IncomingRecord {
  config: VirtualSystemConfig;
  requested?: TargetState;
  expiresAt: number;
}

/** Records by UUID, held in memory after load(). */
export class RecordDir<T extends { expiresAt: number }> {
  private readonly items = new Map<string, T>();

  constructor(readonly dir: string) {}

  /** Reads the records back (json-dir.ts: a temp file of a write cut short removed, an unreadable record set aside). */
  async load(): Promise<void> {
    await scanJsonDir(this.dir, async (path, key) => {
      if (!UUID.test(key)) return undefined;
      try {
        this.items.set(key.toLowerCase(), JSON.parse(await readFile(path, 'utf8')) as T);
        return true;
      } catch {
        return false;
      }
    });
  }

  get(uuid: string): T | undefined {
    const r = this.items.get(uuid.toLowerCase());
    return r && r.expiresAt > Date.now() ? r : undefined;
  }

  /** Every record, expired ones included (start-up decides what they mean). */
  all(): [string, T][] {
    return [...this.items.entries()];
  }

  async put(uuid: string, record: T): Promise<void> {
    if (!UUID.test(uuid)) throw new Error(`not a UUID: ${uuid}`);
    await writeFileAtomic(join(this.dir, `${uuid.toLowerCase()}.json`), JSON.stringify(record) + '\n');
    this.items.set(uuid.toLowerCase(), record);
  }

  async remove(uuid: string): Promise<void> {
    if (!this.items.delete(uuid.toLowerCase())) return;
    await unlink(join(this.dir, `${uuid.toLowerCase()}.json`)).catch(() => {});
  }
}
