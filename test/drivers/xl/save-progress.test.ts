/**
 * A snapshot's memory image is followed by its size while xl writes it (checkpoint.ts
 * watchBytes): the job's PercentComplete moves with the bytes written, capped below 100 until
 * the write has ended. A real `xl save -c` writes the guest's memory over seconds, as this test's
 * writer does, and so does the simulator (image-io.ts: the image grows to the memory's size).
 */
import { expect } from 'chai';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchBytes } from '../../../src/drivers/xl/image-progress.js';
import { cleanupTempDirs, newHost, tempDir, xl } from '../../sim/helpers.js';

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
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });

  it('follows the simulator\'s `xl save -c` as it writes the guest\'s memory; the domain keeps running', async () => {
    // web01 has 2 GiB: written in about a second.
    const st = newHost({ save_mib_per_sec: 2048 });
    try {
      expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
      const image = join(tempDir(), 'web01.save');
      const seen: number[] = [];
      const r = await watchBytes(image, 2048 * 1024 * 1024, (f) => seen.push(f), () => xl(['save', '-c', 'web01', image], { state: st }));
      expect(r.code).to.equal(0);
      const during = seen.slice(0, -1).filter((f) => f > 0);
      expect(during.length, `seen ${seen.join(' ')}`).to.be.greaterThan(3);
      expect(during.every((f, i) => f < 1 && (i === 0 || f >= during[i - 1]!))).to.equal(true);
      expect(during.some((f) => f > 0.2 && f < 0.8)).to.equal(true);
      expect(seen.at(-1)).to.equal(1);
      expect((await xl(['list', 'web01'], { state: st })).code).to.equal(0);
    } finally {
      cleanupTempDirs();
    }
  });

  it('a domain destroyed while the simulator writes its image fails the save; the partial image is left', async () => {
    const st = newHost({ save_mib_per_sec: 2048 });
    try {
      expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
      const image = join(tempDir(), 'web01.save');
      const saving = xl(['save', 'web01', image], { state: st });
      await new Promise((r) => setTimeout(r, 200));
      expect((await xl(['destroy', 'web01'], { state: st })).code).to.equal(0);
      const r = await saving;
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/Failed to save domain, resuming domain\n$/);
      expect(existsSync(image)).to.equal(true);
    } finally {
      cleanupTempDirs();
    }
  });
});
