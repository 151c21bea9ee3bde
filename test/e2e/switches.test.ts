/**
 * DSP1097 and DSP1050 over HTTP with CIM-XML (the project's client, as a pywbem request is shaped),
 * on xl-sim: the switches are found from their profile in root/interop, a switch is defined from
 * an embedded switch configuration and destroyed, an interface's Ethernet connection is read and
 * its rate changed, and a switch in use is refused with the systems named.
 */
import { expect } from 'chai';
import { all, first, instanceName, intrinsic, propValue, text, type ClientOptions, type XmlNode } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { VSMS, call, embeddedParam, getInstance, instanceXml, refKeys, refParam } from '../support/virt-client.js';

const HOST = 'xenhost-test';
const SW = (name: string) => ({ className: 'Xen_VirtualEthernetSwitch', keys: { CreationClassName: 'Xen_VirtualEthernetSwitch', Name: name } });

describe('e2e: virtual switches and Ethernet connections over HTTP (DSP1097/DSP1050 on xl-sim)', function () {
  this.timeout(60_000);
  let app: AppServer;
  let c: ClientOptions;
  before(async () => {
    app = await startAppServer({ users: [{ name: 'root', password: 'pw', role: 'admin' }] });
    c = { port: app.port, user: 'root', password: 'pw', namespace: 'root/virt' };
  });
  after(async () => app?.close());

  const names = (rsp: XmlNode, key: string) => all(first(rsp, 'IRETURNVALUE'), 'OBJECTPATH')
    .map((o) => all(first(first(o, 'INSTANCEPATH'), 'INSTANCENAME'), 'KEYBINDING').find((k) => k['@NAME'] === key))
    .map((k) => text(first(k!, 'KEYVALUE')));
  const switches = async () => {
    const r = await intrinsic(c, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="Xen_VirtualEthernetSwitch"/>' });
    expect(r.error).to.equal(undefined);
    return all(first(r.rsp, 'IRETURNVALUE'), 'INSTANCENAME').map((n) => text(first(all(n, 'KEYBINDING').find((k) => k['@NAME'] === 'Name'), 'KEYVALUE')));
  };

  it('finds the switches from the DSP1097 profile (central class methodology)', async () => {
    const prof = instanceName('Xen_RegisteredProfile', { InstanceID: 'CIM:DSP1097-VirtualEthernetSwitch-1.1.0' });
    const an = await intrinsic({ ...c, namespace: 'root/interop' }, 'AssociatorNames', {
      ObjectName: prof, AssocClass: '<CLASSNAME NAME="CIM_ElementConformsToProfile"/>', ResultRole: '<VALUE>ManagedElement</VALUE>',
    });
    expect(an.error).to.equal(undefined);
    expect(names(an.rsp, 'Name').sort()).to.deep.equal((await switches()).sort()).and.include('xenbr0');
  });

  it('DefineSystem with an embedded switch configuration creates the switch; DestroySystem removes it', async () => {
    const conf = instanceXml('Xen_VirtualEthernetSwitchSettingData', { VirtualSystemIdentifier: ['string', 'lab0'], VirtualSystemType: ['string', 'DMTF:Virtual Ethernet Switch'] });
    const d = await call(c, VSMS(HOST), 'DefineSystem', embeddedParam('SystemSettings', conf));
    expect(d.error, JSON.stringify(d.error)).to.equal(undefined);
    expect(d.returnValue).to.equal(0);
    expect(refKeys(d.out.ResultingSystem)).to.deep.equal(SW('lab0'));
    const sw = await getInstance(c, 'Xen_VirtualEthernetSwitch', SW('lab0').keys);
    expect(propValue(sw.inst!, 'EnabledState')).to.equal('2');
    expect(await switches()).to.include('lab0');
    const x = await call(c, VSMS(HOST), 'DestroySystem', refParam('AffectedSystem', 'Xen_VirtualEthernetSwitch', SW('lab0').keys));
    expect(x.error, JSON.stringify(x.error)).to.equal(undefined);
    expect(x.returnValue).to.equal(0);
    expect(await switches()).to.not.include('lab0');
  });

  it('an interface\'s connection names its switch; ModifyResourceSettings changes its rate; the switch cannot go while it is used', async () => {
    const nic = instanceXml('Xen_NetResourceAllocationSettingData', { ResourceType: ['uint16', '10'], NetworkName: ['string', 'xenbr1'] });
    const vssd = instanceXml('Xen_VirtualSystemSettingData', { VirtualSystemIdentifier: ['string', 'r1'], Kernel: ['string', '/boot/vmlinuz'] });
    const d = await call(c, VSMS(HOST), 'DefineSystem', embeddedParam('SystemSettings', vssd) + embeddedParam('ResourceSettings', [nic]));
    expect(d.error, JSON.stringify(d.error)).to.equal(undefined);
    const assoc = await intrinsic(c, 'Associators', {
      ObjectName: instanceName('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:r1' }),
      AssocClass: '<CLASSNAME NAME="Xen_VirtualSystemSettingDataComponent"/>', ResultClass: '<CLASSNAME NAME="Xen_EthernetPortAllocationSettingData"/>',
    });
    const conns = all(first(assoc.rsp, 'IRETURNVALUE'), 'VALUE.OBJECTWITHPATH').map((v) => first(v, 'INSTANCE'));
    expect(conns).to.have.length(1);
    const id = propValue(conns[0]!, 'InstanceID')!;
    expect(id).to.match(/^r1\/([0-9a-f]{2}:){5}[0-9a-f]{2}\/connection$/);
    expect(propValue(conns[0]!, 'ResourceType')).to.equal('33');
    const hr = all(conns[0]!, 'PROPERTY.ARRAY').find((p) => p['@NAME'] === 'HostResource')!;
    expect(text(first(first(hr, 'VALUE.ARRAY'), 'VALUE'))).to.contain('Xen_VirtualEthernetSwitch').and.contain('Name="xenbr1"');

    // EnumerateInstances (streamed from the provider) has it too.
    const en = await intrinsic(c, 'EnumerateInstances', { ClassName: '<CLASSNAME NAME="Xen_EthernetPortAllocationSettingData"/>' });
    expect(en.error).to.equal(undefined);
    expect(all(first(en.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE').map((v) => propValue(first(v, 'INSTANCE'), 'InstanceID'))).to.deep.equal([id]);

    const change = instanceXml('Xen_EthernetPortAllocationSettingData', { InstanceID: ['string', id], Limit: ['uint64', '10'], AllocationUnits: ['string', 'bit/second*10^6'] });
    const m = await call(c, VSMS(HOST), 'ModifyResourceSettings', embeddedParam('ResourceSettings', [change]));
    expect(m.error, JSON.stringify(m.error)).to.equal(undefined);
    expect(m.returnValue).to.equal(0);
    const after = await getInstance(c, 'Xen_EthernetPortAllocationSettingData', { InstanceID: id });
    expect(propValue(after.inst!, 'Limit')).to.equal('10000000');

    const x = await call(c, VSMS(HOST), 'DestroySystem', refParam('AffectedSystem', 'Xen_VirtualEthernetSwitch', SW('xenbr1').keys));
    expect(x.error?.code).to.equal(1);
    expect(x.error?.description).to.match(/virtual switch 'xenbr1' still has interfaces of r1/);
    expect(await switches()).to.include('xenbr1');
  });
});
