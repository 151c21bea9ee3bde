import { expect } from 'chai';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefinitionStore } from '../../../src/drivers/xl/definition-store.js';
import { killWriterAfter } from '../../support/kill-writer.js';
import { normalizeSpec } from '../../../src/virt/spec.js';
import type { VirtualSystemConfig } from '../../../src/virt/types.js';

function config(name: string, uuidEnd = '1'): VirtualSystemConfig {
  return { ...normalizeSpec({ name, type: 'pv', memoryMiB: 512, vcpus: 1 }), uuid: `6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e${uuidEnd.padStart(2, '0')}`, nics: [] };
}

describe('definition store: the journal of changes', () => {
  let dir: string;
  let defs: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-journal-'));
    defs = join(dir, 'definitions');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  const fileOf = (name: string): { expected: string; requested?: string; config: { memoryMiB: number } } =>
    JSON.parse(readFileSync(join(defs, `${name}.json`), 'utf8'));
  const journals = (): string[] => readdirSync(defs).filter((f) => f.startsWith('journal-'));

  it('a closed store refuses writes instead of opening a new journal, and init() opens it again', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('r1'), origin: 'defined', expected: 'stopped' });
    await s.patch('r1', { requested: 'running' });
    await s.close();
    const before = journals();
    const err = await s.patch('r1', { expected: 'running' }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/closed/);
    expect(journals()).to.deep.equal(before);
    expect(s.get('r1')).to.deep.include({ requested: 'running' });
    await s.init();
    await s.patch('r1', { expected: 'running' });
    expect(s.get('r1')).to.deep.include({ expected: 'running' });
    await s.close();
  });

  it('systems only defined and removed still fold the journal once it is large: tombstones count', async () => {
    const s = new DefinitionStore(dir, { compactAtBytes: 2048 });
    await s.init();
    for (let i = 0; i < 40; i++) {
      await s.put({ config: config(`t${i}`, String(i)), origin: 'defined', expected: 'stopped' });
      await s.remove(`t${i}`);
    }
    // The fold runs a second after the threshold is passed; the tombstones' generation then goes.
    const t0 = Date.now();
    while (journals().length > 0 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 100));
    expect(journals()).to.deep.equal([]);
    expect(readdirSync(defs).filter((f) => f.endsWith('.json'))).to.deep.equal([]);
    await s.close();
    const again = new DefinitionStore(dir);
    await again.init();
    expect(again.size).to.equal(0);
    await again.close();
  });

  it('when two definitions share a UUID (a rename cut short) and one is given another, the UUID finds the other', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('a', '7'), origin: 'defined', expected: 'stopped' });
    await s.put({ config: config('b', '7'), origin: 'defined', expected: 'stopped' });
    expect(s.findByUuid(config('a', '7').uuid)?.config.name).to.equal('b');
    await s.put({ config: config('b', '8'), origin: 'defined', expected: 'stopped' });
    expect(s.findByUuid(config('a', '7').uuid)?.config.name).to.equal('a');
    expect(s.findByUuid(config('b', '8').uuid)?.config.name).to.equal('b');
    await s.close();
  });

  it('a batch whose writing fails half-way: memory holds what the files hold, before and after a restart', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    mkdirSync(join(defs, 'p1.json'));
    writeFileSync(join(defs, 'p1.json', 'keep'), '');
    const batch = ['p0', 'p1', 'p2'].map((n, i) => ({ config: config(n, String(20 + i)), origin: 'defined' as const, expected: 'stopped' as const }));
    const err = await s.putMany(batch).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/replaced, not made durable/);
    expect([s.get('p0')?.config.name, s.get('p1'), s.get('p2')]).to.deep.equal(['p0', undefined, undefined]);
    await s.close();
    rmSync(join(defs, 'p1.json'), { recursive: true });
    const again = new DefinitionStore(dir);
    await again.init();
    expect([again.get('p0')?.config.name, again.get('p1'), again.get('p2')]).to.deep.equal(['p0', undefined, undefined]);
    await again.close();
  });

  it('changes go to the journal, not the files; a restart replays them and folds them into the files', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('r1'), origin: 'defined', expected: 'stopped' });
    await Promise.all([s.patch('r1', { requested: 'running' }), s.patch('r1', { expected: 'running', lastState: 'running' })]);
    expect(s.get('r1')).to.deep.include({ requested: 'running', expected: 'running', lastState: 'running' });
    // The file still holds the version put wrote; the two changes are in one journal generation.
    expect(fileOf('r1').expected).to.equal('stopped');
    expect(journals()).to.deep.equal(['journal-1.log']);
    // No close(): as after a kill.
    const again = new DefinitionStore(dir);
    const report = await again.init();
    expect(report).to.deep.include({ journalRecords: 2, journalTorn: false });
    expect(again.get('r1')).to.deep.include({ requested: 'running', expected: 'running', lastState: 'running' });
    expect(fileOf('r1')).to.deep.include({ requested: 'running', expected: 'running' });
    expect(journals()).to.deep.equal([]);
    // The next change starts a new generation.
    await again.patch('r1', { expected: 'paused' });
    expect(journals()).to.deep.equal(['journal-2.log']);
    await again.close();
    await s.close();
  });

  it('close() waits for the writes asked for before it: they are there at the next start', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('r1'), origin: 'defined', expected: 'stopped' });
    await s.put({ config: config('r2'), origin: 'defined', expected: 'stopped' });
    const asked = [s.patch('r1', { expected: 'running' }), s.patch('r1', { requested: 'running' }), s.remove('r2')];
    await s.close();
    const again = new DefinitionStore(dir);
    await again.init();
    expect(again.get('r1')).to.deep.include({ expected: 'running', requested: 'running' });
    expect(again.get('r2')).to.equal(undefined);
    await Promise.all(asked);
    await again.close();
  });

  it('a torn tail is dropped at start-up; the records before it are kept', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('r1'), origin: 'defined', expected: 'stopped' });
    await s.patch('r1', { expected: 'running' });
    await s.close();
    appendFileSync(join(defs, 'journal-1.log'), '0123456789abcdef {"version":1,"config":{"na');
    const again = new DefinitionStore(dir);
    const report = await again.init();
    expect(report).to.deep.include({ journalRecords: 1, journalTorn: true });
    expect(again.get('r1')!.expected).to.equal('running');
    // A record whose checksum does not match ends the generation as well.
    await again.patch('r1', { expected: 'paused' });
    await again.close();
    const path = join(defs, journals()[0]!);
    const text = readFileSync(path, 'utf8');
    rmSync(path);
    appendFileSync(path, text.replace('"paused"', '"stopped"'));
    const third = new DefinitionStore(dir);
    expect(await third.init()).to.deep.include({ journalRecords: 0, journalTorn: true });
    expect(third.get('r1')!.expected).to.equal('running');
    await third.close();
  });

  it('a record never brings back a removed definition, nor overrides a newer file or another system of the same name', async () => {
    const s = new DefinitionStore(dir);
    await s.init();
    await s.put({ config: config('gone'), origin: 'defined', expected: 'stopped' });
    await s.put({ config: config('kept'), origin: 'defined', expected: 'stopped' });
    await s.put({ config: config('same', '2'), origin: 'defined', expected: 'stopped' });
    await s.patch('gone', { expected: 'running' });
    await s.patch('kept', { expected: 'running' });
    await s.patch('same', { expected: 'running' });
    await s.remove('gone');
    // Replaced by a put after its change: the file is newer than the record.
    await s.put({ ...s.get('kept')!, expected: 'paused' });
    // Another system under the same name (undefined, then defined again).
    await s.remove('same');
    await s.put({ config: config('same', '3'), origin: 'defined', expected: 'stopped' });
    const again = new DefinitionStore(dir);
    await again.init();
    expect(again.get('gone')).to.equal(undefined);
    expect(again.get('kept')!.expected).to.equal('paused');
    expect(again.get('same')).to.deep.include({ expected: 'stopped' });
    expect(again.get('same')!.config.uuid).to.match(/03$/);
    await Promise.all([s.close(), again.close()]);
  });

  it('a large generation is folded into the files while changes go on, none lost', async function () {
    this.timeout(20_000);
    const s = new DefinitionStore(dir);
    await s.init();
    const names = Array.from({ length: 10 }, (_, i) => `vm${i}`);
    await s.putMany(names.map((n, i) => ({ config: config(n, String(i)), origin: 'defined' as const, expected: 'stopped' as const })));
    const padding = 'x'.repeat(50_000);
    for (let round = 1; round <= 30; round++) {
      await Promise.all(names.map((n) => s.update(n, (d) => ({ ...d, config: { ...d.config, memoryMiB: 1000 + round, boot: { cmdline: padding } } }))));
    }
    // 30 rounds × 10 records of 50 KB: several generations were folded and removed meanwhile.
    await s.compact();
    expect(journals()).to.deep.equal([]);
    for (const n of names) expect(fileOf(n).config.memoryMiB).to.equal(1030);
    await s.close();
    const again = new DefinitionStore(dir);
    expect(await again.init()).to.deep.include({ journalRecords: 0 });
    for (const n of names) expect(again.get(n)!.config.memoryMiB).to.equal(1030);
    await again.close();
  });

  /** Kill the writer (fixtures/store-journal-writer) `rounds` times at varied moments; every acknowledged round must survive. */
  async function killRounds(names: string[], rounds: number, mode: string[]): Promise<number> {
    const child = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'store-journal-writer.js');
    let replayed = 0;
    for (let round = 0; round < rounds; round++) {
      // Every round the writer printed was acknowledged (on disk) before it printed it.
      const acked = Math.max(0, ...(await killWriterAfter(child, [dir, ...mode], 30 + round * 41)).map(Number));
      const reopened = new DefinitionStore(dir);
      const report = await reopened.init();
      replayed += report.journalRecords;
      expect(report.quarantined).to.deep.equal([]);
      expect(reopened.size).to.equal(names.length);
      for (const n of names) expect(reopened.get(n)!.config.memoryMiB - 1000, n).to.be.at.least(acked);
      // Folded into the files after the last kill; before it, what a kill left stays in the
      // journal for the next writer's start (several generations replayed at once).
      if (round === rounds - 1) {
        await reopened.compact();
        for (const n of names) expect(fileOf(n).config.memoryMiB - 1000, n).to.be.at.least(acked);
        expect(journals()).to.deep.equal([]);
      }
      await reopened.close();
    }
    return replayed;
  }

  it('a writer killed at any moment (kill -9) loses no acknowledged change and leaves every definition whole', async function () {
    this.timeout(30_000);
    const s = new DefinitionStore(dir);
    await s.init();
    const names = Array.from({ length: 20 }, (_, i) => `vm${i}`);
    await s.putMany(names.map((n, i) => ({ config: config(n, String(i)), origin: 'defined' as const, expected: 'stopped' as const })));
    await s.close();
    expect(await killRounds(names, 5, [])).to.be.greaterThan(0);
  });

  it('a whole host adopted at once is one journal append, folded into the files in the background; killed at any moment, nothing acknowledged is lost', async function () {
    this.timeout(30_000);
    const s = new DefinitionStore(dir);
    await s.init();
    const names = Array.from({ length: 300 }, (_, i) => `vm${i}`);
    const uuid = (i: number): string => `6b1e6e1a-8a55-4a1f-9d0e-${String(i).padStart(12, '0')}`;
    await s.putMany(names.map((n, i) => ({ config: { ...config(n), uuid: uuid(i) }, origin: 'adopted' as const, expected: 'running' as const })));
    // The fold the putMany started (in the background) writes their files; this waits for it.
    await s.compact();
    expect(readdirSync(defs).filter((f) => f.endsWith('.json'))).to.have.length(300);
    expect(journals()).to.deep.equal([]);
    // A removal leaves a tombstone: the bulk records of its name, replayed, do not bring it back.
    await s.putMany(s.list().map((d) => ({ ...d, expected: 'paused' as const })));
    await s.remove('vm7');
    await s.close();
    const again = new DefinitionStore(dir);
    await again.init();
    expect(again.get('vm7')).to.equal(undefined);
    expect(again.get('vm8')!.expected).to.equal('paused');
    await again.compact();
    await again.close();
    expect(await killRounds(names.filter((n) => n !== 'vm7'), 4, ['bulk'])).to.be.greaterThan(0);
  });

});
