/**
 * The server's virtual networks: the demo seeds `demo` and `emergency` (parked paused) into a
 * fresh simulated host, kept in <data>/networks as one file each and loaded again by the next
 * server on the same data directory.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../../src/app.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { InProcessXl } from '../support/in-process-xl.js';
import { simStateDir, TEST_BRIDGES } from '../support/xl-backend.js';

describe('server: the demo networks, kept across a restart', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-net-'));
    mkdirSync(simStateDir(dataDir));
    writeFileSync(path.join(simStateDir(dataDir), 'host.json'), JSON.stringify({ bridges: TEST_BRIDGES, shutdown_seconds: 0.2 }));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  const start = (demo: boolean) => startServer(
    { ...DEFAULT_CONFIG, port: 0, dataDir, demo, hostName: 'xenhost-test' },
    () => {},
    { xlExecutor: new InProcessXl({ stateDir: simStateDir(dataDir) }) },
  );

  it('seeds demo and emergency, stores them as files, and the next server has them', async () => {
    const first = await start(true);
    try {
      const nets = await first.virt.networks.list();
      expect(nets.map((n) => [n.name, n.state])).to.deep.equal([['demo', 'mixed'], ['emergency', 'paused']]);
      expect(first.virt.networks.networkOf('vr-edge1')).to.equal('demo');
      expect(readdirSync(path.join(dataDir, 'networks')).sort()).to.deep.equal(['demo.json', 'emergency.json']);
    } finally {
      await first.close();
    }
    const second = await start(false);
    try {
      const e = await second.virt.networks.get('emergency');
      expect([e.state, e.requested, e.links.length]).to.deep.equal(['paused', 'paused', 2]);
      expect((await second.virt.networks.uplink()).reservedBitsPerSecond).to.equal(500_000_000);
    } finally {
      await second.close();
    }
  });

  it('a seed cut short (its first start failed half-way) is finished by the next start, not left half made', async () => {
    // The first router's start fails: vr-core1 is defined, nothing else.
    writeFileSync(path.join(simStateDir(dataDir), 'faults.json'), JSON.stringify({ rules: [{ command: 'create', mode: 'fail', count: 1, stderr: 'libxl: error: injected' }] }));
    let failed: unknown;
    await start(true).then((s) => s.close(), (e: unknown) => { failed = e; });
    expect(String(failed)).to.contain('the demo could not be seeded:').and.contain('injected').and.contain('--no-demo starts without it');
    expect(existsSync(path.join(dataDir, 'demo-seeding')), 'the seed is marked as cut short').to.equal(true);
    rmSync(path.join(simStateDir(dataDir), 'faults.json'));
    const again = await start(true);
    try {
      expect((await again.virt.networks.list()).map((n) => [n.name, n.state])).to.deep.equal([['demo', 'mixed'], ['emergency', 'paused']]);
      expect((await again.virt.listSystems()).map((s) => [s.name, s.state]).sort()).to.deep.equal([
        ['vr-backup', 'defined'], ['vr-core1', 'running'], ['vr-core2', 'running'], ['vr-edge1', 'paused'],
        ['vr-em1', 'paused'], ['vr-em2', 'paused'], ['vr-em3', 'paused'],
      ]);
      expect(existsSync(path.join(dataDir, 'demo-seeding')), 'finished: the mark is gone').to.equal(false);
    } finally {
      await again.close();
    }
  });
});
