import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanJsonDir } from '../../../src/drivers/xl/json-dir.js';
import { RecordDir, type OutgoingRecord } from '../../../src/drivers/xl/migration-records.js';

describe('record directories at start-up (json-dir.ts)', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'json-dir-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('removes temp files of writes cut short, sets unreadable files aside, leaves what is not a record alone', async () => {
    const dir = join(base, 'recs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.json'), '{"ok":1}');
    writeFileSync(join(dir, 'b.json'), '{"ok":');
    writeFileSync(join(dir, '.a.json.4242.0badcafe.tmp'), '{"ok":2');
    writeFileSync(join(dir, 'notes.txt'), 'kept');
    writeFileSync(join(dir, 'c.json'), '{"other":1}');
    const taken: string[] = [];
    const scan = await scanJsonDir(dir, (path, key) => {
      if (key === 'c') return undefined; // not one of ours
      try {
        JSON.parse(readFileSync(path, 'utf8'));
        taken.push(key);
        return true;
      } catch {
        return false;
      }
    }, { sorted: true });
    expect(taken).to.deep.equal(['a']);
    expect(scan.cleanedTempFiles).to.equal(1);
    expect(scan.quarantined).to.deep.equal(['b']);
    const left = readdirSync(dir).sort();
    expect(left.filter((f) => !f.startsWith('b.json.corrupt-'))).to.deep.equal(['a.json', 'c.json', 'notes.txt']);
    expect(left.filter((f) => f.startsWith('b.json.corrupt-'))).to.have.length(1);
    // A second start finds nothing to clean: the set-aside file is no record any more.
    const again = await scanJsonDir(dir, () => true);
    expect(again).to.deep.equal({ cleanedTempFiles: 0, quarantined: [] });
  });

  it('creates a missing directory private to the server, and lets the event loop turn between slices', async () => {
    const dir = join(base, 'fresh');
    expect((await scanJsonDir(dir, () => true)).quarantined).to.deep.equal([]);
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    for (let i = 0; i < 25; i++) writeFileSync(join(dir, `k${i}.json`), '{}');
    const seen = new Set<string>();
    let seenWhenOthersRan = -1;
    await scanJsonDir(dir, (_path, key) => {
      // Work queued by someone else while the first file is read runs after its slice, not after all.
      if (seen.size === 0) setImmediate(() => { seenWhenOthersRan = seen.size; });
      seen.add(key);
      return true;
    }, { slice: 5 });
    expect(seen.size).to.equal(25);
    expect(seenWhenOthersRan).to.equal(5);
  });

  it('a migration record that cannot be read is set aside, not deleted, and the others load', async () => {
    const dir = join(base, 'migrations');
    mkdirSync(dir);
    const uuid = '0b7c6e34-52a8-4bd1-9a37-1f2e3d4c5b6a';
    const rec: OutgoingRecord = { uuid, name: 'r1', destination: 'hostB', startedAt: 1, expiresAt: Date.now() + 60_000 };
    writeFileSync(join(dir, `${uuid.toUpperCase()}.json`), JSON.stringify(rec));
    writeFileSync(join(dir, 'd0f9c2aa-1111-4222-8333-944455566677.json'), '{"uuid":');
    writeFileSync(join(dir, 'not-a-uuid.json'), '{}');
    const records = new RecordDir<OutgoingRecord>(dir);
    await records.load();
    expect(records.get(uuid)).to.deep.equal(rec);
    expect(records.all()).to.have.length(1);
    const left = readdirSync(dir);
    expect(left.some((f) => f.startsWith('d0f9c2aa-1111-4222-8333-944455566677.json.corrupt-'))).to.equal(true);
    expect(left).to.include('not-a-uuid.json');
  });
});
