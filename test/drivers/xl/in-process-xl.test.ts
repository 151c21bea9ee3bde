/**
 * The in-process executor keeps XlRunner's contract: arguments refused before anything runs,
 * xl's failures mapped by the same settleXlCall, a timeout that ends a hanging call, cancellation
 * by signal, and the call log tests assert on.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtError } from '../../../src/virt/errors.js';
import { InProcessXl } from '../../support/in-process-xl.js';

async function rejection(p: Promise<unknown>): Promise<VirtError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a VirtError').to.be.instanceOf(VirtError);
  return e as VirtError;
}

describe('in-process xl executor', () => {
  let dir: string;
  let xl: InProcessXl;
  const faults = (f: object): void => writeFileSync(join(dir, 'faults.json'), JSON.stringify(f));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-inproc-'));
    xl = new InProcessXl({ stateDir: dir, defaultTimeoutMs: 5000 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('runs xl-sim and logs every call\'s arguments', async () => {
    const r = await xl.run(['info', 'host']);
    expect(r).to.deep.equal({ stdout: 'xenhost01\n', stderr: '', exitCode: 0 });
    await xl.run(['list']);
    expect(xl.log).to.deep.equal([['info', 'host'], ['list']]);
    expect(xl.calls).to.equal(2);
    expect(xl.callsOf('list')).to.deep.equal([['list']]);
  });

  it('refuses NUL bytes without running anything', async () => {
    const e = await rejection(xl.run(['pause', 'a\0b']));
    expect(e.kind).to.equal('invalid_argument');
    expect(xl.calls).to.equal(0);
  });

  it('maps xl\'s failures like the process runner: a libxl error on exit 0, a status, tolerated errors', async () => {
    // xl pause of an unknown domid prints libxl's error yet exits 0.
    let e = await rejection(xl.run(['pause', '42']));
    expect(e.kind).to.equal('not_found');
    expect(e.detail).to.contain('Pausing domain: No such process');
    faults({ rules: [{ command: 'list', mode: 'fail', stderr: 'libxl: error: libxl_domain.c:2335:x: Domain 3:Fail to get domain configuration', exit_code: 0 }] });
    expect((await xl.run(['list', '-l'], { tolerateLibxlErrors: true })).exitCode).to.equal(0);
    faults({ rules: [{ command: 'create', mode: 'fail', stderr: 'Parsing config from x.cfg\nfailed to free memory for the domain', exit_code: 3 }] });
    e = await rejection(xl.run(['create', 'x.cfg']));
    expect(e.kind).to.equal('no_memory');
  });

  it('ends a hanging call at the timeout, without blocking other calls meanwhile', async () => {
    faults({ rules: [{ command: 'list', mode: 'hang' }] });
    const t0 = Date.now();
    let ended = false;
    const hung = rejection(xl.run(['list'], { timeoutMs: 1000 })).then((e) => { ended = true; return e; });
    expect((await xl.run(['info', 'host'])).stdout).to.equal('xenhost01\n');
    expect(ended, 'info waited for the hung list').to.equal(false);
    const e = await hung;
    expect(e.kind).to.equal('timeout');
    expect(e.message).to.contain('did not finish within 1000 ms');
    expect(Date.now() - t0).to.be.within(980, 10_000);
  });

  it('is cancelled by the caller\'s signal', async () => {
    faults({ rules: [{ command: 'info', mode: 'slow', delay_ms: 5000 }] });
    const ac = new AbortController();
    const p = rejection(xl.run(['info'], { signal: ac.signal }));
    setTimeout(() => ac.abort(), 50);
    const e = await p;
    expect(e.kind).to.equal('failed');
    expect(e.message).to.equal('xl info was cancelled');
  });
});
