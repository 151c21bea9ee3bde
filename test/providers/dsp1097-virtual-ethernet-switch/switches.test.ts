/**
 * DSP1097 over the provider stack: every host switch is a Xen_VirtualEthernetSwitch with its
 * configuration, capabilities, ports (the interfaces of systems whose domain exists) and pool,
 * hosted by the host; the VSMS defines a switch from a switch configuration and destroys it,
 * refusing one that interfaces are defined on and naming their systems.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { PROVIDER_BRIDGES, type World, associatorNames, inst, rejects, seed, world } from '../fixture.js';
import { VIRT_NS } from '../../../src/providers/shared/naming.js';

const SW = 'Xen_VirtualEthernetSwitch';
const swName = (name: string) => CimInstanceName.of(SW, { CreationClassName: SW, Name: name });
const settings = (props: Record<string, string>) => inst('Xen_VirtualEthernetSwitchSettingData', props);

describe('providers/dsp1097: virtual Ethernet switches', () => {
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(() => w.close());

  it('one switch per host bridge, up (EnabledState 2), with its configuration', async () => {
    const switches = await w.enumerate(SW);
    expect(switches.map((s) => s.get('Name')).sort()).to.deep.equal([...PROVIDER_BRIDGES].sort());
    for (const s of switches) expect(s.get('EnabledState')).to.equal(2);
    const conf = await w.get(CimInstanceName.of('Xen_VirtualEthernetSwitchSettingData', { InstanceID: 'Xen:switch:xenbr0' }));
    expect(conf.get('VirtualSystemType')).to.equal('DMTF:Virtual Ethernet Switch');
    expect(conf.get('VirtualSystemIdentifier')).to.equal('xenbr0');
    expect(conf.get('AssociatedResourcePool')).to.deep.equal(['/root/virt:Xen_NetworkPool.InstanceID="NetworkPool/xenbr0"']);
  });

  it('ports: the running system\'s interface on xenbr0, none for the defined one on br1', async () => {
    const mac = (await w.virt.getSystem('web')).config.nics[0]!.mac;
    const ports = await associatorNames(w, swName('xenbr0'), VIRT_NS, { AssocClass: 'Xen_SystemDevice' });
    expect(ports.map((p) => p.keyString('DeviceID'))).to.deep.equal([`web/${mac}`]);
    expect(await associatorNames(w, swName('br1'), VIRT_NS, { AssocClass: 'Xen_SystemDevice' })).to.be.empty;
    const port = await w.get(ports[0]!.local());
    expect(port.get('SystemName')).to.equal('xenbr0');
  });

  it('hosted by the host, drawing from its network pool, with settings and capabilities', async () => {
    const host = await associatorNames(w, swName('xenbr1'), VIRT_NS, { AssocClass: 'Xen_HostedDependency' });
    expect(host.map((h) => h.className)).to.deep.equal(['Xen_HostSystem']);
    const pools = await associatorNames(w, swName('xenbr1'), VIRT_NS, { AssocClass: 'Xen_ElementAllocatedFromPool' });
    expect(pools.map((p) => p.keyString('InstanceID'))).to.deep.equal(['NetworkPool/xenbr1']);
    const sd = await associatorNames(w, swName('xenbr1'), VIRT_NS, { AssocClass: 'Xen_SettingsDefineState' });
    expect(sd.map((p) => p.keyString('InstanceID'))).to.deep.equal(['Xen:switch:xenbr1']);
    const caps = await associatorNames(w, swName('xenbr1'), VIRT_NS, { AssocClass: 'Xen_ElementCapabilities' });
    expect(caps.map((p) => p.keyString('InstanceID'))).to.deep.equal(['Xen:switch:xenbr1']);
    // From the host: its virtual systems and its switches.
    const hosted = await associatorNames(w, CimInstanceName.of('Xen_HostSystem', { CreationClassName: 'Xen_HostSystem', Name: 'testhost' }), VIRT_NS,
      { AssocClass: 'Xen_HostedDependency', ResultClass: SW });
    expect(hosted.map((h) => h.keyString('Name')).sort()).to.deep.equal([...PROVIDER_BRIDGES].sort());
    // A virtual system's element is linked to no switch.
    expect(await associatorNames(w, CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'web' }), VIRT_NS,
      { ResultClass: SW })).to.be.empty;
    const vsmc = await w.enumerate('Xen_VirtualSystemManagementCapabilities');
    expect(vsmc[0]!.get('VirtualSystemTypesSupported')).to.include('DMTF:Virtual Ethernet Switch');
  });

  it('DefineSystem with a switch configuration creates the switch and returns its reference', async () => {
    const r = await w.call('DefineSystem', { SystemSettings: settings({ VirtualSystemIdentifier: 'lab0', VirtualSystemType: 'DMTF:Virtual Ethernet Switch' }) });
    expect(r.returnValue).to.equal(0);
    const ref = r.out['ResultingSystem'] as CimInstanceName;
    expect(ref.identity()).to.equal(swName('lab0').identity());
    expect((await w.get(ref)).get('EnabledState')).to.equal(2);
    expect((await w.virt.switches()).map((s) => s.name)).to.include('lab0');
    // A Xen_VirtualSystemSettingData saying it is a switch is one too.
    const r2 = await w.call('DefineSystem', { SystemSettings: inst('Xen_VirtualSystemSettingData', { ElementName: 'lab1', VirtualSystemType: 'DMTF:VirtualEthernetSwitch' }) });
    expect((r2.out['ResultingSystem'] as CimInstanceName).keyString('Name')).to.equal('lab1');
  });

  it('DefineSystem refuses an existing name, a bad name and ports, and changes nothing', async () => {
    const before = (await w.virt.switches()).map((s) => s.name).sort();
    await rejects(w.call('DefineSystem', { SystemSettings: settings({ VirtualSystemIdentifier: 'xenbr0' }) }), 'CIM_ERR_INVALID_PARAMETER', /already has a virtual switch 'xenbr0'/);
    await rejects(w.call('DefineSystem', { SystemSettings: settings({ VirtualSystemIdentifier: 'bad name;' }) }), 'CIM_ERR_INVALID_PARAMETER');
    await rejects(w.call('DefineSystem', { SystemSettings: settings({}) }), 'CIM_ERR_INVALID_PARAMETER', /VirtualSystemIdentifier/);
    await rejects(w.call('DefineSystem', {
      SystemSettings: settings({ VirtualSystemIdentifier: 'lab9' }),
      ResourceSettings: [inst('Xen_EthernetPortAllocationSettingData', { ResourceType: 30 })],
    }), 'CIM_ERR_INVALID_PARAMETER', /ResourceSettings/);
    expect((await w.virt.switches()).map((s) => s.name).sort()).to.deep.equal(before);
  });

  it('DestroySystem removes an unused switch; one with interfaces is refused, naming the systems', async () => {
    await w.call('DefineSystem', { SystemSettings: settings({ VirtualSystemIdentifier: 'gone0' }) });
    expect((await w.call('DestroySystem', { AffectedSystem: swName('gone0') })).returnValue).to.equal(0);
    expect((await w.virt.switches()).map((s) => s.name)).to.not.include('gone0');
    await rejects(w.get(swName('gone0')), 'CIM_ERR_NOT_FOUND');
    await rejects(w.call('DestroySystem', { AffectedSystem: swName('br1') }), 'CIM_ERR_FAILED', /virtual switch 'br1' still has interfaces of db/);
    await rejects(w.call('DestroySystem', { AffectedSystem: swName('nosuch') }), 'CIM_ERR_NOT_FOUND');
    expect((await w.virt.switches()).map((s) => s.name)).to.include('br1');
  });
});
