/** The subscriptions file in the data directory: a damaged one is copied aside before it is written over. */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Principal } from '../../../src/operations/provider.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { startAppServer } from '../../support/app-server.js';
import { inst, req } from '../fixture.js';

const admin: Principal = { name: 'root', role: 'admin' };

describe('DSP1054 indications: a damaged subscriptions file', function () {
  this.timeout(30_000);

  it('is copied aside (logged) before the first change writes over it, for an operator to repair', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-subs-'));
    // e.g. edited by hand: one brace short, every record in it unreadable
    const damaged = '{"filters": [{"keys": {"CreationClassName": "CIM_IndicationFilter", "Name": "by-hand"}, "query": "SELECT * FROM CIM_InstCreation"';
    writeFileSync(path.join(dataDir, 'subscriptions.json'), damaged);
    const app = await startAppServer({ dataDir, keepData: false });
    try {
      await app.server.operations.intrinsic(req('CreateInstance', {
        NewInstance: inst('CIM_IndicationFilter', { Name: 'new', Query: 'SELECT * FROM CIM_InstCreation', QueryLanguage: 'WQL' }),
      }, INTEROP_NS), admin);
      const copies = readdirSync(dataDir).filter((f) => /^subscriptions\.json\.corrupt-\d+$/.test(f));
      expect(copies).to.have.length(1);
      expect(readFileSync(path.join(dataDir, copies[0]!), 'utf8')).to.equal(damaged);
      expect(JSON.parse(readFileSync(path.join(dataDir, 'subscriptions.json'), 'utf8')).filters.map((f: { keys: { Name: string } }) => f.keys.Name)).to.deep.equal(['new']);
      expect(app.log.join('\n')).to.match(/subscriptions file copied aside as .*subscriptions\.json\.corrupt-\d+/);
    } finally {
      await app.close();
    }
  });
});
