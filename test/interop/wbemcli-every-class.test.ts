/**
 * Every instance a real client can read, read by the real sblim wbemcli: `ei` of every class of
 * both namespaces (CIM_ManagedElement deep included) while a job exists, `gi` of the job, and
 * every class declaration (`ec`). wbemcli refuses a whole response for one attribute it does
 * not expect, so one bad property anywhere fails its class here.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { requireWbemcli, wbemcli } from '../support/wbemcli.js';

const VM = (name: string) => `Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="${name}"`;

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs wbemcli once per argument list, `width` at a time, from one shell: a spawn from this
 * (large) test process costs several ms of CPU each, a fork of the shell next to nothing.
 */
async function wbemcliEach(calls: string[][], width: number): Promise<{ code: number; out: string; err: string }[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wbemcli-each-'));
  try {
    const lines = calls.map((args, i) =>
      `(timeout 30 wbemcli ${args.map(quote).join(' ')} >${i}.out 2>${i}.err; echo $? >${i}.rc) &${(i + 1) % width === 0 ? '\nwait' : ''}`);
    const r = await execa('sh', ['-c', `cd ${quote(dir)} || exit 1\n${lines.join('\n')}\nwait\n`], { reject: false, timeout: 120_000 });
    if (r.exitCode !== 0) throw new Error(`wbemcli batch failed (${r.exitCode}): ${r.stderr}`);
    return calls.map((_, i) => ({
      code: Number(readFileSync(path.join(dir, `${i}.rc`), 'utf8')),
      out: readFileSync(path.join(dir, `${i}.out`), 'utf8'),
      err: readFileSync(path.join(dir, `${i}.err`), 'utf8'),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('interop: sblim wbemcli reads every class that has instances', function () {
  this.timeout(120_000);
  let app: AppServer;
  let base: string;
  let jobId: string;

  before(async () => {
    await requireWbemcli();
    app = await startAppServer({ demo: true });
    base = `http://127.0.0.1:${app.port}`;
    // A save always runs as a job (README, life cycle); the job stays listed after it ends.
    const r = await wbemcli('cm', `${base}/root/virt:${VM('vr-core1')}`, 'RequestStateChange.RequestedState=6');
    expect(r.code, r.err).to.equal(0);
    const m = /RequestStateChange: 4096.*Xen_ConcreteJob\.InstanceID="([^"]+)"/.exec(r.out);
    expect(m, r.out).to.not.equal(null);
    jobId = m![1]!;
  });
  after(async () => app?.close());

  it('ei CIM_ManagedElement (deep) lists the job among everything else', async () => {
    const r = await wbemcli('ei', `${base}/root/virt:CIM_ManagedElement`);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain(`Xen_ConcreteJob.InstanceID="${jobId}"`).and.contain('Xen_ComputerSystem');
  });

  it('gi of the job shows its embedded-object properties (NULL or set) when asked for them', async () => {
    // Without a PropertyList a NULL property is left out; named, it comes even when NULL.
    const r = await wbemcli('gi', '-nl', `${base}/root/virt:Xen_ConcreteJob.InstanceID="${jobId}"`, 'JobInParameters,JobOutParameters');
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('-JobInParameters=').and.contain('-JobOutParameters=');
  });

  for (const ns of ['root/virt', 'root/interop']) {
    it(`ei of every class of ${ns}, and ec of the namespace`, async () => {
      const ecn = await wbemcli('ecn', `${base}/${ns}`);
      expect(ecn.code, ecn.err).to.equal(0);
      const classes = ecn.out.trim().split('\n').map((l) => l.slice(l.lastIndexOf(':') + 1).trim());
      expect(classes.length).to.be.greaterThan(40);
      const failures: string[] = [];
      let withInstances = 0;
      const results = await wbemcliEach(classes.map((cls) => ['ei', `${base}/${ns}:${cls}`]), 4);
      results.forEach((r, i) => {
        if (r.code !== 0) failures.push(`${classes[i]}: ${r.err.replace(/\s+/g, ' ').trim()}`);
        else if (r.out.trim() !== '') withInstances++;
      });
      expect(failures).to.deep.equal([]);
      expect(withInstances).to.be.greaterThan(5);
      const ec = await wbemcli('ec', `${base}/${ns}`);
      expect(ec.code, ec.err).to.equal(0);
    });
  }
});
