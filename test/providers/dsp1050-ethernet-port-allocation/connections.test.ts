/**
 * DSP1050 over the provider stack: each interface has a Xen_EthernetPortAllocationSettingData
 * (ResourceType 33, Parent = its RASD, HostResource = its switch, Limit in bit/second, and what
 * bounds what it receives and reserves when it is an end of a link) that is
 * part of its system's configuration; ModifyResourceSettings on it changes the rate (the
 * interface keeps its MAC) or moves the interface to another switch, and refuses what it cannot
 * do without changing anything.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { VIRT_NS } from '../../../src/providers/shared/naming.js';
import { type World, associatorNames, inst, rejects, seed, world } from '../fixture.js';

const EPASD = 'Xen_EthernetPortAllocationSettingData';
const epasd = (id: string) => CimInstanceName.of(EPASD, { InstanceID: id });

describe('providers/dsp1050: Ethernet connections of the interfaces', () => {
  let w: World;
  let webMac: string;
  let dbMac: string;
  before(async () => {
    w = await world();
    await seed(w);
    webMac = (await w.virt.getSystem('web')).config.nics[0]!.mac;
    dbMac = (await w.virt.getSystem('db')).config.nics[0]!.mac;
  });
  after(() => w.close());

  const definitions = async () => JSON.stringify((await w.virt.listSystems()).map((s) => [s.name, s.config]));
  const modify = (props: Record<string, unknown>) => w.call('ModifyResourceSettings', { ResourceSettings: [inst(EPASD, props as never)] });

  it('one connection per interface: ResourceType 33, Parent its RASD, HostResource its switch, no limit yet', async () => {
    const all = await w.enumerate(EPASD);
    expect(all.map((i) => i.get('InstanceID')).sort()).to.deep.equal([`db/${dbMac}/connection`, `web/${webMac}/connection`]);
    const c = await w.get(epasd(`web/${webMac}/connection`));
    expect(c.get('ResourceType')).to.equal(33);
    expect(c.get('Parent')).to.equal(`web/${webMac}`);
    expect(c.get('HostResource')).to.deep.equal(['/root/virt:Xen_VirtualEthernetSwitch.CreationClassName="Xen_VirtualEthernetSwitch",Name="xenbr0"']);
    expect(c.get('PoolID')).to.equal('NetworkPool/xenbr0');
    expect(c.get('AllocationUnits')).to.equal('bit/second');
    expect(c.get('Limit')).to.equal(null);
    expect(c.get('Reservation')).to.equal(0);
  });

  it('is a component of the system\'s configuration and allocated from the switch\'s pool', async () => {
    const parts = await associatorNames(w, CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:web' }), VIRT_NS,
      { AssocClass: 'Xen_VirtualSystemSettingDataComponent', ResultClass: EPASD });
    expect(parts.map((p) => p.keyString('InstanceID'))).to.deep.equal([`web/${webMac}/connection`]);
    const up = await associatorNames(w, epasd(`web/${webMac}/connection`), VIRT_NS, { AssocClass: 'Xen_VirtualSystemSettingDataComponent' });
    expect(up.map((p) => p.keyString('InstanceID'))).to.deep.equal(['Xen:web']);
    const pools = await associatorNames(w, epasd(`db/${dbMac}/connection`), VIRT_NS, { AssocClass: 'Xen_ResourceAllocationFromPool' });
    expect(pools.map((p) => p.keyString('InstanceID'))).to.deep.equal(['NetworkPool/br1']);
  });

  it('the running interface\'s connection defines its switch port (SettingsDefineState), both ways', async () => {
    const port = CimInstanceName.of('Xen_VirtualEthernetSwitchPort', {
      SystemCreationClassName: 'Xen_VirtualEthernetSwitch', SystemName: 'xenbr0', CreationClassName: 'Xen_VirtualEthernetSwitchPort', DeviceID: `web/${webMac}`,
    });
    const settings = await associatorNames(w, port, VIRT_NS, { AssocClass: 'Xen_SettingsDefineState' });
    expect(settings.map((p) => p.keyString('InstanceID'))).to.deep.equal([`web/${webMac}/connection`]);
    const ports = await associatorNames(w, epasd(`web/${webMac}/connection`), VIRT_NS, { AssocClass: 'Xen_SettingsDefineState' });
    expect(ports.map((p) => p.identity())).to.deep.equal([port.identity()]);
    // The defined system has no domain, so its interface has no port.
    expect(await associatorNames(w, epasd(`db/${dbMac}/connection`), VIRT_NS, { AssocClass: 'Xen_SettingsDefineState' })).to.be.empty;
  });

  it('ModifyResourceSettings sets the rate of the running interface; it keeps its MAC and switch', async () => {
    const r = await modify({ InstanceID: `web/${webMac}/connection`, Limit: 8_000_000, AllocationUnits: 'bit/second' });
    expect(r.returnValue).to.equal(0);
    expect((r.out['ResultingResourceSettings'] as CimInstanceName[]).map((n) => n.keyString('InstanceID'))).to.deep.equal([`web/${webMac}/connection`]);
    const web = await w.virt.getSystem('web');
    expect(web.config.nics).to.have.length(1);
    expect(web.config.nics[0]).to.include({ mac: webMac, bridge: 'xenbr0' });
    expect(web.config.nics[0]!.rate?.bytesPerSecond).to.equal(1_000_000);
    const c = await w.get(epasd(`web/${webMac}/connection`));
    expect(c.get('Limit')).to.equal(8_000_000);
    // Xen limits what an interface sends; what it receives is bounded by no setting of its own.
    expect(c.get('ReceiveBandwidthLimit')).to.equal(null);
    // In Mbit/s, and 0 removes the limit.
    await modify({ InstanceID: `web/${webMac}/connection`, Limit: 16, AllocationUnits: 'bit/second*10^6' });
    expect((await w.virt.getSystem('web')).config.nics[0]!.rate?.bytesPerSecond).to.equal(2_000_000);
    await modify({ InstanceID: `web/${webMac}/connection`, Limit: 0 });
    expect((await w.virt.getSystem('web')).config.nics[0]!.rate).to.equal(undefined);
  });

  it('ModifyResourceSettings moves an interface to another switch named by HostResource', async () => {
    const target = '/root/virt:Xen_VirtualEthernetSwitch.CreationClassName="Xen_VirtualEthernetSwitch",Name="xenbr2"';
    expect((await modify({ InstanceID: `db/${dbMac}/connection`, HostResource: [target] })).returnValue).to.equal(0);
    const nic = (await w.virt.getSystem('db')).config.nics[0]!;
    expect(nic).to.include({ mac: dbMac, bridge: 'xenbr2' });
    expect((await w.get(epasd(`db/${dbMac}/connection`))).get('PoolID')).to.equal('NetworkPool/xenbr2');
  });

  it('an instance sent back as read changes nothing', async () => {
    const before = await definitions();
    const c = await w.get(epasd(`web/${webMac}/connection`));
    const props: Record<string, unknown> = {};
    for (const [n, p] of c.properties) props[n] = p.value;
    expect((await modify(props)).returnValue).to.equal(0);
    expect(await definitions()).to.equal(before);
  });

  it('a link\'s ends show its limit and reservation; the reservation cannot be changed on the connection', async () => {
    // A host whose uplink is 1 Gbit/s (the simulated host does not report one): reservations are admitted against it.
    const facts = w.driver.hostFacts.bind(w.driver);
    w.driver.hostFacts = async () => ({ ...(await facts()), uplinkBitsPerSecond: 1_000_000_000 });
    await w.virt.defineSystem({ name: 'r1', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' } });
    await w.virt.defineSystem({ name: 'r2', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' } });
    const net = await w.virt.networks.define({
      name: 'lab', members: [{ system: 'r1' }, { system: 'r2' }],
      links: [{ name: 'r1-r2', ends: [{ system: 'r1' }, { system: 'r2' }], limitBitsPerSecond: 80_000_000, reservationBitsPerSecond: 8_000_000 }],
    });
    const link = net.links[0]!;
    for (const end of link.ends) {
      const c = await w.get(epasd(`${end.system}/${end.mac}/connection`));
      expect(c.get('Reservation'), end.system).to.equal(8_000_000);
      expect(c.get('ReceiveBandwidthReservation')).to.equal(8_000_000);
      expect(c.get('Limit')).to.equal(80_000_000);
      // What one end receives, the other end sends: bounded by that end's rate.
      expect(c.get('ReceiveBandwidthLimit')).to.equal(80_000_000);
      expect(c.get('Connection')).to.deep.equal([link.switch]);
    }
    const end = link.ends[0];
    // Sent back unchanged it is accepted; another reservation belongs to the link.
    expect((await modify({ InstanceID: `${end.system}/${end.mac}/connection`, Reservation: 8_000_000 })).returnValue).to.equal(0);
    await rejects(modify({ InstanceID: `${end.system}/${end.mac}/connection`, Reservation: 1_000_000 }), 'CIM_ERR_INVALID_PARAMETER',
      /link of the interface reserves \(8000000 bit\/second\)/);
    // In AllocationUnits, as Limit is: 8 Mbit/s is what the link reserves; 8000000 Mbit/s is not.
    const mbit = { InstanceID: `${end.system}/${end.mac}/connection`, AllocationUnits: 'bit/second*10^6' };
    expect((await modify({ ...mbit, Reservation: 8, ReceiveBandwidthReservation: 8 })).returnValue).to.equal(0);
    await rejects(modify({ ...mbit, Reservation: 8_000_000 }), 'CIM_ERR_INVALID_PARAMETER', /Reservation 8000000 bit\/second\*10\^6 cannot be set on the connection/);
    // Its rate and switch are the link's: changing one end alone is refused, naming the link.
    const before = await definitions();
    await rejects(modify({ InstanceID: `${end.system}/${end.mac}/connection`, Limit: 1_000_000 }), 'CIM_ERR_INVALID_PARAMETER',
      /end of link 'r1-r2' of the virtual network 'lab'/);
    await rejects(modify({ InstanceID: `${end.system}/${end.mac}/connection`, Connection: ['xenbr1'] }), 'CIM_ERR_INVALID_PARAMETER', /end of link 'r1-r2'/);
    expect(await definitions()).to.equal(before);
  });

  it('refuses an unknown switch, a reservation, a receive limit and a new parent; nothing changes', async () => {
    const before = await definitions();
    const id = `web/${webMac}/connection`;
    await rejects(modify({ InstanceID: id, Connection: ['xenbr9'] }), 'CIM_ERR_INVALID_PARAMETER', /Connection "xenbr9" names the virtual switch 'xenbr9', which this host does not have/);
    await rejects(modify({ InstanceID: id, HostResource: ['/root/virt:Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="db"'] }),
      'CIM_ERR_INVALID_PARAMETER', /does not name a Xen_VirtualEthernetSwitch/);
    await rejects(modify({ InstanceID: id, Reservation: 1000 }), 'CIM_ERR_INVALID_PARAMETER', /Reservation 1000 cannot be set on the connection/);
    await rejects(modify({ InstanceID: id, Limit: 8000, ReceiveBandwidthLimit: 16000 }), 'CIM_ERR_INVALID_PARAMETER',
      /ReceiveBandwidthLimit cannot be set: Xen limits what an interface sends \(Limit\); what it receives is bounded by its senders \(none is known\)/);
    await rejects(modify({ InstanceID: id, Parent: 'db/00:16:3e:00:00:01' }), 'CIM_ERR_INVALID_PARAMETER', /Parent cannot change/);
    await rejects(modify({ InstanceID: 'web/00:16:3e:99:99:99/connection', Limit: 8000 }), 'CIM_ERR_NOT_FOUND');
    // A connection comes with its interface: given on its own it would be read as one more interface.
    const conn = inst(EPASD, { ResourceType: 33, Connection: ['xenbr1'] });
    await rejects(w.call('AddResourceSettings', { AffectedConfiguration: CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:web' }), ResourceSettings: [conn] }),
      'CIM_ERR_INVALID_PARAMETER', /ResourceSettings\[0\] \(Xen_EthernetPortAllocationSettingData\): an Ethernet connection \(ResourceType 33\) comes with its interface/);
    await rejects(w.call('DefineSystem', { SystemSettings: inst('Xen_VirtualSystemSettingData', { VirtualSystemIdentifier: 'lone', Kernel: '/k' }), ResourceSettings: [conn] }),
      'CIM_ERR_INVALID_PARAMETER', /comes with its interface/);
    expect(await definitions()).to.equal(before);
  });
});
