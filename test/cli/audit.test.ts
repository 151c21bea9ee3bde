/**
 * The audit log and the process log of the whole application (in process, on xl-sim): what a
 * change asked for and its real outcome, the namespace once, the job's end, failed logins; one
 * log line per change and per failed job.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extrinsic, first, text } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';

const VM = (name: string) => ({ className: 'Xen_ComputerSystem', keys: { CreationClassName: 'Xen_ComputerSystem', Name: name } });
const RSC = (state: number) => `<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>${state}</VALUE></PARAMVALUE>`;

describe('app: audit log and change log', function () {
  this.timeout(60_000);
  let app: AppServer;
  const client = () => ({ port: app.port, namespace: 'root/virt', user: 'admin', password: 'pw' });
  /** Complete entries so far (the log is appended asynchronously). */
  const entries = (): Record<string, unknown>[] => {
    const text = readFileSync(path.join(app.dataDir, 'audit.log'), 'utf8');
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const until = async (what: string, ok: () => boolean) => {
    const t = Date.now() + 20_000;
    while (!ok()) {
      if (Date.now() > t) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const rsc = async (name: string, state: number) => {
    const r = await extrinsic(client(), 'RequestStateChange', VM(name), RSC(state));
    expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    return Number(text(first(first(r.rsp, 'RETURNVALUE'), 'VALUE')));
  };

  before(async () => {
    app = await startAppServer({ demo: true, users: [{ name: 'admin', password: 'pw', role: 'admin' }] });
  });
  after(async () => app?.close());

  it('a job-starting change: the state asked for, 4096 and the job, then the job\'s end', async () => {
    expect(await rsc('vr-core1', 6)).to.equal(4096);
    await until('the change and the job end', () => entries().some((e) => e.kind === 'job') && entries().some((e) => e.kind === 'change'));
    const [change] = entries().filter((e) => e.kind === 'change');
    expect(change).to.deep.include({
      principal: 'admin', operation: 'InvokeMethod', namespace: 'root/virt', method: 'RequestStateChange',
      target: 'Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="vr-core1"',
      params: { RequestedState: '6' }, result: 'job', returnValue: 4096,
    });
    expect(JSON.stringify(change)).to.not.contain('root/virt:');
    const end = entries().find((e) => e.kind === 'job')!;
    expect(end).to.deep.include({ job: change!.job, state: 'completed' });
    expect(app.log.filter((l) => l.startsWith('change ') && l.includes('returnValue=4096'))).to.have.length(1);
    expect(app.log.some((l) => l.startsWith('job completed '))).to.equal(true);
  });

  it('a refused change is "failed" with its return value, never "ok"', async () => {
    // Quiesce is a transition from Active only (DSP1057 §8.1); vr-backup is defined.
    expect(await rsc('vr-backup', 9)).to.equal(4097);
    await until('the change entry', () => entries().filter((e) => e.kind === 'change').length === 2);
    const last = entries().filter((e) => e.kind === 'change').pop()!;
    expect(last).to.deep.include({ result: 'failed', returnValue: 4097, params: { RequestedState: '9' } });
    expect(app.log.some((l) => l.startsWith('[warn] change ') && l.includes('returnValue=4097'))).to.equal(true);
  });

  it('a job that fails leaves a warning line and a "failed" end in the audit log', async () => {
    writeFileSync(path.join(app.dataDir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'save', mode: 'fail', count: 1 }] }));
    expect(await rsc('vr-core2', 6)).to.equal(4096);
    await until('the failed job', () => entries().some((e) => e.kind === 'job' && e.state === 'failed'));
    expect(app.log.some((l) => l.startsWith('[warn] job failed ') && l.includes('vr-core2'))).to.equal(true);
  });

  it('a failed login is in the audit log with the client address', async () => {
    const r = await extrinsic({ ...client(), password: 'wrong' }, 'RequestStateChange', VM('vr-core1'), RSC(2));
    expect(r.raw.status).to.equal(401);
    await until('the login entry', () => entries().some((e) => e.kind === 'login'));
    expect(entries().filter((e) => e.kind === 'login').pop()).to.deep.include({ user: 'admin', remote: '127.0.0.1', reason: 'wrong password' });
  });
});
