/**
 * GET /health follows the driver's picture of the host: reads go on from the last good picture
 * while `xl list` hangs, so the probe must not take "answered" for "current". A hung list makes
 * the picture stale (503); once xl answers again, so does the health check (200).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { simStateDir } from '../support/xl-backend.js';

describe('e2e: /health and a hung xl list', function () {
  this.timeout(60_000);
  let app: AppServer;
  const status = async (): Promise<number> => (await fetch(`http://127.0.0.1:${app.port}/health`)).status;
  const until = async (want: number, withinMs: number): Promise<number> => {
    const end = Date.now() + withinMs;
    for (;;) {
      const s = await status();
      if (s === want || Date.now() > end) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    // The quick deadline at 0.6 s, staleness at 0.9 s and a refresh every 100 ms (backing off from
    // there while xl fails): the same sequence as on a host, faster.
    app = await startAppServer({ xlTimings: { commandTimeoutMs: 600, staleAfterMs: 900, refreshIntervalMs: 100 } });
  });
  after(async () => app?.close());

  it('is 200 while xl answers, 503 while `xl list` hangs, and 200 again once it answers', async () => {
    expect(await status()).to.equal(200);
    const faults = path.join(simStateDir(app.dataDir), 'faults.json');
    writeFileSync(faults, JSON.stringify({ rules: [{ command: 'list', mode: 'hang', count: -1 }] }));
    // The refresh under way is killed at its deadline; the picture is stale from then on.
    expect(await until(503, 20_000), 'stale picture').to.equal(503);
    rmSync(faults);
    expect(await until(200, 35_000), 'xl answers again').to.equal(200);
  });
});
