// A define or an added link whose link is on a switch the host already had (named by the client),
// cut by a kill -9 after its interfaces were added and before the network was stored: the next
// start must remove those interfaces, as it does for a link on a switch of its own.
import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { MemoryNetworkStore, type NetworkStore } from '../../src/virt/networks/types.js';
import { StubDriver } from './stub-driver.js';

/** A store that stops (as a kill -9 would) at the first write without an intent. */
function dyingStore(store: MemoryNetworkStore): { store: NetworkStore; crashed: () => boolean } {
  let crashed = false;
  return {
    store: {
      load: () => store.load(),
      remove: (n) => store.remove(n),
      save: (n) => (n.pending ? store.save(n) : (crashed = true, new Promise<void>(() => {}))),
    },
    crashed: () => crashed,
  };
}

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !f(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(f(), 'the final write was reached').to.equal(true);
}

describe('virt: a network change on an existing switch, cut by a crash', () => {
  let d: StubDriver;
  let mem: MemoryNetworkStore;
  beforeEach(() => {
    d = new StubDriver();
    d.switchList = [{ name: 'xenbr0', up: true }, { name: 'lan0', up: true }];
    for (const n of ['ra', 'rb']) d.add({ name: n, nics: [{ bridge: 'xenbr0' }] });
    mem = new MemoryNetworkStore();
  });
  const nics = (n: string): string[] => d.systems.get(n)!.config.nics.map((x) => x.bridge);

  it('a define: the interfaces it added on the existing switch are removed at the next start', async () => {
    const dying = dyingStore(mem);
    const vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: dying.store });
    await vm.init();
    void vm.networks.define({ name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }], links: [{ name: 'ab', switch: 'lan0', ends: [{ system: 'ra' }, { system: 'rb' }] }] }).catch(() => {});
    await until(dying.crashed);
    expect(nics('ra')).to.deep.equal(['xenbr0', 'lan0']);
    const again = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await again.init();
    expect(await again.networks.list()).to.deep.equal([]);
    for (const n of ['ra', 'rb']) expect(nics(n), n).to.deep.equal(['xenbr0']);
    expect(d.switchList.map((s) => s.name)).to.deep.equal(['xenbr0', 'lan0']);
  });

  it('an added link: the interfaces it added on the existing switch are removed at the next start; an interface there before stays', async () => {
    d.systems.get('rb')!.config.nics.push({ bridge: 'lan0', mac: '00:16:3e:00:00:99' });
    const vm0 = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await vm0.init();
    await vm0.networks.define({ name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }] });
    const dying = dyingStore(mem);
    const vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: dying.store });
    await vm.init();
    void vm.networks.addLink('wan', { name: 'ab', switch: 'lan0', ends: [{ system: 'ra' }, { system: 'rb' }] }).catch(() => {});
    await until(dying.crashed);
    expect(nics('rb')).to.deep.equal(['xenbr0', 'lan0', 'lan0']);
    const again = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await again.init();
    expect((await again.networks.get('wan')).links).to.deep.equal([]);
    expect(nics('ra')).to.deep.equal(['xenbr0']);
    expect(d.systems.get('rb')!.config.nics.map((x) => x.mac)[1]).to.equal('00:16:3e:00:00:99');
    expect(nics('rb')).to.deep.equal(['xenbr0', 'lan0']);
  });
});

describe('virt: a bandwidth change cut by a crash', () => {
  it('a live rate set on the ends before the network was stored is put back to the stored limit at the next start', async () => {
    const d = new StubDriver();
    for (const n of ['ra', 'rb']) d.add({ name: n }, 'running');
    const mem = new MemoryNetworkStore();
    const vm0 = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await vm0.init();
    await vm0.networks.define({ name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }], links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], limitBitsPerSecond: 100_000_000 }] });
    const dying = dyingStore(mem);
    const vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: dying.store });
    await vm.init();
    void vm.networks.setLinkBandwidth('wan', 'ab', { limitBitsPerSecond: 8_000_000 }).catch(() => {});
    await until(dying.crashed);
    const rates = (): unknown[] => ['ra', 'rb'].map((n) => d.systems.get(n)!.config.nics[0]!.rate?.bytesPerSecond);
    expect(rates()).to.deep.equal([1_000_000, 1_000_000]);
    const again = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await again.init();
    expect((await again.networks.get('wan')).links[0]!.limitBitsPerSecond).to.equal(100_000_000);
    expect(rates()).to.deep.equal([12_500_000, 12_500_000]);
  });
});

describe('virt: a link removal cut by a crash', () => {
  it('a link whose interfaces were removed before the network was stored is gone at the next start, its reservation released', async () => {
    const d = new StubDriver();
    for (const n of ['ra', 'rb']) d.add({ name: n });
    const mem = new MemoryNetworkStore();
    const vm0 = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await vm0.init();
    await vm0.networks.define({ name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }], links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], reservationBitsPerSecond: 1_000_000 }] });
    const sw = (await vm0.networks.get('wan')).links[0]!.switch;
    const dying = dyingStore(mem);
    const vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: dying.store });
    await vm.init();
    void vm.networks.removeLink('wan', 'ab').catch(() => {});
    await until(dying.crashed);
    expect(d.systems.get('ra')!.config.nics).to.deep.equal([]);
    const again = new VirtManager(d, { pollIntervalMs: 1, networkStore: mem });
    await again.init();
    expect((await again.networks.get('wan')).links).to.deep.equal([]);
    expect((await again.networks.uplink()).reservedBitsPerSecond).to.equal(0);
    // Its switch is not made again for a link that is gone.
    expect(d.switchList.map((s) => s.name)).to.not.include(sw);
  });
});
