/**
 * Virtual networks over the real xl driver and xl-sim (in-process): link switches as bridges of
 * the control domain, live link bandwidth through the vif's xenstore `rate` key (the vif keeps
 * its devid, no network-detach/attach), reservations against the simulated uplink, a parked
 * network launched as a whole, and networks kept across a restart.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileNetworkStore } from '../../src/drivers/xl/network-store.js';
import type { XlDriver } from '../../src/drivers/xl/xl-driver.js';
import { VirtManager } from '../../src/virt/manager.js';
import type { VirtualSystemSpec } from '../../src/virt/types.js';
import { createTestBackend, simStateDir, TEST_BRIDGES, xlBehindTheBack, type TestBackend } from '../support/xl-backend.js';
import { rejects } from '../support/virt-expect.js';

describe('virt: virtual networks over the xl driver and xl-sim', function () {
  this.timeout(30_000);
  let dir: string;
  let backend: TestBackend;
  let drivers: XlDriver[];
  let vm: VirtManager;
  const spec = (name: string): VirtualSystemSpec => ({ name, type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
  const open = async (): Promise<VirtManager> => {
    await Promise.all(drivers.map((d) => d.close()));
    backend = createTestBackend(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100 });
    drivers = [backend.driver];
    const v = new VirtManager(backend.driver, { pollIntervalMs: 20, networkStore: new FileNetworkStore(dir) });
    await v.init();
    return v;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virt-net-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    writeFileSync(join(simStateDir(dir), 'host.json'), JSON.stringify({ bridges: TEST_BRIDGES, uplink_speed_mbps: 1000 }));
    drivers = [];
    vm = await open();
    for (const n of ['ra', 'rb', 'rc']) await vm.defineSystem(spec(n));
  });
  afterEach(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('define makes each link\'s bridge; a live bandwidth change writes netback\'s rate key: same devid, no detach/attach', async () => {
    const net = await vm.networks.define({
      name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], limitBitsPerSecond: 100_000_000 }],
    });
    const link = net.links[0]!;
    const bridges = JSON.parse((await xlBehindTheBack(dir, 'ip', '-j', 'link', 'show', 'type', 'bridge')).stdout) as { ifname: string }[];
    expect(bridges.map((b) => b.ifname)).to.include(link.switch);
    await vm.requestState('ra', 'running');
    const domid = (await xlBehindTheBack(dir, 'domid', 'ra')).stdout.trim();
    const before = (await xlBehindTheBack(dir, 'network-list', 'ra')).stdout;
    const key = `/local/domain/0/backend/vif/${domid}/0/rate`;
    // 100 Mbit/s = 12 500 000 bytes/s, in 50 ms windows
    expect((await xlBehindTheBack(dir, 'xenstore-read', key)).stdout).to.equal('625000,50000\n');
    backend.xl.log.length = 0;
    const r = await vm.networks.setLinkBandwidth('wan', 'ab', { limitBitsPerSecond: 8_000_000 });
    expect(r.effect).to.equal('live');
    expect((await xlBehindTheBack(dir, 'xenstore-read', key)).stdout).to.equal('50000,50000\n');
    expect((await xlBehindTheBack(dir, 'network-list', 'ra')).stdout).to.equal(before);
    expect(backend.xl.log.filter((a) => /^network-(detach|attach)$/.test(a[0]!))).to.deep.equal([]);
    expect(backend.xl.log.filter((a) => a[0] === 'xenstore')).to.deep.equal([['xenstore', 'write', key, '50000,50000']]);
    // the stopped end only has its definition changed; both definitions hold the new rate for the next start
    for (const n of ['ra', 'rb']) {
      const nic = (await vm.getSystem(n)).config.nics.find((x) => x.bridge === link.switch)!;
      expect(nic.rate?.bytesPerSecond).to.equal(1_000_000);
    }
    // a save and restore brings the image's attach-time rate back: the driver writes the definition's again
    await vm.requestState('ra', 'suspended');
    await vm.requestState('ra', 'running');
    const domid2 = (await xlBehindTheBack(dir, 'domid', 'ra')).stdout.trim();
    expect((await xlBehindTheBack(dir, 'xenstore-read', `/local/domain/0/backend/vif/${domid2}/0/rate`)).stdout).to.equal('50000,50000\n');
    // A limit too slow for a byte per 50 ms (100 bit/s = 12 bytes/s) gets a longer window: still
    // one byte of credit, live and at the next start.
    expect((await vm.networks.setLinkBandwidth('wan', 'ab', { limitBitsPerSecond: 100 })).effect).to.equal('live');
    expect((await xlBehindTheBack(dir, 'xenstore-read', `/local/domain/0/backend/vif/${domid2}/0/rate`)).stdout).to.equal('1,83334\n');
    await vm.requestState('ra', 'defined');
    await vm.requestState('ra', 'running');
    const domid3 = (await xlBehindTheBack(dir, 'domid', 'ra')).stdout.trim();
    expect((await xlBehindTheBack(dir, 'xenstore-read', `/local/domain/0/backend/vif/${domid3}/0/rate`)).stdout).to.equal('1,83334\n');
  });

  it('a member renamed to a name another network took meanwhile leaves its own network: a system is in one network', async () => {
    await vm.networks.define({ name: 'n1', members: [{ system: 'ra' }, { system: 'rb' }] });
    // A slow holder of the network registry (a define attaching interfaces) while ra becomes rx.
    const locks = (vm as unknown as { model: { locks: { acquire(key: string): Promise<() => void> } } }).model.locks;
    const release = await locks.acquire('network:*');
    const define = vm.networks.define({ name: 'n2', members: [{ system: 'rx' }, { system: 'rc' }] });
    await new Promise((r) => setTimeout(r, 20));
    const rename = vm.modifySystemSettings('ra', { name: 'rx' });
    // The registry is released once xl shows the system under its new name (however loaded the machine).
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      if (await vm.getSystem('rx').then(() => true, () => false)) break;
    }
    release();
    await define;
    await rename;
    const members = Object.fromEntries((await vm.networks.list()).map((n) => [n.name, n.members.map((m) => m.system)]));
    expect(members).to.deep.equal({ n1: ['rb'], n2: ['rx', 'rc'] });
    expect(vm.networks.networkOf('rx')).to.equal('n2');
  });

  it('a define cut by a crash after it made its switch and interfaces is undone at the next start; defining again then works', async () => {
    const bridges = async (): Promise<string[]> =>
      (JSON.parse((await xlBehindTheBack(dir, 'ip', '-j', 'link', 'show', 'type', 'bridge')).stdout) as { ifname: string }[]).map((b) => b.ifname);
    const nicsOf = async (v: VirtManager, n: string) => (await v.getSystem(n)).config.nics;
    const before = await bridges();
    // The store "dies" at the network's final write, as a kill -9 would stop it there.
    const store = new FileNetworkStore(dir);
    const save = store.save.bind(store);
    let crashed = false;
    store.save = (n) => (n.pending ? save(n) : (crashed = true, new Promise<void>(() => {})));
    const dying = new VirtManager(backend.driver, { pollIntervalMs: 20, networkStore: store });
    await dying.init();
    const spec = {
      name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }] as [{ system: string }, { system: string }], limitBitsPerSecond: 100_000_000 }],
    };
    void dying.networks.define(spec).catch(() => {});
    for (let i = 0; i < 300 && !crashed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(crashed, 'the final write was reached').to.equal(true);
    const made = (await bridges()).filter((b) => !before.includes(b));
    expect(made).to.have.length(1);
    expect((await nicsOf(dying, 'ra')).map((x) => x.bridge)).to.deep.equal(made);

    vm = await open();
    expect(await vm.networks.list()).to.deep.equal([]);
    expect(await bridges()).to.deep.equal(before);
    for (const n of ['ra', 'rb']) expect(await nicsOf(vm, n)).to.deep.equal([]);
    const again = await vm.networks.define(spec);
    expect(again.links[0]!.switch).to.equal(made[0]);
    for (const n of ['ra', 'rb']) expect(await nicsOf(vm, n)).to.have.length(1);
  });

  it('a define whose new routers were made for it, cut by a crash before the network was stored: the next start removes them and their switch, not a system of that name made otherwise', async () => {
    const bridges = async (): Promise<string[]> =>
      (JSON.parse((await xlBehindTheBack(dir, 'ip', '-j', 'link', 'show', 'type', 'bridge')).stdout) as { ifname: string }[]).map((b) => b.ifname);
    const before = await bridges();
    // The store "dies" at the define's own intent, after the reservation and the new router, as a kill -9 would stop it there.
    const store = new FileNetworkStore(dir);
    const save = store.save.bind(store);
    let crashed = false;
    store.save = (n) => (n.pending && n.members.length === 0 ? save(n) : (crashed = true, new Promise<void>(() => {})));
    const dying = new VirtManager(backend.driver, { pollIntervalMs: 20, networkStore: store });
    await dying.init();
    const rn = randomUUID();
    await dying.networks.reserve('lab', [{ name: 'rn', uuid: rn }, { name: 'rm', uuid: randomUUID() }], ['lan0']);
    // A plain define of the name waits for nobody: it is refused while the name is reserved.
    await rejects(dying.networks.define({ name: 'lab', members: [{ system: 'ra' }] }), 'conflict', /is being defined/);
    await dying.defineSwitch('lan0');
    await dying.defineSystem({ ...spec('rn'), uuid: rn, nics: [{ bridge: 'lan0' }] });
    // 'rm' was never made for it: a system of that name defined otherwise (another UUID) must stay.
    await dying.defineSystem(spec('rm'));
    void dying.networks.define({
      name: 'lab', members: [{ system: 'ra' }, { system: 'rn' }], switches: ['lan0'], madeForIt: ['lan0'], reserved: true,
      links: [{ name: 'an', ends: [{ system: 'ra' }, { system: 'rn' }], limitBitsPerSecond: 100_000_000 }],
    }).catch(() => {});
    for (let i = 0; i < 300 && !crashed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(crashed, 'the define\'s intent was reached').to.equal(true);

    vm = await open();
    expect(await vm.networks.list()).to.deep.equal([]);
    const names = (await vm.listSystems()).map((x) => x.name);
    expect(names).to.include.members(['ra', 'rb', 'rc', 'rm']);
    expect(names).to.not.include('rn');
    expect(await bridges()).to.deep.equal(before);
    // The name is free again.
    expect((await vm.networks.define({ name: 'lab', members: [{ system: 'ra' }] })).name).to.equal('lab');
  });

  it('a reservation released after its caller undid its part frees the name, and leaves nothing stored', async () => {
    await vm.networks.reserve('lab', [{ name: 'rz', uuid: randomUUID() }]);
    await rejects(vm.networks.reserve('lab', []), 'conflict', /is being defined/);
    await vm.networks.release('lab');
    vm = await open();
    expect(await vm.networks.list()).to.deep.equal([]);
    expect((await vm.networks.define({ name: 'lab', members: [{ system: 'rb' }] })).members.map((m) => m.system)).to.deep.equal(['rb']);
  });

  it('a link\'s ends and switch are changed through the network only: a plain resource change or switch removal is refused', async () => {
    const net = await vm.networks.define({
      name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], limitBitsPerSecond: 100_000_000 }],
    });
    const end = net.links[0]!.ends[0];
    await rejects(vm.changeResources([{ system: 'ra', action: 'remove_nic', mac: end.mac }]), 'conflict', /is an end of link 'ab' of network 'wan': remove the link first/);
    await rejects(vm.changeResources([{ system: 'ra', action: 'set_nic_rate', mac: end.mac, rate: { bytesPerSecond: 1e9 } }]), 'conflict', /SetLinkBandwidth/);
    await rejects(vm.changeResources([{ system: 'ra', action: 'replace_nic', mac: end.mac, nic: { bridge: 'xenbr0' } }]), 'conflict', /remove the link first/);
    await rejects(vm.destroySwitch(net.links[0]!.switch), 'conflict', /is link 'ab' of the network 'wan': remove the link/);
    expect((await vm.getSystem('ra')).config.nics.map((x) => x.mac)).to.deep.equal([end.mac]);
    // Through the network it goes: the link's interfaces and switch with it.
    await vm.networks.removeLink('wan', 'ab');
    expect((await vm.getSystem('ra')).config.nics).to.deep.equal([]);
  });

  it('a live rate whose definition cannot be recorded is put back on the running interface', async () => {
    const net = await vm.networks.define({
      name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], limitBitsPerSecond: 100_000_000 }],
    });
    await vm.requestState('ra', 'running');
    const key = `/local/domain/0/backend/vif/${(await xlBehindTheBack(dir, 'domid', 'ra')).stdout.trim()}/0/rate`;
    expect((await xlBehindTheBack(dir, 'xenstore-read', key)).stdout).to.equal('625000,50000\n');
    // The definitions can no longer be written (as a failing disk would refuse them).
    await (backend.driver as unknown as { core: { store: { close(): Promise<void> } } }).core.store.close();
    await rejects(vm.networks.setLinkBandwidth('wan', 'ab', { limitBitsPerSecond: 8_000_000 }), 'failed', /closed/);
    expect((await xlBehindTheBack(dir, 'xenstore-read', key)).stdout).to.equal('625000,50000\n');
    expect(net.links[0]!.limitBitsPerSecond).to.equal(100_000_000);
  });

  it('destroying a network keeps a switch it made that another network names', async () => {
    const switches = async () => (await vm.switches()).map((x) => x.name);
    await vm.networks.define({ name: 'a', members: [{ system: 'ra' }], switches: ['common'] });
    await vm.networks.define({ name: 'b', members: [{ system: 'rb' }], switches: ['common'] });
    await vm.networks.destroy('a');
    expect(await switches()).to.include('common');
    await vm.networks.destroy('b');
    expect(await switches()).to.include('common'); // b did not make it: not b's to remove
  });

  it('reservations are admitted against the simulated uplink (1 Gbit/s, 950 Mbit/s advertised)', async () => {
    await rejects(vm.networks.define({
      name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], reservationBitsPerSecond: 960_000_000 }],
    }), 'invalid_argument', /950000000 bit\/s advertised/);
    expect(vm.networks.networkOf('ra')).to.equal(undefined);
    expect((await vm.getSystem('ra')).config.nics).to.deep.equal([]);
    await vm.networks.define({
      name: 'wan', members: [{ system: 'ra' }, { system: 'rb' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }], reservationBitsPerSecond: 900_000_000 }],
    });
    expect(await vm.networks.uplink()).to.deep.equal({ uplinkBitsPerSecond: 950_000_000, reservedBitsPerSecond: 900_000_000, availableBitsPerSecond: 50_000_000 });
  });

  it('a network parked paused is created paused (xl create -p) and launched as a whole; it is kept across a restart', async () => {
    await vm.networks.define({
      name: 'emergency', members: [{ system: 'ra', priority: 2 }, { system: 'rb' }, { system: 'rc' }],
      links: [{ name: 'ab', ends: [{ system: 'ra' }, { system: 'rb' }] }, { name: 'bc', ends: [{ system: 'rb' }, { system: 'rc' }] }],
    });
    const park = await vm.networks.requestStateChange('emergency', 'paused');
    if (park.kind !== 'job') throw new Error('expected a job');
    expect((await park.job.done).map((o) => [o.system, o.ok, o.state])).to.deep.equal([['ra', true, 'paused'], ['rb', true, 'paused'], ['rc', true, 'paused']]);
    expect(backend.xl.log.filter((a) => a[0] === 'create').every((a) => a.includes('-p'))).to.equal(true);
    vm = await open();
    expect((await vm.networks.get('emergency')).state).to.equal('paused');
    expect((await vm.networks.get('emergency')).requested).to.equal('paused');
    const go = await vm.networks.requestStateChange('emergency', 'running');
    if (go.kind !== 'job') throw new Error('expected a job');
    const out = await go.job.done;
    expect(out.every((o) => o.ok && o.state === 'running')).to.equal(true);
    expect(backend.xl.log.filter((a) => a[0] === 'unpause').map((a) => a[1])).to.have.members(['ra', 'rb', 'rc']);
    const stop = await vm.networks.requestStateChange('emergency', 'stopped', { shutdownTimeoutMs: 10_000 });
    if (stop.kind !== 'job') throw new Error('expected a job');
    expect((await stop.job.done).every((o) => o.ok && o.state === 'defined')).to.equal(true);
    await vm.networks.destroy('emergency');
    for (const n of ['ra', 'rb', 'rc']) expect((await vm.getSystem(n)).config.nics).to.deep.equal([]);
  });
});
