/**
 * The demo seeding on a fresh simulated host: the bridges its routers use are created first
 * (the simulator's default host has xenbr0 only, and a NIC on a missing bridge is refused).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BRIDGES, ensureDemoBridges, seedDemoNetwork } from '../../src/demo.js';
import { VirtManager } from '../../src/virt/manager.js';
import { createTestBackend, simStateDir } from '../support/xl-backend.js';

describe('demo: bridges before routers', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-bridges-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    writeFileSync(join(simStateDir(dir), 'host.json'), JSON.stringify({ shutdown_seconds: 0.2 }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('creates the missing bridges up, once, and the demo routers are defined on them', async () => {
    const { driver, xl } = createTestBackend(dir, { commandTimeoutMs: 10_000 });
    const ip = (args: string[]) => xl.run(['ip', ...args]);
    expect((await driver.switches()).map((s) => s.name)).to.deep.equal(['xenbr0']);
    expect(await ensureDemoBridges(ip)).to.deep.equal(['xenbr1', 'xenbr2']);
    expect(await ensureDemoBridges(ip)).to.deep.equal([]);
    driver.invalidate();
    expect(await driver.switches()).to.deep.equal(DEMO_BRIDGES.map((name) => ({ name, up: true })));
    const vm = new VirtManager(driver, { pollIntervalMs: 50 });
    await vm.init();
    expect(await seedDemoNetwork(vm, () => {})).to.have.length(7);
    // The demo network's routers use the demo bridges; the emergency network's links have their own.
    const demo = await vm.networks.get('demo');
    const used = new Set((await vm.listSystems()).filter((s) => vm.networks.networkOf(s.name) === 'demo').flatMap((s) => s.config.nics.map((n) => n.bridge)));
    expect([...used].sort()).to.deep.equal(DEMO_BRIDGES);
    expect(demo.links.map((l) => [l.name, l.switch, l.limitBitsPerSecond])).to.deep.equal([['core1-edge1', 'xenbr1', 100_000_000], ['core2-edge1', 'xenbr2', 100_000_000]]);
    const emergency = await vm.networks.get('emergency');
    expect(emergency.state).to.equal('paused');
    expect(emergency.members.map((m) => [m.system, m.priority])).to.deep.equal([['vr-em1', 10], ['vr-em2', 5], ['vr-em3', 5]]);
  });
});
