/**
 * Virtual networks through the CIM operations as a client sends them: DefineNetwork with
 * routers by reference and by embedded settings, the network and its links as instances, the
 * components both ways (Associators/References), live SetLinkBandwidth, AddLink/RemoveLink,
 * DestroyNetwork, the capabilities; refusals name the element at fault and change nothing.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { LINK_CLASS, linkName, networkCapabilitiesName, networkName } from '../../../src/providers/xen-virtual-network/names.js';
import { type World, associatorNames, inst, rejects, vssd, world } from '../fixture.js';
import { callService, link, routers, service } from './helpers.js';
import { linkState } from '../../../src/topology/summary.js';

describe('providers/xen-virtual-network: define, read, navigate, change, destroy', function () {
  this.timeout(30_000);
  let w: World;
  const state = async () => JSON.stringify({
    systems: (await w.virt.listSystems()).map((s) => [s.name, s.config]),
    networks: await w.virt.networks.list(),
    switches: (await w.virt.switches()).map((s) => s.name).sort(),
  });

  beforeEach(async () => {
    w = await world();
    await routers(w);
  });
  afterEach(() => w.close());

  it('DefineNetwork: routers by reference and by embedded VSSD + RASDs, a shared switch, a link with bandwidth', async () => {
    const r = await callService(w, 'DefineNetwork', {
      NetworkName: 'lab',
      Routers: [computerSystemName('r1'), computerSystemName('r2')],
      RouterPriorities: [10, 0],
      RouterSettings: [vssd({ VirtualSystemIdentifier: 'r9', VirtualSystemType: 'Xen' })],
      RouterResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'r9/mem', ResourceType: 4, VirtualQuantity: 96, AllocationUnits: 'byte*2^20' })],
      Switches: ['labmgmt'],
      Links: [
        link('r1-r2', ['r1', 'r2'], { Limit: 100_000_000, Reservation: 10_000_000 }),
        link('r2-r9', ['r2', 'r9']),
      ],
    });
    expect(r.returnValue).to.equal(0);
    expect((r.out['ResultingNetwork'] as CimInstanceName).identity()).to.equal(networkName('lab').identity());
    expect((await w.virt.getSystem('r9')).config.memoryMiB, 'the new router, as DefineSystem would make it').to.equal(96);

    const net = await w.get(networkName('lab'));
    expect(net.get('Name')).to.equal('lab');
    expect(net.get('EnabledState'), 'stopped').to.equal(3);
    expect(net.get('HealthState')).to.equal(5);
    expect(net.get('ReservedBandwidth')).to.equal(10_000_000);
    // The simulated host's 10 Gbit/s uplink, advertised net of 5 % overhead.
    expect(net.get('ReservableBandwidth')).to.equal(9_500_000_000);

    const l = await w.get(linkName('lab', 'r1-r2'));
    expect(l.get('Limit')).to.equal(100_000_000);
    expect(l.get('Reservation')).to.equal(10_000_000);
    expect(l.get('EndpointSystems')).to.deep.equal(['r1', 'r2']);
    const macs = l.get('EndpointAddresses') as string[];
    expect(macs[0]).to.equal((await w.virt.getSystem('r1')).config.nics[1]!.mac);
    expect(l.get('SwitchName')).to.equal((await w.virt.getSystem('r1')).config.nics[1]!.bridge);
    expect(l.get('Directionality')).to.equal(2);
  });

  it('the components both ways: network → routers and links; a router or a link → its network', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'lab', Routers: [computerSystemName('r1'), computerSystemName('r2')], Links: [link('l1', ['r1', 'r2'])] });
    const parts = await associatorNames(w, networkName('lab'), 'root/virt', { AssocClass: 'Xen_VirtualNetworkComponent' });
    const ids = parts.map((p) => p.local().identity());
    expect(ids).to.include(computerSystemName('r1').identity()).and.include(computerSystemName('r2').identity()).and.include(linkName('lab', 'l1').identity());
    expect(ids, 'r3 is no member').to.not.include(computerSystemName('r3').identity());
    const linkSwitch = (await w.virt.networks.get('lab')).links[0]!.switch;
    expect(ids, 'the link\'s switch (DSP1097)').to.include(CimInstanceName.of('Xen_VirtualEthernetSwitch', { CreationClassName: 'Xen_VirtualEthernetSwitch', Name: linkSwitch }).identity());
    const sw = await w.get(parts.find((p) => p.className === 'Xen_VirtualEthernetSwitch')!.local());
    expect(sw.get('Name')).to.equal(linkSwitch);
    for (const part of [computerSystemName('r1'), linkName('lab', 'l1')]) {
      const up = await associatorNames(w, part, 'root/virt', { AssocClass: 'Xen_VirtualNetworkComponent', ResultRole: 'GroupComponent' });
      expect(up.map((n) => n.local().identity())).to.deep.equal([networkName('lab').identity()]);
    }
    const refs = await w.intrinsic('ReferenceNames', { ObjectName: computerSystemName('r2') });
    if (refs.kind !== 'objectPaths') throw new Error(refs.kind);
    expect(refs.names.filter((n) => n.className === 'Xen_VirtualNetworkComponent')).to.have.length(1);
    const host = await associatorNames(w, networkName('lab'), 'root/virt', { AssocClass: 'Xen_HostedDependency' });
    expect(host.map((h) => h.keyString('CreationClassName'))).to.deep.equal(['Xen_HostSystem']);
  });

  it('SetLinkBandwidth changes the limit on running routers without replacing an interface; 0 removes it', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'lab', Routers: [computerSystemName('r1'), computerSystemName('r2')], Links: [link('l1', ['r1', 'r2'], { Limit: 10_000_000 })] });
    const launched = await w.extrinsic(networkName('lab'), 'RequestStateChange', [{ name: 'RequestedState', value: 2 }, { name: 'TimeoutPeriod', value: '00000000000030.000000:000' }]);
    expect(launched.returnValue).to.equal(0);
    const before = (await w.virt.getSystem('r1')).config.nics.map((n) => n.mac);
    expect((await callService(w, 'SetLinkBandwidth', { AffectedLink: linkName('lab', 'l1'), Limit: 50_000_000 })).returnValue).to.equal(0);
    const r1 = await w.virt.getSystem('r1');
    expect(r1.config.nics.map((n) => n.mac), 'same interfaces').to.deep.equal(before);
    expect(r1.config.nics[1]!.rate).to.deep.include({ bytesPerSecond: 6_250_000 });
    expect((await w.get(linkName('lab', 'l1'))).get('Limit')).to.equal(50_000_000);
    expect((await callService(w, 'SetLinkBandwidth', { AffectedLink: linkName('lab', 'l1'), Limit: 0 })).returnValue).to.equal(0);
    expect((await w.get(linkName('lab', 'l1'))).get('Limit')).to.equal(null);
  });

  it('a link whose switch is down is not Enabled, as its drawing says (down) though both routers run', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'lab', Routers: [computerSystemName('r1'), computerSystemName('r2')], Links: [link('l1', ['r1', 'r2'])] });
    const launched = await w.extrinsic(networkName('lab'), 'RequestStateChange', [{ name: 'RequestedState', value: 2 }, { name: 'TimeoutPeriod', value: '00000000000030.000000:000' }]);
    expect(launched.returnValue).to.equal(0);
    expect((await w.get(linkName('lab', 'l1'))).get('EnabledState')).to.equal(2);
    const linkSwitch = (await w.virt.networks.get('lab')).links[0]!.switch;
    const switches = w.driver.switches.bind(w.driver);
    w.driver.switches = async () => (await switches()).map((sw) => (sw.name === linkSwitch ? { ...sw, up: false } : sw));
    try {
      const picture = (await w.virt.networks.picture('lab'))!;
      expect(linkState(picture, picture.links[0]!), 'the drawing').to.equal('down');
      expect((await w.get(linkName('lab', 'l1'))).get('EnabledState'), 'GetInstance').to.equal(3);
      expect((await w.enumerate(LINK_CLASS)).map((l) => l.get('EnabledState')), 'EnumerateInstances').to.deep.equal([3]);
    } finally {
      w.driver.switches = switches;
    }
  });

  it('a shared switch removed from the host behind the network is no component any more: names and instances agree', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'lab', Routers: [computerSystemName('r1')], Switches: ['labsw'] });
    const sw = CimInstanceName.of('Xen_VirtualEthernetSwitch', { CreationClassName: 'Xen_VirtualEthernetSwitch', Name: 'labsw' }).identity();
    const names = async () => (await associatorNames(w, networkName('lab'), 'root/virt', { AssocClass: 'Xen_VirtualNetworkComponent' })).map((p) => p.local().identity());
    expect(await names()).to.include(sw);
    await w.virt.destroySwitch('labsw');
    expect(await names()).to.not.include(sw);
  });

  it('AddLink and RemoveLink; DestroyNetwork leaves the routers defined', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'lab', Routers: [computerSystemName('r1'), computerSystemName('r2'), computerSystemName('r3')] });
    const added = await callService(w, 'AddLink', { AffectedNetwork: networkName('lab'), LinkSettings: link('l2', ['r2', 'r3'], { Limit: 1_000_000 }) });
    expect(added.returnValue).to.equal(0);
    expect((added.out['ResultingLink'] as CimInstanceName).keyString('InstanceID')).to.equal('lab/l2');
    expect((await w.enumerate(LINK_CLASS)).map((i) => i.get('Name'))).to.deep.equal(['l2']);
    expect((await callService(w, 'RemoveLink', { AffectedLink: linkName('lab', 'l2') })).returnValue).to.equal(0);
    expect(await w.enumerate(LINK_CLASS)).to.deep.equal([]);
    expect((await callService(w, 'DestroyNetwork', { AffectedNetwork: networkName('lab') })).returnValue).to.equal(0);
    expect(await w.enumerate('Xen_VirtualNetwork')).to.deep.equal([]);
    expect((await w.virt.listSystems()).map((s) => s.name).sort()).to.deep.equal(['r1', 'r2', 'r3']);
  });

  it('a shared switch made for a new router\'s interface is the network\'s own: DestroyNetwork removes it', async () => {
    const r = await callService(w, 'DefineNetwork', {
      NetworkName: 'lab', Routers: [computerSystemName('r1')],
      RouterSettings: [vssd({ VirtualSystemIdentifier: 'r9', VirtualSystemType: 'Xen' })],
      RouterResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { InstanceID: 'r9/net', ResourceType: 10, Connection: ['labmgmt'] })],
      Switches: ['labmgmt'],
    });
    expect(r.returnValue).to.equal(0);
    expect((await w.virt.switches()).map((x) => x.name)).to.include('labmgmt');
    await w.virt.deleteSystem('r9');
    expect((await callService(w, 'DestroyNetwork', { AffectedNetwork: networkName('lab') })).returnValue).to.equal(0);
    expect((await w.virt.switches()).map((x) => x.name)).to.not.include('labmgmt');
  });

  it('refusals name the element at fault and change nothing', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'taken', Routers: [computerSystemName('r3')] });
    const before = await state();
    await rejects(callService(w, 'DefineNetwork', { Routers: [computerSystemName('r1')] }), 'CIM_ERR_INVALID_PARAMETER', /NetworkName .* is required/);
    await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('nosuch')] }), 'CIM_ERR_NOT_FOUND', /Routers\[0\]: .*nosuch.* does not exist/);
    await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('r1')], Links: [link('l', ['r1', 'r2'])] }),
      'CIM_ERR_INVALID_PARAMETER', /Links\[0\] 'l': end 'r2' is not a router of the network/);
    await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('r1'), computerSystemName('r2')], Links: [link('l', ['r1', 'r2'], { Limit: 1000, Reservation: 2000 })] }),
      'CIM_ERR_INVALID_PARAMETER', /Links\[0\] 'l': Reservation 2000 bit\/s exceeds Limit 1000 bit\/s/);
    await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Links: [inst('Xen_VirtualSystemSettingData', { ElementName: 'l' })] }),
      'CIM_ERR_INVALID_PARAMETER', /"Links".*Xen_VirtualLink/);
    await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('r1'), computerSystemName('r2')], Links: [link('big', ['r1', 'r2'], { Reservation: 10 ** 15 })] }),
      'CIM_ERR_INVALID_PARAMETER', /link 'big' of network 'x': .*1000000000000000/);
    await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', RouterSettings: [vssd({ VirtualSystemIdentifier: 'r1' })] }),
      'CIM_ERR_INVALID_PARAMETER', /RouterSettings\[0\]: a virtual system named 'r1' already exists/);
    await rejects(callService(w, 'DefineNetwork', {
      NetworkName: 'x', RouterSettings: [vssd({ VirtualSystemIdentifier: 'n1' })],
      RouterResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { InstanceID: 'n1/nic', ResourceType: 10, NetworkName: 'nosuchbr' })],
    }), 'CIM_ERR_INVALID_PARAMETER', /RouterSettings\[0\] 'n1': an interface is on switch 'nosuchbr'/);
    // The model refuses (the uplink cannot carry the reservation) after the new router was defined: the router is undone.
    await rejects(callService(w, 'DefineNetwork', {
      NetworkName: 'x', Routers: [computerSystemName('r1')], RouterSettings: [vssd({ VirtualSystemIdentifier: 'n2' })],
      Links: [link('big', ['r1', 'n2'], { Reservation: 10 ** 15 })],
    }), 'CIM_ERR_INVALID_PARAMETER', /DefineNetwork 'x': link 'big' of network 'x': .*1000000000000000/);
    await rejects(callService(w, 'SetLinkBandwidth', { AffectedLink: linkName('taken', 'nolink'), Limit: 5 }), 'CIM_ERR_NOT_FOUND', /AffectedLink .*taken\/nolink.* does not exist/);
    await rejects(callService(w, 'DestroyNetwork', { AffectedNetwork: networkName('nosuch') }), 'CIM_ERR_NOT_FOUND', /AffectedNetwork .*nosuch.* does not exist/);
    await rejects(callService(w, 'AddLink', { AffectedNetwork: networkName('taken') }), 'CIM_ERR_INVALID_PARAMETER', /LinkSettings .* is required/);
    expect(await state()).to.equal(before);
    // The name the refused define reserved for its new router is free again.
    expect((await callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('r1')] })).returnValue).to.equal(0);
  });

  it('a network name taken or not valid, or a router already in a network, is refused before any new router is defined', async () => {
    await callService(w, 'DefineNetwork', { NetworkName: 'taken', Routers: [computerSystemName('r3')] });
    const created: string[] = [];
    const stop = w.virt.events.subscribe((e) => { if (e.type === 'system' && e.kind === 'created' && e.name === 'n1') created.push(e.name); });
    try {
      const newRouter = { RouterSettings: [vssd({ VirtualSystemIdentifier: 'n1', VirtualSystemType: 'Xen' })] };
      await rejects(callService(w, 'DefineNetwork', { NetworkName: 'taken', ...newRouter }), 'CIM_ERR_INVALID_PARAMETER', /a virtual network named 'taken' already exists/);
      await rejects(callService(w, 'DefineNetwork', { NetworkName: 'bad name', ...newRouter }), 'CIM_ERR_INVALID_PARAMETER', /network name "bad name" is not valid/);
      await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('r3')], ...newRouter }),
        'CIM_ERR_INVALID_PARAMETER', /Routers\[0\]: 'r3' already belongs to the network 'taken'/);
      await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Switches: ['-bad'], ...newRouter }), 'CIM_ERR_INVALID_PARAMETER', /"-bad" is not a valid switch name/);
      await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', Routers: [computerSystemName('r1')], ...newRouter, Links: [link('a/b', ['r1', 'n1'])] }),
        'CIM_ERR_INVALID_PARAMETER', /Links\[0\]: link name "a\/b" is not valid/);
      await rejects(callService(w, 'DefineNetwork', { NetworkName: 'x', ...newRouter, RouterSettingsPriorities: [2_000_000] }),
        'CIM_ERR_INVALID_PARAMETER', /RouterSettingsPriorities\[0\] must be a whole number from -1000000 to 1000000/);
      await w.virt.events.refresh();
      expect(created, 'no router defined and undone').to.deep.equal([]);
    } finally {
      stop();
    }
  });

  it('a new router that cannot be undone after a refusal is named in the error, not only in the log', async () => {
    const deleteSystem = w.virt.deleteSystem.bind(w.virt);
    w.virt.deleteSystem = async () => { throw new Error('xl: domain is busy'); };
    try {
      await rejects(callService(w, 'DefineNetwork', {
        NetworkName: 'x', Routers: [computerSystemName('r1')], RouterSettings: [vssd({ VirtualSystemIdentifier: 'n2' })],
        Links: [link('big', ['r1', 'n2'], { Reservation: 10 ** 15 })],
      }), 'CIM_ERR_INVALID_PARAMETER', /link 'big' of network 'x': .*1000000000000000.*; the new router 'n2' is still defined: removing it failed: xl: domain is busy/);
    } finally {
      w.virt.deleteSystem = deleteSystem;
    }
    expect((await w.virt.listSystems()).map((s) => s.name)).to.include('n2');
  });

  it('the capabilities say what the service and the networks support', async () => {
    const caps = await w.get(networkCapabilitiesName());
    expect(caps.get('SynchronousMethodsSupported')).to.deep.equal([2, 3, 4, 5, 6]);
    expect(caps.get('RequestedStatesSupported')).to.deep.equal([2, 3, 6, 9]);
    expect(caps.get('RouterDefinitionsSupported')).to.deep.equal([2, 3]);
    expect(caps.get('LiveBandwidthChangeSupported')).to.equal(true);
    const [profile] = (await w.enumerate('Xen_RegisteredProfile', 'root/interop')).filter((p) => p.get('InstanceID') === 'xen-wbem:VirtualNetwork-1.0.0');
    expect(profile!.get('RegisteredOrganization'), '1 Other: our own profile').to.equal(1);
    expect(profile!.get('OtherRegisteredOrganization')).to.equal('xen-wbem');
    const linked = await associatorNames(w, service(), 'root/virt', { AssocClass: 'Xen_ElementCapabilities' });
    expect(linked.map((n) => n.local().identity())).to.deep.equal([networkCapabilitiesName().identity()]);
  });
});
