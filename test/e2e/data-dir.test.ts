/**
 * The data directory at start-up: temp files a writer killed half-way left beside the stored
 * files (`.NAME.<pid>.<hex>.tmp`, as atomic-file.ts names them) are removed; nothing else is.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAppServer } from '../support/app-server.js';

describe('e2e: the data directory at start-up', function () {
  this.timeout(30_000);

  it('removes the temp files a killed write left, and keeps everything else', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-datadir-'));
    const left = path.join(dataDir, '.subscriptions.json.4242.0badf00d.tmp');
    const kept = [path.join(dataDir, 'notes.tmp'), path.join(dataDir, '.hidden.tmp')];
    writeFileSync(left, '{"half":');
    for (const k of kept) writeFileSync(k, 'mine');
    const app = await startAppServer({ dataDir });
    try {
      expect(existsSync(left)).to.equal(false);
      for (const k of kept) expect(existsSync(k), k).to.equal(true);
    } finally {
      await app.close();
    }
  });
});
