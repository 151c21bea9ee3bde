/**
 * A stop (SIGTERM/SIGINT: `close({ drainMs })`) with a job running: the job ends before the
 * driver closes, by itself or cancelled (xl stopped and what it half did undone), and its end is
 * in the audit log. Left to the process's end, xl was killed mid-command and nothing recorded it.
 */
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { simStateDir, xlBehindTheBack } from '../support/xl-backend.js';

function auditedJobs(app: AppServer): Record<string, unknown>[] {
  return readFileSync(path.join(app.dataDir, 'audit.log'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.kind === 'job');
}

async function startSlowly(app: AppServer, ms: number): Promise<void> {
  writeFileSync(path.join(simStateDir(app.dataDir), 'faults.json'), JSON.stringify({ rules: [{ command: 'create', mode: 'slow', delay_ms: ms }] }));
  const change = await app.server.virt.requestStateChange('vr-backup', 'running');
  expect(change.kind).to.equal('job');
}

describe('cli: a stop with a job running', function () {
  this.timeout(60_000);
  let app: AppServer;
  beforeEach(async () => { app = await startAppServer({ demo: true, keepData: true }); });
  afterEach(() => rmSync(app.dataDir, { recursive: true, force: true }));

  it('waits for a job that ends within the drain: it completes, and its end is audited', async () => {
    await startSlowly(app, 500);
    await app.server.close({ drainMs: 20_000 });
    expect(auditedJobs(app).map((e) => [e.target, e.state])).to.deep.include(['vr-backup', 'completed']);
    expect((await xlBehindTheBack(app.dataDir, 'list')).stdout).to.contain('vr-backup');
  });

  it('cancels a job that outlasts the drain: it is terminated, audited, and leaves no domain behind', async () => {
    await startSlowly(app, 30_000);
    const t0 = Date.now();
    await app.server.close({ drainMs: 300 });
    expect(Date.now() - t0).to.be.below(5_000);
    expect(auditedJobs(app).map((e) => [e.target, e.state])).to.deep.include(['vr-backup', 'terminated']);
    expect((await xlBehindTheBack(app.dataDir, 'list')).stdout).to.not.contain('vr-backup');
  });
});
