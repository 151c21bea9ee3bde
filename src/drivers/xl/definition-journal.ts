/**
 * The definition store's journal: its records (a changed definition, a host's worth adopted at
 * once, a removal's tombstone: definition-store.ts) appended to `journal-<generation>.log` and
 * made durable together. Every append asked for while one fdatasync runs goes into the next one,
 * so a whole network's members recording their states at once cost a few fdatasyncs instead of
 * two fsync'd files (and a directory fsync) each. The per-system files stay the base;
 * definition-fold.ts folds the journal into them.
 *
 * One record per line: `<checksum> <record as one-line JSON>\n`. A crash can only tear the
 * tail of a generation (batches are written one after another, each acknowledged after its
 * fdatasync), so reading stops at the first line that does not check out: what follows it was
 * never acknowledged.
 */
import { createHash } from 'node:crypto';
import { close, fdatasync, ftruncate, open, readFileSync, readdirSync, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fsyncDir } from './atomic-file.js';

const FILE = /^journal-(\d+)\.log$/;

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/** A journal line for one record (JSON.stringify never puts a raw newline in its output). */
export function journalLine(record: unknown): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

/** The generations present in `dir`, oldest first. */
export function journalFiles(dir: string): { generation: number; path: string }[] {
  const out: { generation: number; path: string }[] = [];
  for (const entry of readdirSync(dir)) {
    const m = FILE.exec(entry);
    if (m) out.push({ generation: Number(m[1]), path: join(dir, entry) });
  }
  return out.sort((a, b) => a.generation - b.generation);
}

/** The intact records of one generation, in order; `torn`: a tail was dropped. */
export function readJournal(path: string): { records: unknown[]; torn: boolean } {
  const text = readFileSync(path, 'utf8');
  const records: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    if (end < 0) return { records, torn: true };
    const line = text.slice(at, end);
    const space = line.indexOf(' ');
    const json = line.slice(space + 1);
    if (space !== 16 || checksum(json) !== line.slice(0, 16)) return { records, torn: true };
    try {
      records.push(JSON.parse(json));
    } catch {
      return { records, torn: true };
    }
    at = end + 1;
  }
  return { records, torn: false };
}

// A plain descriptor rather than a FileHandle: a store its owner never closed (a test's) is not
// reported at garbage collection; the driver's close() closes it.
const openFd = promisify(open);
const writeFd = promisify(write) as (fd: number, buf: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;
const datasyncFd = promisify(fdatasync);
const truncateFd = promisify(ftruncate);
const closeFd = promisify(close);

interface Pending { name: string; line: string; resolve(): void; reject(e: unknown): void }

/** A generation no longer appended to: its file and the definitions it holds records of. */
export interface EndedGeneration { path: string; names: Set<string> }

export class DefinitionJournal {
  private fd: number | undefined;
  private path = '';
  /** Bytes acknowledged in the current generation. */
  bytes = 0;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private rotation: { resolve(ended: EndedGeneration[]): void } | undefined;
  /** The definitions with a record in the current generation. */
  private names = new Set<string>();
  /** Generations ended by a failed write, not yet handed to a rotation. */
  private failed: EndedGeneration[] = [];

  /** `generation`: the number of the next file (after every one found at start-up). */
  constructor(private readonly dir: string, private generation: number) {}

  /** `name`'s record, durable once the promise resolves; appends asked for meanwhile share the next fdatasync. */
  append(name: string, line: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ name, line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /**
   * End the current generation: appends from now on go to a new file. Resolves, once no write to
   * it is under way, with the generations ended since the last rotation (this one, when it had a
   * file, after any a failed write ended). One rotation at a time.
   */
  rotate(): Promise<EndedGeneration[]> {
    return new Promise((resolve, reject) => {
      if (this.rotation) {
        reject(new Error('a rotation of the definition journal is already under way'));
        return;
      }
      this.rotation = { resolve };
      this.flushing ??= this.flush();
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.closeFile();
  }

  private async flush(): Promise<void> {
    try {
      // Changes asked for together (a network's members) reach here one after another as their
      // promise chains advance: the first fdatasync waits for the rest of this turn to join it
      // rather than going alone and making them wait for a second one.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0 || this.rotation) {
        if (this.rotation) {
          const r = this.rotation;
          this.rotation = undefined;
          const ended = this.endGeneration();
          await this.closeFile();
          r.resolve(ended);
          continue;
        }
        const batch = this.queue.splice(0);
        try {
          if (this.fd === undefined) await this.openNext();
          const buf = Buffer.from(batch.map((p) => p.line).join(''));
          // write(2) may take less than asked (a full disk): the rest follows, or the batch fails.
          for (let at = 0; at < buf.length;) {
            const n = (await writeFd(this.fd!, buf, at, buf.length - at)).bytesWritten;
            if (n <= 0) throw new Error(`the definition journal ${this.path} took no bytes`);
            at += n;
          }
          await datasyncFd(this.fd!);
          this.bytes += buf.length;
          for (const p of batch) {
            this.names.add(p.name);
            p.resolve();
          }
        } catch (err) {
          // What reached the file of a failed batch must not stay in front of later records: it is
          // cut off when it can be, and later records go to a new generation in any case (after a
          // failed fdatasync the file's pages cannot be trusted). The ended one is folded as usual.
          if (this.fd !== undefined) {
            // The cut is synced too: a rejected record must not come back at the next start. If
            // the disk refuses even that, it may (a disk failing under us: nothing better to do).
            await truncateFd(this.fd, this.bytes).then(() => datasyncFd(this.fd!)).catch(() => {});
            this.failed.push(...this.endGeneration());
            await this.closeFile();
          }
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async openNext(): Promise<void> {
    this.path = join(this.dir, `journal-${this.generation++}.log`);
    this.fd = await openFd(this.path, 'a', 0o600);
    this.bytes = 0;
    // The new file's name must be durable before any record in it is acknowledged.
    await fsyncDir(this.dir);
  }

  /** The generations to hand to a rotation: those failures ended, then the current one (if it has a file). */
  private endGeneration(): EndedGeneration[] {
    const out = this.failed;
    this.failed = [];
    if (this.fd !== undefined) out.push({ path: this.path, names: this.names });
    this.names = new Set();
    return out;
  }

  private async closeFile(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await closeFd(fd).catch(() => {});
  }
}
