// A router that went while the server was not looking: deleted or renamed with xl directly, or
// the server killed between the router's delete (or rename) and the network's save. The network
// must not be left naming a system that no longer exists (every launch refused, no link added).
import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { MemoryNetworkStore, type NetworkSpec } from '../../src/virt/networks/types.js';
import { StubDriver } from './stub-driver.js';

function triangle(): NetworkSpec {
  return {
    name: 'core',
    members: [{ system: 'r1', priority: 10 }, { system: 'r2' }, { system: 'r3' }],
    links: [
      { name: 'r1-r2', ends: [{ system: 'r1' }, { system: 'r2' }], reservationBitsPerSecond: 10_000_000 },
      { name: 'r2-r3', ends: [{ system: 'r2' }, { system: 'r3' }] },
    ],
  };
}

describe('virt: a network member gone behind the network\'s back', () => {
  let d: StubDriver;
  let store: MemoryNetworkStore;
  let vm: VirtManager;
  beforeEach(async () => {
    d = new StubDriver();
    store = new MemoryNetworkStore();
    vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: store });
    await vm.init();
    for (const n of ['r1', 'r2', 'r3', 'r4']) d.add({ name: n, nics: [{ bridge: 'xenbr0' }] });
    await vm.networks.define(triangle());
  });

  it('a member deleted while the server was down leaves the network at start-up, with its links and their reservations', async () => {
    d.systems.delete('r1'); // deleted, the network's save cut by a kill -9 (or `xl` used directly)
    const again = new VirtManager(d, { pollIntervalMs: 1, networkStore: store });
    await again.init();
    const net = await again.networks.get('core');
    expect(net.members.map((m) => m.system)).to.deep.equal(['r2', 'r3']);
    expect(net.links.map((l) => l.name)).to.deep.equal(['r2-r3']);
    expect(store.data.get('core')!.members.map((m) => m.system)).to.deep.equal(['r2', 'r3']);
    expect((await again.networks.uplink()).reservedBitsPerSecond).to.equal(0);
    const change = await again.networks.requestStateChange('core', 'running');
    expect(change.kind).to.equal('job');
    if (change.kind === 'job') expect((await change.job.done).map((o) => o.ok)).to.deep.equal([true, true]);
  });

  it('a member renamed while the server was down is found again by its link interfaces', async () => {
    await d.rename('r3', 'r3b');
    const again = new VirtManager(d, { pollIntervalMs: 1, networkStore: store });
    await again.init();
    expect(again.networks.networkOf('r3b')).to.equal('core');
    const net = await again.networks.get('core');
    expect(net.members.map((m) => m.system)).to.deep.equal(['r1', 'r2', 'r3b']);
    expect(net.links[1]!.ends[1].system).to.equal('r3b');
    expect(store.data.get('core')!.created.interfaces.filter((i) => i.system === 'r3b')).to.have.length(1);
  });

  it('a member deleted with xl while the server runs: a launch drives the others and the member leaves', async () => {
    d.systems.delete('r3');
    const change = await vm.networks.requestStateChange('core', 'running');
    expect(change.kind).to.equal('job');
    if (change.kind === 'job') expect((await change.job.done).map((o) => `${o.system}:${o.state}`)).to.deep.equal(['r1:running', 'r2:running']);
    expect((await vm.networks.get('core')).links.map((l) => l.name)).to.deep.equal(['r1-r2']);
  });
});

describe('virt: a network\'s switch removed while an interface is being put on it', () => {
  it('destroying the network leaves the link switch that a system outside it is being plugged into', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: new MemoryNetworkStore() });
    await vm.init();
    for (const n of ['r1', 'r2', 'r4']) d.add({ name: n, nics: [{ bridge: 'xenbr0' }] }, 'running');
    const net = await vm.networks.define({ name: 'core', members: [{ system: 'r1' }, { system: 'r2' }], links: [{ name: 'l', ends: [{ system: 'r1' }, { system: 'r2' }] }] });
    const sw = net.links[0]!.switch;
    const open = d.hold('attachInterface');
    const adding = vm.changeResources([{ system: 'r4', action: 'add_nic', nic: { bridge: sw } }]);
    for (let i = 0; i < 100 && !d.calls.some((c) => c.startsWith('attachInterface')); i++) await new Promise((r) => setTimeout(r, 2));
    await vm.networks.destroy('core');
    open();
    await adding;
    expect(d.systems.get('r4')!.config.nics.map((x) => x.bridge)).to.include(sw);
    // r4's new interface has a switch to plug into.
    expect(d.switchList.map((s) => s.name)).to.include(sw);
  });
});

describe('virt: a member changed directly while its network launches', () => {
  it('the member is driven from the state it is in when its turn comes, not the one it was in at the request', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    await vm.init();
    d.add({ name: 'hi' }, 'paused');
    d.add({ name: 'lo' }, 'crashed');
    await vm.networks.define({ name: 'n', members: [{ system: 'hi', priority: 9 }, { system: 'lo', priority: 0 }] });
    const release = d.hold('unpause');
    const r = await vm.networks.requestStateChange('n', 'running');
    if (r.kind !== 'job') throw new Error('expected a job');
    // While the higher priority comes up, an operator brings the crashed router back by itself.
    for (const t of ['defined', 'running'] as const) {
      const direct = await vm.requestStateChange('lo', t);
      if (direct.kind === 'job') await direct.job.done;
    }
    expect(d.systems.get('lo')!.state).to.equal('running');
    const mark = d.calls.length;
    release();
    const out = await r.job.done;
    expect(out.map((o) => `${o.system}:${o.ok}:${o.state}`)).to.deep.equal(['hi:true:running', 'lo:true:running']);
    // lo, running when its turn came, was left alone: not powered off and started again.
    expect(d.calls.slice(mark).filter((c) => /^(destroy|start|shutdown|pause|unpause|save|restore) lo\b/.test(c))).to.deep.equal([]);
    expect(r.job.percentComplete).to.equal(100);
  });
});

describe('virt: a launch whose requested state cannot be stored', () => {
  it('every member is still reported (outcomes kept), and the error says what could not be stored', async () => {
    const d = new StubDriver();
    const mem = new MemoryNetworkStore();
    const store = { load: () => mem.load(), remove: (n: string) => mem.remove(n), save: async (n: Parameters<MemoryNetworkStore['save']>[0]) => {
      if (n.requested) throw new Error('disk full');
      await mem.save(n);
    } };
    const vm = new VirtManager(d, { pollIntervalMs: 1, networkStore: store });
    await vm.init();
    d.add({ name: 'a' });
    d.add({ name: 'b' });
    await vm.networks.define({ name: 'n', members: [{ system: 'a' }, { system: 'b' }] });
    const r = await vm.networks.requestStateChange('n', 'running');
    if (r.kind !== 'job') throw new Error('expected a job');
    const err = await r.job.done.then(() => undefined, (e: unknown) => e);
    expect(String(err)).to.match(/disk full/);
    expect(vm.networks.outcomes(r.job.id)).to.deep.equal([{ system: 'a', ok: true, state: 'running' }, { system: 'b', ok: true, state: 'running' }]);
  });
});
