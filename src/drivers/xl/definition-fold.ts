/**
 * Folding the definition journal into the per-system files (definition-store.ts): appends go to
 * a new generation; each definition with a record in the ended generations has its file
 * rewritten with its newest version (or removed), a step at a time, each step after the writes of
 * those definitions already asked for; then the ended generations are removed. Cut short (a
 * failure, stop()), they stay for the next fold or the next start, which replays them.
 */
import { unlink } from 'node:fs/promises';
import { fsyncDir, writeFilesAtomic } from './atomic-file.js';
import type { DefinitionJournal, EndedGeneration } from './definition-journal.js';
import type { StoredDefinition } from './definition-types.js';
import type { WriteOrder } from './write-order.js';

/** Definitions folded per step: a write of one of them waits for one step at most, not the whole fold. */
const FOLD_STEP = 200;
/** Files written at once: the rest of libuv's four threads stay free for the requests' own appends and reads. */
const FOLD_CONCURRENCY = 2;
/** How long after the need for one a background fold starts. */
const FOLD_DELAY_MS = 1000;

export interface FoldDeps {
  dir: string;
  journal: DefinitionJournal;
  order: WriteOrder;
  /** The newest version of a definition (undefined: removed). */
  current(name: string): StoredDefinition | undefined;
  pathOf(name: string): string;
  fileText(d: StoredDefinition): string;
}

export class DefinitionFold {
  /** Generations no longer appended to and not yet folded (oldest first). */
  private ended: EndedGeneration[];
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `ended`: the generations start-up read (replayed, still to fold). */
  constructor(private readonly deps: FoldDeps, ended: EndedGeneration[] = []) {
    this.ended = ended;
  }

  /**
   * A fold in the background, FOLD_DELAY_MS from now: a start-up that adopted or replayed a
   * whole host finishes (its xl listings, its reconcile) before thousands of files are written.
   */
  soon(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.now().catch(() => {}); // a failed fold leaves the journal to the next one or to start-up
    }, FOLD_DELAY_MS);
    this.timer.unref();
  }

  /** A fold now (one at a time; asked during one, another follows it). */
  now(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.fold();
      } while (this.again && !this.stopped);
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** No fold from now on; the one under way ends after its current step. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  private async fold(): Promise<void> {
    const { dir, journal, order, current, pathOf, fileText } = this.deps;
    this.ended.push(...await journal.rotate());
    if (this.ended.length === 0) return;
    const generations = [...this.ended];
    const names = [...new Set(generations.flatMap((g) => [...g.names]))];
    for (let at = 0; at < names.length; at += FOLD_STEP) {
      if (this.stopped) return;
      const step = names.slice(at, at + FOLD_STEP);
      await order.after(step, async () => {
        const defs = step.map(current).filter((d): d is StoredDefinition => d !== undefined);
        await writeFilesAtomic(dir, defs.map((d) => ({ path: pathOf(d.config.name), data: fileText(d) })), { concurrency: FOLD_CONCURRENCY });
        for (const n of step) {
          // Only a missing file is no error: a removal whose file stays must keep its tombstone.
          if (!current(n)) await unlink(pathOf(n)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
        }
      });
    }
    // The files' new names and removals are durable before the records that stood for them go.
    await fsyncDir(dir);
    for (const g of generations) await unlink(g.path).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
    await fsyncDir(dir);
    this.ended = this.ended.filter((g) => !generations.includes(g));
  }
}
