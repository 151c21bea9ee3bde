import { expect } from 'chai';
import { type AppServer, startAppServer } from '../support/app-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value of one sample line of the exposition text, or undefined. */
function value(text: string, metric: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('http: GET /metrics (Prometheus text format)', function () {
  this.timeout(30_000);
  let app: AppServer;
  const url = () => `http://127.0.0.1:${app.port}/metrics`;
  const auth = { Authorization: 'Basic ' + Buffer.from('watcher:pw').toString('base64') };

  before(async () => {
    app = await startAppServer({ users: [{ name: 'watcher', password: 'pw', role: 'reader' }], metricsIntervalMs: 250 });
    const virt = app.server.virt;
    await virt.defineSystem({
      name: 'web', type: 'pv', memoryMiB: 512, vcpus: 2, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: '/var/lib/xen/images/web.img', vdev: 'xvda' }], nics: [{ bridge: 'xenbr0' }],
    });
    await virt.requestState('web', 'running');
  });
  after(() => app.close());

  it('refuses a client without credentials, as /cimom does', async () => {
    const r = await fetch(url());
    expect(r.status).to.equal(401);
    expect(r.headers.get('www-authenticate')).to.match(/^Basic /);
    const bad = await fetch(url(), { headers: { Authorization: 'Basic ' + Buffer.from('watcher:nope').toString('base64') } });
    expect(bad.status).to.equal(401);
  });

  const COUNTERS = ['xen_wbem_system_disk_read_bytes_total', 'xen_wbem_system_network_receive_bytes_total', 'xen_wbem_system_network_transmit_packets_total', 'xen_wbem_system_cpu_seconds_total'];
  /** Asks until `ready` holds of the text (a sample or two taken), at most 10 s; the caller asserts on the last answer. */
  async function scrape(ready: (text: string) => boolean): Promise<{ res: Response; text: string }> {
    const until = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(url(), { headers: auth });
      const text = await res.text();
      if (ready(text) || Date.now() > until) return { res, text };
      await sleep(50);
    }
  }

  it('serves the sampled values to any role, and they move as the guest runs', async () => {
    // Waits for the first sample of the guest instead of a fixed time.
    const { res: first, text: a } = await scrape((t) => ['xen_wbem_system_memory_in_use_bytes', ...COUNTERS].every((m) => value(t, m, 'system="web"') !== undefined));
    expect(first.status).to.equal(200);
    expect(first.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    expect(a).to.match(/^# TYPE xen_wbem_system_disk_read_bytes_total counter$/m);
    expect(value(a, 'xen_wbem_system_memory_in_use_bytes', 'system="web"')).to.equal(512 * 1024 * 1024);
    const cap = await app.server.virt.capacity();
    expect(value(a, 'xen_wbem_memory_capacity_bytes', 'pool="MemoryPool/0"')).to.equal(cap.memory.capacityMiB * 1024 * 1024);
    expect(value(a, 'xen_wbem_processor_available_percent', 'pool="ProcessorPool/0"')).to.equal(cap.processor.availablePercent);
    // No physical identifier or raw host figure: only system names and pool ids label the values.
    expect(a).to.not.match(/free_memory|total_memory|domid|uuid/i);
    // Until a later sample has moved every counter (and the utilisation is over 0), not a fixed time.
    const { text: b } = await scrape((t) => COUNTERS.every((m) => value(t, m, 'system="web"')! > value(a, m, 'system="web"')!) &&
      value(t, 'xen_wbem_system_cpu_utilization_percent', 'system="web"')! > 0);
    for (const m of COUNTERS) {
      expect(value(b, m, 'system="web"'), m).to.be.greaterThan(value(a, m, 'system="web"')!);
    }
    expect(value(b, 'xen_wbem_system_cpu_utilization_percent', 'system="web"')).to.be.greaterThan(0);
  });
});
