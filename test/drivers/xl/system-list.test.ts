/**
 * The list of systems is patched, not rebuilt, when only definitions without a domain change:
 * after every kind of change it equals a list built from scratch (same systems, same order).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemList } from '../../../src/drivers/xl/view.js';
import { createTestBackend, type TestBackend } from '../../support/xl-backend.js';

describe('xl driver: the list of systems after definition changes', function () {
  this.timeout(20_000);
  let dir: string;
  let b: TestBackend;
  const spec = (name: string) => ({ name, type: 'pv' as const, memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-list-'));
    b = createTestBackend(dir, { refreshIntervalMs: 60_000 });
    await b.driver.init();
  });
  afterEach(async () => {
    await b.driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  async function expectSameAsRebuilt(): Promise<string[]> {
    const listed = await b.driver.list();
    // A fresh SystemList over the same picture builds everything from scratch.
    const core = (b.driver as unknown as { core: ConstructorParameters<typeof SystemList>[0] }).core;
    const rebuilt = new SystemList(core).of(await core.cache.get());
    expect(listed).to.deep.equal(rebuilt);
    return listed.map((s) => `${s.name}:${s.state}`);
  }

  it('define, undefine, rename and start each leave the list as a rebuild would make it', async () => {
    await b.driver.define(spec('a'));
    await b.driver.define(spec('b'));
    await b.driver.start('a');
    expect(await expectSameAsRebuilt()).to.deep.equal(['a:running', 'b:defined']);
    await b.driver.list();
    await b.driver.define(spec('c'));
    expect(await expectSameAsRebuilt()).to.deep.equal(['a:running', 'b:defined', 'c:defined']);
    await b.driver.undefine('b');
    expect(await expectSameAsRebuilt()).to.deep.equal(['a:running', 'c:defined']);
    await b.driver.define(spec('b'));
    await b.driver.setRequestedState('c', 'running');
    expect(await expectSameAsRebuilt()).to.deep.equal(['a:running', 'c:defined', 'b:defined']);
    await b.driver.rename('b', 'b2');
    await b.driver.modify('b2', { memoryMiB: 96 });
    expect(await expectSameAsRebuilt()).to.deep.equal(['a:running', 'c:defined', 'b2:defined']);
    expect((await b.driver.list()).find((s) => s.name === 'b2')!.config.memoryMiB).to.equal(96);
    await b.driver.start('c');
    expect(await expectSameAsRebuilt()).to.deep.equal(['a:running', 'c:running', 'b2:defined']);
  });
});
