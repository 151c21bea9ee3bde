/**
 * Every instance a real client can read, read by the real sblim wbemcli: `ei` of every class of
 * both namespaces (CIM_ManagedElement deep included) while a job exists, `gi` of the job, and
 * every class declaration (`ec`). wbemcli refuses a whole response for one attribute it does
 * not expect, so one bad property anywhere fails its class here.
 */
import { expect } from 'chai';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { requireWbemcli, wbemcli } from '../support/wbemcli.js';

const VM = (name: string) => `Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="${name}"`;

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
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
      await inParallel(classes, 4, async (cls) => {
        const r = await wbemcli('ei', `${base}/${ns}:${cls}`);
        if (r.code !== 0) failures.push(`${cls}: ${r.err.replace(/\s+/g, ' ').trim()}`);
        else if (r.out.trim() !== '') withInstances++;
      });
      expect(failures).to.deep.equal([]);
      expect(withInstances).to.be.greaterThan(5);
      const ec = await wbemcli('ec', `${base}/${ns}`);
      expect(ec.code, ec.err).to.equal(0);
    });
  }
});
