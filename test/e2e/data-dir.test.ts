/**
 * The data directory at start-up: temp files a writer killed half-way left beside the stored
 * files (`.NAME.<pid>.<hex>.tmp`, as atomic-file.ts names them) are removed; nothing else is.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chmodSync } from 'node:fs';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { resolveUsersFile } from '../../src/app.js';
import { addUser } from '../../src/http/users.js';
import type { Logger } from '../../src/operations/provider.js';
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

  it('warns when the users file can be read by other users of the host', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-users-'));
    const usersFile = path.join(dataDir, 'users.json');
    await addUser(usersFile, 'admin', 'secret', 'admin');
    const warned: string[] = [];
    const log: Logger = { warn: (m) => warned.push(m), info: () => {}, error: () => {}, debug: () => {}, child: () => log };
    resolveUsersFile({ ...DEFAULT_CONFIG, dataDir, usersFile }, log);
    expect(warned).to.deep.equal([]);
    chmodSync(usersFile, 0o644);
    resolveUsersFile({ ...DEFAULT_CONFIG, dataDir, usersFile }, log);
    expect(warned).to.deep.equal(['the users file can be read by other users of this host: chmod 600 it']);
  });
});
