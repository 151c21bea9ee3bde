/**
 * Batched atomic writes (atomic-file.ts writeFilesAtomic): every file whole under its name and no
 * temp file left, whether the batch is made durable by one syncfs (`sync -f`, large batches) or,
 * where that tool cannot run, by an fsync per file.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotDurableError, writeFilesAtomic } from '../../../src/drivers/xl/atomic-file.js';

describe('xl driver: batched atomic writes', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'atomic-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  const files = (n: number) => Array.from({ length: n }, (_, i) => ({ path: join(dir, `d${i}.json`), data: JSON.stringify({ i, pad: 'x'.repeat(i % 50) }) }));
  const check = (n: number): void => {
    const names = readdirSync(dir).sort();
    expect(names.filter((f) => f.endsWith('.tmp')), 'no temp file left').to.deep.equal([]);
    expect(names).to.have.length(n);
    for (let i = 0; i < n; i += 37) expect(JSON.parse(readFileSync(join(dir, `d${i}.json`), 'utf8')).i).to.equal(i);
  };

  it('a small batch: an fsync per file', async () => {
    await writeFilesAtomic(dir, files(20));
    check(20);
  });

  it('a large batch: one sync of the file system, every file whole', async () => {
    await writeFilesAtomic(dir, files(300));
    check(300);
  });

  it('a large batch where `sync` cannot run falls back to an fsync per file', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = join(dir, 'nowhere');
    try {
      await writeFilesAtomic(dir, files(300));
    } finally {
      process.env['PATH'] = path;
    }
    check(300);
  });
  it('a rename that fails half-way: the error names the files already replaced, and no temp file is left', async () => {
    // d1.json is a directory that is not empty: nothing can be renamed over it, not even by root.
    mkdirSync(join(dir, 'd1.json'));
    writeFileSync(join(dir, 'd1.json', 'keep'), '');
    const err = await writeFilesAtomic(dir, files(3)).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(NotDurableError);
    expect((err as NotDurableError).paths).to.deep.equal([join(dir, 'd0.json')]);
    expect(JSON.parse(readFileSync(join(dir, 'd0.json'), 'utf8')).i).to.equal(0);
    expect(readdirSync(dir).sort()).to.deep.equal(['d0.json', 'd1.json']);
  });
});
