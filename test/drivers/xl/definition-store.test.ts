import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefinitionStore } from '../../../src/drivers/xl/definition-store.js';
import { killWriterAfter } from '../../support/kill-writer.js';
import { normalizeSpec } from '../../../src/virt/spec.js';
import type { VirtualSystemConfig } from '../../../src/virt/types.js';

function config(name: string, memoryMiB = 512): VirtualSystemConfig {
  return { ...normalizeSpec({ name, type: 'pv', memoryMiB, vcpus: 1 }), uuid: '6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e1' + name.length % 10, nics: [] };
}

describe('definition store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('writes one JSON file per system and reads it back after a restart', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('web01'), origin: 'defined', expected: 'stopped' });
    await s.put({ config: config('web02'), origin: 'adopted', expected: 'running' });
    expect(readdirSync(join(dir, 'definitions')).sort()).to.deep.equal(['web01.json', 'web02.json']);
    const again = new DefinitionStore(dir);
    await again.init();
    expect(again.list().map((d) => d.config.name).sort()).to.deep.equal(['web01', 'web02']);
    expect(again.get('web02')!.origin).to.equal('adopted');
    await again.remove('web01');
    // (its tombstone is in the journal beside them: definition-journal.test.ts)
    expect(readdirSync(join(dir, 'definitions')).filter((f) => f.endsWith('.json'))).to.deep.equal(['web02.json']);
  });

  it('cleans leftover temp files and sets corrupt files aside at start-up', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('good'), origin: 'defined', expected: 'stopped' });
    const defs = join(dir, 'definitions');
    writeFileSync(join(defs, '.good.json.999.abcd.tmp'), '{"version":1,"conf');
    writeFileSync(join(defs, 'torn.json'), '{"version":1,"config":{"na');
    const again = new DefinitionStore(dir);
    const report = await again.init();
    expect(report.cleanedTempFiles).to.equal(1);
    expect(report.quarantined).to.deep.equal(['torn']);
    expect(again.list().map((d) => d.config.name)).to.deep.equal(['good']);
    expect(readdirSync(defs).filter((f) => f.startsWith('torn.json.corrupt-'))).to.have.length(1);
  });

  it('refuses names that are not safe file names', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    const bad = { ...config('x'), name: '../escape' };
    const err = await s.put({ config: bad, origin: 'defined', expected: 'stopped' }).catch((e: unknown) => e);
    expect(err).to.have.property('kind', 'invalid_argument');
  });

  it('a writer killed mid-write leaves the old or the new definition, never a torn one', async function () {
    this.timeout(20_000);
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('victim'), origin: 'defined', expected: 'stopped' });
    const child = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'store-writer.js');
    for (let round = 0; round < 5; round++) {
      await killWriterAfter(child, [dir], 20 + round * 17);
      // The file on disk must always parse and be a whole definition.
      const raw = readFileSync(join(dir, 'definitions', 'victim.json'), 'utf8');
      const parsed = JSON.parse(raw);
      expect(parsed.config.name).to.equal('victim');
      const reopened = new DefinitionStore(dir);
      const report = await reopened.init();
      expect(report.quarantined).to.deep.equal([]);
      expect(reopened.get('victim')!.config.memoryMiB).to.be.within(512, 1999);
      expect(readdirSync(join(dir, 'definitions')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    }
  });

  it('a batch writer killed mid-batch leaves every definition whole (old or new), none lost', async function () {
    this.timeout(20_000);
    const s = new DefinitionStore(dir);
    await s.init();
    const names = Array.from({ length: 50 }, (_, i) => `vm${i}`);
    await s.putMany(names.map((n) => ({ config: config(n), origin: 'defined' as const, expected: 'stopped' as const })));
    const child = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'store-batch-writer.js');
    for (let round = 0; round < 4; round++) {
      await killWriterAfter(child, [dir], 15 + round * 23);
      const reopened = new DefinitionStore(dir);
      const report = await reopened.init();
      expect(report.quarantined).to.deep.equal([]);
      expect(reopened.list().map((d) => d.config.name).sort()).to.deep.equal([...names].sort());
      for (const n of names) expect(reopened.get(n)!.config.memoryMiB).to.be.within(512, 1999);
      expect(readdirSync(join(dir, 'definitions')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    }
  });

  it('putMany writes after the writes of the same names asked before it, and refuses a name twice', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    const first = s.put({ config: config('a', 600), origin: 'defined', expected: 'stopped' });
    const batch = s.putMany([{ config: config('a', 700), origin: 'defined', expected: 'stopped' }, { config: config('bb', 800), origin: 'defined', expected: 'stopped' }]);
    await Promise.all([first, batch]);
    expect(s.get('a')!.config.memoryMiB).to.equal(700);
    const again = new DefinitionStore(dir);
    await again.init();
    expect(again.get('a')!.config.memoryMiB).to.equal(700);
    expect(again.get('bb')!.config.memoryMiB).to.equal(800);
    let err: unknown;
    await s.putMany([{ config: config('c'), origin: 'defined', expected: 'stopped' }, { config: config('c'), origin: 'defined', expected: 'stopped' }]).catch((e) => { err = e; });
    expect(String(err)).to.match(/twice/);
    expect(s.get('c')).to.equal(undefined);
  });
});
