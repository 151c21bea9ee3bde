/**
 * A VSMS reference parameter designates an instance of its class (DSP0004): a reference to
 * another class never designates a virtual system or one of its settings, even when its keys look
 * like one. The schema checks the class of a reference to this server; one that names a host is
 * not checked there, so the providers check it themselves.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { type World, cn, inst, rejects, seed, vssd, world } from '../fixture.js';

/** The same reference as a client naming a host would send it (the schema leaves its class unchecked). */
const elsewhere = (n: CimInstanceName): CimInstanceName => new CimInstanceName(n.className, n.keybindings, 'root/virt', 'elsewhere');

describe('providers/dsp1042: the class of a reference parameter is checked', function () {
  this.timeout(40_000);
  let w: World;
  const names = async () => (await w.virt.listSystems()).map((s) => s.name).sort();
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(async () => w.close());

  it('DestroySystem refuses a reference that is not to a Xen_ComputerSystem, and destroys nothing', async () => {
    for (const ref of [
      elsewhere(CimInstanceName.of('CIM_ManagedElement', { Name: 'db' })),
      CimInstanceName.of('Xen_HostSystem', { Name: 'db' }),
      CimInstanceName.of('Xen_HostSystem', { CreationClassName: 'Xen_HostSystem', Name: 'db' }),
      CimInstanceName.of('CIM_ComputerSystem', { Name: 'db' }),
    ]) {
      await rejects(w.call('DestroySystem', { AffectedSystem: ref }), 'CIM_ERR_INVALID_PARAMETER', /not a reference to a Xen_ComputerSystem/);
    }
    expect(await names()).to.deep.equal(['db', 'web']);
    await rejects(w.call('DestroySystem', { AffectedSystem: CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'ghost' }) }), 'CIM_ERR_NOT_FOUND');
  });

  it('DestroySystem takes a reference by CIM_ComputerSystem with the keys of a Xen_ComputerSystem', async () => {
    await w.virt.defineSystem({ name: 'gone', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' } });
    const ref = CimInstanceName.of('CIM_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'gone' });
    expect((await w.call('DestroySystem', { AffectedSystem: ref })).returnValue).to.equal(0);
    expect(await names()).to.deep.equal(['db', 'web']);
  });
  it('RemoveResourceSettings removes nothing through a reference whose class is not the setting\'s', async () => {
    const disks = async () => (await w.virt.getSystem('web')).config.disks.map((d) => d.vdev);
    expect(await disks()).to.deep.equal(['xvda']);
    for (const ref of [
      CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: 'web/xvda' }),
      CimInstanceName.of('Xen_NetResourceAllocationSettingData', { InstanceID: 'web/xvda:current' }),
    ]) {
      await rejects(w.call('RemoveResourceSettings', { ResourceSettings: [ref] }), 'CIM_ERR_NOT_FOUND', /does not exist/);
    }
    await rejects(w.call('RemoveResourceSettings', { ResourceSettings: [elsewhere(CimInstanceName.of('Xen_DiskPool', { InstanceID: 'web/xvda' }))] }),
      'CIM_ERR_INVALID_PARAMETER', /not a reference to a CIM_ResourceAllocationSettingData/);
    expect(await disks()).to.deep.equal(['xvda']);
  });

  it('DefineSystem and AddResourceSettings take a configuration only by a reference to a Xen_VirtualSystemSettingData', async () => {
    const pool = elsewhere(CimInstanceName.of('Xen_ProcessorPool', { InstanceID: 'Xen:web' }));
    await rejects(w.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'copy' }), ReferenceConfiguration: pool }),
      'CIM_ERR_INVALID_PARAMETER', /ReferenceConfiguration .* is not a reference to a Xen_VirtualSystemSettingData/);
    const nics = async () => (await w.virt.getSystem('web')).config.nics.length;
    const before = await nics();
    await rejects(w.call('AddResourceSettings', {
      AffectedConfiguration: pool, ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr1' })],
    }), 'CIM_ERR_INVALID_PARAMETER', /AffectedConfiguration .* is not a reference to a Xen_VirtualSystemSettingData/);
    expect(await nics()).to.equal(before);
    expect(await names()).to.deep.equal(['db', 'web']);
  });
  it('a reference to the state configuration of a system without a domain (Xen:<name>:current) names nothing', async () => {
    const state = CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:db:current' });
    await rejects(w.get(state), 'CIM_ERR_NOT_FOUND');
    const before = (await w.virt.getSystem('db')).config;
    await rejects(w.call('AddResourceSettings', {
      AffectedConfiguration: state, ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr1' })],
    }), 'CIM_ERR_NOT_FOUND');
    await rejects(w.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:db:current', AutomaticStartupAction: 4 }) }), 'CIM_ERR_NOT_FOUND');
    await rejects(w.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'copy2' }), ReferenceConfiguration: state }), 'CIM_ERR_NOT_FOUND');
    const after = (await w.virt.getSystem('db')).config;
    expect([after.nics.length, after.autostart]).to.deep.equal([before.nics.length, before.autostart]);
    expect(await names()).to.deep.equal(['db', 'web']);
    // While a domain exists, its state configuration is there to be used.
    const web = CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:web:current' });
    await w.get(web);
    expect((await w.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:web:current', AutomaticStartupAction: 4 }) })).returnValue).to.equal(0);
  });
  it('the VSMS methods are methods of the service instance, not static: invoked on the class they are refused and change nothing', async () => {
    const r = w.extrinsic(cn('Xen_VirtualSystemManagementService'), 'DefineSystem', [{ name: 'SystemSettings', value: vssd({ VirtualSystemIdentifier: 'static' }) }]);
    await rejects(r, 'CIM_ERR_INVALID_PARAMETER', /instance/);
    expect(await names()).to.deep.equal(['db', 'web']);
  });
  it('an allocation template (DSP1043) given to Modify or RemoveResourceSettings exists but is no setting of a system: INVALID_PARAMETER', async () => {
    const id = 'MemoryPool/0/Default';
    const template = CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: id });
    const before = await w.get(template);
    await rejects(w.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: id, VirtualQuantity: 1024 })] }),
      'CIM_ERR_INVALID_PARAMETER', /allocation template/);
    await rejects(w.call('RemoveResourceSettings', { ResourceSettings: [template] }), 'CIM_ERR_INVALID_PARAMETER', /allocation template/);
    expect((await w.get(template)).get('VirtualQuantity')).to.equal(before.get('VirtualQuantity'));
  });
  it('ModifyResourceSettings names an interface once: its RASD and its Ethernet connection (DSP1050) together are refused', async () => {
    const mac = (await w.virt.getSystem('db')).config.nics[0]!.mac;
    const before = (await w.virt.getSystem('db')).config.nics;
    await rejects(w.call('ModifyResourceSettings', { ResourceSettings: [
      inst('Xen_NetResourceAllocationSettingData', { InstanceID: `db/${mac}`, NetworkName: 'xenbr1' }),
      inst('Xen_EthernetPortAllocationSettingData', { InstanceID: `db/${mac}/connection`, HostResource: ['/root/virt:Xen_VirtualEthernetSwitch.CreationClassName="Xen_VirtualEthernetSwitch",Name="xenbr2"'] }),
    ] }), 'CIM_ERR_INVALID_PARAMETER', /designates the same resource/);
    expect((await w.virt.getSystem('db')).config.nics).to.deep.equal(before);
  });
  it('a snapshot\'s settings exist but are no configuration of a system: the VSMS refuses them as such (INVALID_PARAMETER), changing nothing', async () => {
    const service = CimInstanceName.of('Xen_VirtualSystemSnapshotService', {
      CreationClassName: 'Xen_VirtualSystemSnapshotService', Name: 'SnapshotService', SystemCreationClassName: 'Xen_HostSystem', SystemName: 'testhost',
    });
    const made = await w.extrinsic(service, 'CreateSnapshot', [{ name: 'AffectedSystem', value: computerSystemName('db') }, { name: 'SnapshotType', value: 2 }]);
    expect(made.returnValue).to.equal(0);
    const snapshot = made.out.find((o) => o.name === 'ResultingSnapshot')!.value as CimInstanceName;
    const id = snapshot.keyString('InstanceID')!.slice('Xen:snapshot:'.length);
    const mem = CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: `snapshot/${id}/mem` });
    const before = await w.get(mem);
    await rejects(w.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: `snapshot/${id}/mem`, VirtualQuantity: 2048 })] }),
      'CIM_ERR_INVALID_PARAMETER', /snapshot/);
    await rejects(w.call('RemoveResourceSettings', { ResourceSettings: [mem] }), 'CIM_ERR_INVALID_PARAMETER', /snapshot/);
    await rejects(w.call('AddResourceSettings', {
      AffectedConfiguration: snapshot, ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr1' })],
    }), 'CIM_ERR_INVALID_PARAMETER', /snapshot/);
    await rejects(w.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'fromsnap' }), ReferenceConfiguration: snapshot }), 'CIM_ERR_INVALID_PARAMETER', /snapshot/);
    expect((await w.get(mem)).get('VirtualQuantity')).to.equal(before.get('VirtualQuantity'));
    expect(await names()).to.deep.equal(['db', 'web']);
  });
});
