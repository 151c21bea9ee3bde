// A NIC is plugged into a virtual switch the host has, or refused before anything changes; the
// network pools are the host's switches, used or not.
import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { rejects } from '../support/virt-expect.js';
import { StubDriver } from './stub-driver.js';

describe('virt: virtual switches (NICs on bridges the host has)', () => {
  let d: StubDriver;
  let vm: VirtManager;
  beforeEach(() => {
    d = new StubDriver();
    d.switchList = [{ name: 'xenbr0', up: true }, { name: 'xenbr1', up: false }];
    vm = new VirtManager(d, { pollIntervalMs: 1 });
  });

  it('DefineSystem refuses a NIC on a switch the host does not have, naming it and the ones that exist', async () => {
    await rejects(vm.defineSystem({ name: 'web', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/k' }, nics: [{ bridge: 'xenbr0' }, { bridge: 'xenbr9' }] }),
      'invalid_argument', /no virtual switch \(bridge\) 'xenbr9'; it has xenbr0, xenbr1$/);
    expect(d.systems.size).to.equal(0);
    expect(d.calls.filter((c) => c.startsWith('define'))).to.deep.equal([]);
    // A switch that is down still takes interfaces.
    await vm.defineSystem({ name: 'web', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/k' }, nics: [{ bridge: 'xenbr1' }] });
    expect(d.systems.has('web')).to.equal(true);
  });

  it('adding a NIC, or moving one to another switch, needs a switch the host has; a rate change on a vanished switch does not', async () => {
    const web = d.add({ name: 'web', nics: [{ bridge: 'xenbr0', mac: '00:16:3e:00:00:01' }] });
    const before = JSON.stringify(web.config);
    await rejects(vm.changeResources([{ system: 'web', action: 'add_nic', nic: { bridge: 'nosuch' } }]), 'invalid_argument', /'nosuch'; it has xenbr0, xenbr1/);
    await rejects(vm.changeResources([{ system: 'web', action: 'replace_nic', mac: '00:16:3e:00:00:01', nic: { bridge: 'xenbr7' } }]), 'invalid_argument', /'xenbr7'/);
    expect(JSON.stringify(d.systems.get('web')!.config)).to.equal(before);
    expect(d.calls.filter((c) => /attach|detach/i.test(c))).to.deep.equal([]);
    // The switch is removed behind our back: the NIC stays, and a change that does not move it works.
    d.switchList = [{ name: 'xenbr1', up: true }];
    const r = await vm.changeResources([{ system: 'web', action: 'replace_nic', mac: '00:16:3e:00:00:01', nic: { bridge: 'xenbr0', rate: { bytesPerSecond: 1000 } } }]);
    expect(r.outcomes).to.have.length(1);
    await vm.changeResources([{ system: 'web', action: 'replace_nic', mac: '00:16:3e:00:00:01', nic: { bridge: 'xenbr1' } }]);
    expect(d.systems.get('web')!.config.nics[0]!.bridge).to.equal('xenbr1');
  });

  it('the network pools are the host switches: one with no NIC has its pool, a NIC never invents one', async () => {
    d.add({ name: 'web', nics: [{ bridge: 'xenbr0', mac: '00:16:3e:00:00:01', rate: { bytesPerSecond: 500 } }] });
    const net = (await vm.pools()).filter((p) => p.kind === 'network');
    expect(net.map((p) => [p.id, p.reserved, p.allocations.length])).to.deep.equal([['network/xenbr0', 500, 1], ['network/xenbr1', 0, 0]]);
    expect((await vm.switches()).map((s) => s.name)).to.deep.equal(['xenbr0', 'xenbr1']);
  });

  it('defineSwitch creates a switch up and without ports; an existing name is a conflict', async () => {
    expect(await vm.defineSwitch('vnet0')).to.deep.equal({ name: 'vnet0', up: true });
    expect((await vm.switches()).map((s) => s.name)).to.include('vnet0');
    await rejects(vm.defineSwitch('xenbr0'), 'conflict', /already has a virtual switch 'xenbr0'/);
  });

  it('destroySwitch refuses a switch a system has an interface on, naming the systems, and an unknown one', async () => {
    d.add({ name: 'web', nics: [{ bridge: 'xenbr1', mac: '00:16:3e:00:00:01' }] });
    await rejects(vm.destroySwitch('xenbr1'), 'invalid_state', /still has interfaces of web;/);
    await rejects(vm.destroySwitch('nosuch'), 'not_found', /no virtual switch 'nosuch'/);
    expect((await vm.switches()).map((s) => s.name)).to.deep.equal(['xenbr0', 'xenbr1']);
    await vm.destroySwitch('xenbr0');
    expect((await vm.switches()).map((s) => s.name)).to.deep.equal(['xenbr1']);
  });
});

