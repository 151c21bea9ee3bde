/**
 * Start-up reading of a directory of records, one `<key>.json` file each, written with
 * writeFileAtomic (definitions, networks, migration records). What a crash can leave there is
 * handled alike for every kind: the temp file of a writer that died before its rename is removed
 * (the target still holds the previous version), and a file its reader cannot take is set aside as
 * `<file>.corrupt-<ms>` for an operator to look at, so one damaged file never stops the server.
 * The directory is fsynced after either, so the cleaning itself survives a crash.
 */
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_SUFFIX, fsyncDir } from './atomic-file.js';

export interface JsonDirScan {
  /** Temp files of writes cut short, removed. */
  cleanedTempFiles: number;
  /** Keys whose file could not be taken, set aside. */
  quarantined: string[];
}

/**
 * What the reader made of one file: true taken, false unreadable (set aside), undefined not a
 * record of this directory (left alone).
 */
export type Take = (path: string, key: string) => boolean | undefined | Promise<boolean | undefined>;

export interface ScanOptions {
  /** Files offered per turn of the event loop (default: all in one turn). */
  slice?: number;
  /** Offer the files in key order rather than directory order. */
  sorted?: boolean;
}

/** Creates `dir` (mode 0700) when missing, then offers each `<key>.json` in it to `take`. */
export async function scanJsonDir(dir: string, take: Take, opts: ScanOptions = {}): Promise<JsonDirScan> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const out: JsonDirScan = { cleanedTempFiles: 0, quarantined: [] };
  const entries = await readdir(dir);
  if (opts.sorted) entries.sort();
  const slice = opts.slice ?? entries.length;
  for (let i = 0; i < entries.length; i++) {
    // Between slices the loop turns: an xl listing running meanwhile keeps its pipe drained.
    if (i > 0 && i % slice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const entry = entries[i]!;
    const path = join(dir, entry);
    if (entry.startsWith('.') && entry.endsWith(TEMP_SUFFIX)) {
      await unlink(path).catch(() => {});
      out.cleanedTempFiles++;
      continue;
    }
    if (!entry.endsWith('.json')) continue;
    const key = entry.slice(0, -'.json'.length);
    const r = take(path, key);
    // A synchronous reader costs no turn of the microtask queue per file (10,000 at start-up).
    const taken = r instanceof Promise ? await r : r;
    if (taken !== false) continue;
    await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => {});
    out.quarantined.push(key);
  }
  if (out.cleanedTempFiles || out.quarantined.length) await fsyncDir(dir);
  return out;
}
