/**
 * The progress of a running `xl restore`, read from outside xl: the file position of its
 * descriptor on the image (/proc/<pid>/fdinfo) over the image's size (image-progress.ts). The same
 * follower works against bin/xl-sim as a process and against the simulator in this process (whose
 * runner names this process); the simulator reads its image over modelled time (image-io.ts),
 * slowed here to about a second.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { join } from 'node:path';
import { whileReading } from '../../../src/drivers/xl/image-progress.js';
import { XlRunner, type XlExecutor } from '../../../src/drivers/xl/runner.js';
import { InProcessXl } from '../../support/in-process-xl.js';
import { cleanupTempDirs, newHost, tempDir, xl, XL_SIM } from '../../sim/helpers.js';

describe('xl driver: progress of a restore from the bytes xl has read', function () {
  this.timeout(30_000);
  after(() => cleanupTempDirs());

  for (const mode of ['in-process', 'process'] as const) {
    it(`follows the file position of xl's descriptor on the image (${mode})`, async () => {
      // web01 has 2 GiB: saved in ~30 ms, read back in about a second.
      const st = newHost({ save_mib_per_sec: 65536, restore_mib_per_sec: 2048 });
      expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
      const image = join(tempDir(), 'web01.save');
      expect((await xl(['save', 'web01', image], { state: st })).code).to.equal(0);
      const exec: XlExecutor = mode === 'process'
        ? new XlRunner({ xlPath: XL_SIM, env: { XL_SIM_STATE: st } })
        : new InProcessXl({ stateDir: st });
      const seen: number[] = [];
      await whileReading(image, (f) => seen.push(f), (onSpawn) => exec.run(['restore', image], onSpawn ? { onSpawn } : {}));
      const during = seen.slice(0, -1);
      expect(during.length, `seen ${seen.join(' ')}`).to.be.greaterThan(3);
      expect(during.every((f, i) => f > 0 && f < 1 && (i === 0 || f > during[i - 1]!))).to.equal(true);
      expect(during.some((f) => f > 0.2 && f < 0.8)).to.equal(true);
      expect(seen.at(-1)).to.equal(1);
      expect((await xl(['list', 'web01'], { state: st })).code).to.equal(0);
    });
  }

  it('finds the descriptor in a child of the process it was given (xl behind a wrapper)', async () => {
    const st = newHost({ save_mib_per_sec: 65536, restore_mib_per_sec: 2048 });
    expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
    const image = join(tempDir(), 'web01.save');
    expect((await xl(['save', 'web01', image], { state: st })).code).to.equal(0);
    const seen: number[] = [];
    // coreutils timeout(1) runs its command as a child and waits for it.
    const r = await whileReading(image, (f) => seen.push(f), async (onSpawn) => {
      const sub = execa('timeout', ['30', XL_SIM, 'restore', image], { env: { XL_SIM_STATE: st }, reject: false });
      onSpawn?.(sub.pid!);
      return sub;
    });
    expect(r.exitCode, r.stderr?.toString()).to.equal(0);
    expect(seen.filter((f) => f > 0 && f < 1).length, seen.join(' ')).to.be.greaterThan(3);
    expect(seen.at(-1)).to.equal(1);
  });

  it('reports nothing when xl fails before it opens the image; the failure is xl\'s own', async () => {
    const st = newHost();
    const seen: number[] = [];
    const exec = new InProcessXl({ stateDir: st });
    const image = join(tempDir(), 'none.save');
    const err = await whileReading(image, (f) => seen.push(f), (onSpawn) => exec.run(['restore', image], onSpawn ? { onSpawn } : {})).catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.match(/restore/);
    expect(seen).to.deep.equal([]);
  });
});
