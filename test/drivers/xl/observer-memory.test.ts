/** The observer's records of systems (by uuid) do not outlive the systems: a long run that deletes systems does not grow. */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnapshotObserver } from '../../../src/drivers/xl/observe.js';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { createTestBackend, simStateDir, xlBehindTheBack } from '../../support/xl-backend.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How many uuids each of the observer's maps holds. */
function held(driver: XlDriver): number {
  const o = (driver as unknown as { observer: SnapshotObserver }).observer as unknown as Record<string, Map<string, unknown>>;
  return o['firstSeen']!.size + o['missing']!.size + o['domids']!.size;
}

describe('xl driver: the observer forgets deleted systems', function () {
  this.timeout(20_000);
  let dir: string;
  let driver: XlDriver;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-observer-'));
    mkdirSync(simStateDir(dir), { recursive: true });
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('a system destroyed behind our back and deleted before it counts as lost leaves nothing behind', async () => {
    driver = createTestBackend(dir, { refreshIntervalMs: 20, lossConfirmMs: 60_000 }).driver;
    await driver.init();
    for (let i = 0; i < 5; i++) {
      const name = `m${i}`;
      await driver.define({ name, type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
      await driver.start(name);
      await sleep(60); // observed running
      await xlBehindTheBack(dir, 'destroy', name);
      for (let j = 0; j < 40 && (await driver.get(name)).state !== 'defined'; j++) await sleep(20);
      await sleep(60); // missed by the observer (not yet lost)
      await driver.undefine(name);
    }
    await sleep(100);
    expect(held(driver)).to.equal(0);
  });
});
