import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileNetworkStore } from '../../../src/drivers/xl/network-store.js';
import type { StoredNetwork } from '../../../src/virt/networks/types.js';
import { killWriterAfter } from '../../support/kill-writer.js';

function net(name: string): StoredNetwork {
  return {
    version: 1, name, members: [{ system: 'r1', priority: 0 }], switches: [], links: [],
    created: { switches: [], interfaces: [] },
  };
}

describe('network store (files in the data directory)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'net-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('writes one JSON file per network and reads them back; remove deletes the file', async () => {
    const s = new FileNetworkStore(dir);
    await s.load();
    await s.save(net('a'));
    await s.save({ ...net('b'), requested: 'paused' });
    expect(readdirSync(join(dir, 'networks')).sort()).to.deep.equal(['a.json', 'b.json']);
    const again = await new FileNetworkStore(dir).load();
    expect(again.networks.map((n) => [n.name, n.requested ?? null])).to.deep.equal([['a', null], ['b', 'paused']]);
    await s.remove('a');
    await s.remove('a');
    expect(readdirSync(join(dir, 'networks'))).to.deep.equal(['b.json']);
  });

  it('cleans a torn temp file and sets an unreadable network aside at start-up', async () => {
    const s = new FileNetworkStore(dir);
    await s.load();
    await s.save(net('good'));
    const d = join(dir, 'networks');
    writeFileSync(join(d, '.good.json.999.abcd.tmp'), '{"version":1,"na');
    writeFileSync(join(d, 'torn.json'), '{"version":1,"name":"to');
    const r = await new FileNetworkStore(dir).load();
    expect(r.cleanedTempFiles).to.equal(1);
    expect(r.quarantined).to.deep.equal(['torn']);
    expect(r.networks.map((n) => n.name)).to.deep.equal(['good']);
    expect(readdirSync(d).filter((f) => f.startsWith('torn.json.corrupt-'))).to.have.length(1);
  });

  it('refuses a name that is not a safe file name', async () => {
    const s = new FileNetworkStore(dir);
    await s.load();
    const err = await s.save(net('../escape')).catch((e: unknown) => e);
    expect(err).to.have.property('kind', 'invalid_argument');
  });

  it('a writer killed mid-write leaves the old or the new network, never a torn one', async function () {
    this.timeout(20_000);
    const s = new FileNetworkStore(dir);
    await s.load();
    await s.save(net('victim'));
    const child = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'network-writer.js');
    for (let round = 0; round < 4; round++) {
      await killWriterAfter(child, [dir], 15 + round * 19);
      expect(JSON.parse(readFileSync(join(dir, 'networks', 'victim.json'), 'utf8')).name).to.equal('victim');
      const r = await new FileNetworkStore(dir).load();
      expect(r.quarantined).to.deep.equal([]);
      expect(r.networks.map((n) => n.name)).to.deep.equal(['victim']);
      expect(readdirSync(join(dir, 'networks')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    }
  });
});
