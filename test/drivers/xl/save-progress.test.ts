/**
 * A snapshot's memory image is followed by its size while xl writes it (checkpoint.ts
 * watchBytes): the job's PercentComplete moves with the bytes written, capped below 100 until
 * the write has ended. The simulator writes its image at once; a real `xl save -c` writes the
 * guest's memory over seconds, as this test's writer does.
 */
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchBytes } from '../../../src/drivers/xl/checkpoint.js';

describe('xl driver: progress from the bytes of a memory image being written', () => {
  it('reports the fraction written as the file grows, then 1 once the write has ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'save-progress-'));
    try {
      const file = join(dir, 'state.img');
      const seen: number[] = [];
      await watchBytes(file, 4000, (f) => seen.push(f), async () => {
        writeFileSync(file, '');
        for (let i = 0; i < 4; i++) {
          appendFileSync(file, 'x'.repeat(1000));
          await new Promise((r) => setTimeout(r, 150));
        }
      });
      const during = seen.slice(0, -1);
      expect(during.length).to.be.greaterThan(1);
      expect(during.every((f, i) => f < 1 && (i === 0 || f >= during[i - 1]!))).to.equal(true);
      expect(during.some((f) => f > 0 && f < 0.99)).to.equal(true);
      expect(seen.at(-1)).to.equal(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
