/**
 * Issue 4, over HTTP with the project's own client on xl-sim: discover the profiles, define a
 * virtual system with embedded instances, drive it through every RequestStateChange transition,
 * change its resources live and offline, follow jobs, then destroy it.
 */
import { expect } from 'chai';
import { all, first, instanceName, intrinsic, propValue, text, type ClientOptions, type XmlNode } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { CS, VSMS, call, embeddedParam, enabledState, getInstance, instanceXml, refKeys, refParam, waitJob } from '../support/virt-client.js';

const HOST = 'xenhost-test';

describe('e2e: virtual system life cycle over HTTP (DSP1042/DSP1057 on xl-sim)', function () {
  this.timeout(120_000);
  let app: AppServer;
  let c: ClientOptions;
  before(async () => {
    app = await startAppServer({ users: [{ name: 'root', password: 'pw', role: 'admin' }, { name: 'op', password: 'pw', role: 'operator' }] });
    c = { port: app.port, user: 'root', password: 'pw', namespace: 'root/virt' };
  });
  after(async () => app?.close());

  const rsc = (name: string, state: number, extra = '') =>
    call(c, CS(name), 'RequestStateChange', `<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>${state}</VALUE></PARAMVALUE>${extra}`);

  /** Waits for the job of a 4096 answer, or accepts 0. */
  async function settle(o: Awaited<ReturnType<typeof rsc>>): Promise<void> {
    expect(o.error, JSON.stringify(o.error)).to.equal(undefined);
    expect(o.returnValue).to.be.oneOf([0, 4096]);
    if (o.returnValue === 4096) {
      const job = refKeys(o.out.Job);
      expect(job?.className).to.equal('Xen_ConcreteJob');
      const done = await waitJob(c, job!);
      expect(done.state, propValue(done.inst, 'ErrorDescription')).to.equal('7');
    }
  }

  it('is discoverable from root/interop: namespaces, one object manager, profiles, conforming systems', async () => {
    const ic = { ...c, namespace: 'root/interop' };
    const ns = await intrinsic(ic, 'EnumerateInstances', { ClassName: '<CLASSNAME NAME="CIM_Namespace"/>' });
    const names = all(first(ns.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE').map((n) => propValue(first(n, 'INSTANCE'), 'Name'));
    expect(names).to.include.members(['root/virt', 'root/interop']);
    const om = await intrinsic(ic, 'EnumerateInstances', { ClassName: '<CLASSNAME NAME="CIM_ObjectManager"/>' });
    expect(all(first(om.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE')).to.have.length(1);
    const cls = await intrinsic(ic, 'GetClass', { ClassName: '<CLASSNAME NAME="CIM_RegisteredProfile"/>', LocalOnly: '<VALUE>FALSE</VALUE>', IncludeQualifiers: '<VALUE>TRUE</VALUE>' });
    const org = all(first(first(cls.rsp, 'IRETURNVALUE'), 'CLASS'), 'PROPERTY').find((p) => p['@NAME'] === 'RegisteredOrganization')!;
    expect(all(org, 'QUALIFIER').map((q) => q['@NAME'])).to.include.members(['ValueMap', 'Values']);
  });

  it('defines a system from embedded VSSD and RASDs, visible through its profile', async () => {
    const vssd = instanceXml('Xen_VirtualSystemSettingData', { ElementName: ['string', 'vm1'], VirtualSystemType: ['string', 'Xen'] });
    const cpu = instanceXml('Xen_ProcResourceAllocationSettingData', { ResourceType: ['uint16', '3'], VirtualQuantity: ['uint64', '2'], Weight: ['uint32', '512'] });
    const mem = instanceXml('Xen_MemResourceAllocationSettingData', { ResourceType: ['uint16', '4'], VirtualQuantity: ['uint64', '256'], AllocationUnits: ['string', 'byte*2^20'] });
    const nic = instanceXml('Xen_NetResourceAllocationSettingData', { ResourceType: ['uint16', '10'], NetworkName: ['string', 'xenbr0'] });
    const r = await call(c, VSMS(HOST), 'DefineSystem', embeddedParam('SystemSettings', vssd) + embeddedParam('ResourceSettings', [cpu, mem, nic]));
    expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    expect(r.returnValue).to.equal(0);
    expect(refKeys(r.out.ResultingSystem)?.keys.Name).to.equal('vm1');
    expect(await enabledState(c, 'vm1')).to.equal('3');
    // Central class methodology (DSP1033): from the DSP1057 profile to the virtual systems.
    const prof = instanceName('Xen_RegisteredProfile', { InstanceID: 'CIM:DSP1057-VirtualSystem-1.0.0a' });
    const an = await intrinsic({ ...c, namespace: 'root/interop' }, 'AssociatorNames', {
      ObjectName: prof, AssocClass: '<CLASSNAME NAME="CIM_ElementConformsToProfile"/>', ResultRole: '<VALUE>ManagedElement</VALUE>',
    });
    expect(an.error).to.equal(undefined);
    const systems = all(first(an.rsp, 'IRETURNVALUE'), 'OBJECTPATH').map((o) => {
      const inst = first(first(o, 'INSTANCEPATH'), 'INSTANCENAME');
      return text(first(all(inst, 'KEYBINDING').find((k) => k['@NAME'] === 'Name'), 'KEYVALUE'));
    });
    expect(systems).to.include('vm1');
  });

  it('refuses a bad definition with a clear error and defines nothing', async () => {
    const vssd = instanceXml('Xen_VirtualSystemSettingData', { ElementName: ['string', 'a;rm -rf /'] });
    const r = await call(c, VSMS(HOST), 'DefineSystem', embeddedParam('SystemSettings', vssd));
    expect(r.error?.code ?? r.returnValue).to.not.equal(0);
    expect(JSON.stringify(r.error)).to.match(/name/i);
    expect((await getInstance(c, 'Xen_ComputerSystem', CS('a;rm -rf /').keys)).error?.code).to.equal(6);
  });

  it('goes through every RequestStateChange transition, refusing invalid ones with 4097', async () => {
    expect((await rsc('vm1', 9)).returnValue, 'pause a stopped system').to.equal(4097);
    await settle(await rsc('vm1', 2));
    expect(await enabledState(c, 'vm1')).to.equal('2');
    await settle(await rsc('vm1', 9));
    expect(await enabledState(c, 'vm1')).to.equal('9');
    await settle(await rsc('vm1', 2));
    expect(await enabledState(c, 'vm1')).to.equal('2');
    await settle(await rsc('vm1', 10));
    expect(await enabledState(c, 'vm1')).to.equal('2');
    await settle(await rsc('vm1', 11));
    expect(await enabledState(c, 'vm1')).to.equal('2');
    await settle(await rsc('vm1', 6));
    expect(await enabledState(c, 'vm1'), 'saved to disk').to.equal('6');
    await settle(await rsc('vm1', 2));
    expect(await enabledState(c, 'vm1'), 'restored').to.equal('2');
    await settle(await rsc('vm1', 4));
    expect(await enabledState(c, 'vm1'), 'clean shutdown').to.equal('3');
    await settle(await rsc('vm1', 2));
    await settle(await rsc('vm1', 3));
    expect(await enabledState(c, 'vm1'), 'hard stop').to.equal('3');
    const cs = await getInstance(c, 'Xen_ComputerSystem', CS('vm1').keys);
    expect(propValue(cs.inst!, 'RequestedState')).to.equal('3');
  });

  it('an operator may change state but not define; a bad RequestedState is an invalid parameter', async () => {
    const op = { ...c, user: 'op' };
    const r = await call(op, CS('vm1'), 'RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>2</VALUE></PARAMVALUE>');
    expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    const vssd = instanceXml('Xen_VirtualSystemSettingData', { ElementName: ['string', 'vm-op'] });
    const d = await call(op, VSMS(HOST), 'DefineSystem', embeddedParam('SystemSettings', vssd));
    expect(d.error?.code).to.equal(2);
    const bad = await rsc('vm1', 77);
    expect(bad.returnValue === 5 || bad.error?.code === 4, JSON.stringify(bad)).to.equal(true);
  });

  it('modifies resources live and adds and removes devices', async () => {
    const mem = instanceXml('Xen_MemResourceAllocationSettingData', { InstanceID: ['string', 'vm1/mem'], ResourceType: ['uint16', '4'], VirtualQuantity: ['uint64', '200'], AllocationUnits: ['string', 'byte*2^20'] });
    const m = await call(c, VSMS(HOST), 'ModifyResourceSettings', embeddedParam('ResourceSettings', [mem]));
    expect(m.error, JSON.stringify(m.error)).to.equal(undefined);
    expect(m.returnValue).to.equal(0);
    const rasd = await getInstance(c, 'Xen_MemResourceAllocationSettingData', { InstanceID: 'vm1/mem' });
    expect(propValue(rasd.inst!, 'VirtualQuantity'), '200 MiB read back in KiB (docs/units.md)').to.equal('204800');
    const disk = instanceXml('Xen_DiskResourceAllocationSettingData', { ResourceType: ['uint16', '17'], VirtualDevice: ['string', 'xvdb'], Address: ['string', '/var/lib/xen/images/vm1-data.img'] });
    const a = await call(c, VSMS(HOST), 'AddResourceSettings', refParam('AffectedConfiguration', 'Xen_VirtualSystemSettingData', { InstanceID: 'Xen:vm1' }) + embeddedParam('ResourceSettings', [disk]));
    expect(a.error, JSON.stringify(a.error)).to.equal(undefined);
    expect((await getInstance(c, 'Xen_DiskResourceAllocationSettingData', { InstanceID: 'vm1/xvdb' })).inst).to.not.equal(undefined);
    const rm = `<PARAMVALUE NAME="ResourceSettings" PARAMTYPE="reference"><VALUE.REFARRAY><VALUE.REFERENCE><INSTANCENAME CLASSNAME="Xen_DiskResourceAllocationSettingData"><KEYBINDING NAME="InstanceID"><KEYVALUE VALUETYPE="string">vm1/xvdb</KEYVALUE></KEYBINDING></INSTANCENAME></VALUE.REFERENCE></VALUE.REFARRAY></PARAMVALUE>`;
    const r = await call(c, VSMS(HOST), 'RemoveResourceSettings', rm);
    expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    expect((await getInstance(c, 'Xen_DiskResourceAllocationSettingData', { InstanceID: 'vm1/xvdb' })).error?.code).to.equal(6);
  });

  it('refuses a reservation the host cannot guarantee, changing nothing', async () => {
    const mem = instanceXml('Xen_MemResourceAllocationSettingData', { InstanceID: ['string', 'vm1/mem'], ResourceType: ['uint16', '4'], VirtualQuantity: ['uint64', String(4 * 1024 * 1024)], Limit: ['uint64', String(4 * 1024 * 1024)], AllocationUnits: ['string', 'byte*2^20'] });
    const m = await call(c, VSMS(HOST), 'ModifyResourceSettings', embeddedParam('ResourceSettings', [mem]));
    expect(m.error?.code ?? m.returnValue).to.not.equal(0);
    const rasd = await getInstance(c, 'Xen_MemResourceAllocationSettingData', { InstanceID: 'vm1/mem' });
    expect(propValue(rasd.inst!, 'VirtualQuantity'), '200 MiB read back in KiB (docs/units.md)').to.equal('204800');
  });

  it('navigates from the system along its associations', async () => {
    const on = instanceName('Xen_ComputerSystem', CS('vm1').keys);
    const classes = async (assoc: string) => {
      const r = await intrinsic(c, 'AssociatorNames', { ObjectName: on, AssocClass: `<CLASSNAME NAME="${assoc}"/>` });
      expect(r.error, `${assoc}: ${JSON.stringify(r.error)}`).to.equal(undefined);
      return all(first(r.rsp, 'IRETURNVALUE'), 'OBJECTPATH').map((o) => String(first(first(o, 'INSTANCEPATH'), 'INSTANCENAME')['@CLASSNAME']));
    };
    expect(await classes('CIM_SettingsDefineState')).to.include('Xen_VirtualSystemSettingData');
    expect(await classes('CIM_HostedDependency')).to.deep.equal(['Xen_HostSystem']);
    expect(await classes('CIM_ElementCapabilities')).to.include('Xen_EnabledLogicalElementCapabilities');
    expect(await classes('CIM_SystemDevice')).to.include.members(['Xen_Processor', 'Xen_Memory', 'Xen_NetworkPort']);
    const vssd = instanceName('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:vm1' });
    const comps = await intrinsic(c, 'AssociatorNames', { ObjectName: vssd, AssocClass: '<CLASSNAME NAME="CIM_VirtualSystemSettingDataComponent"/>' });
    const rasds = all(first(comps.rsp, 'IRETURNVALUE'), 'OBJECTPATH').map((o) => String(first(first(o, 'INSTANCEPATH'), 'INSTANCENAME')['@CLASSNAME']));
    expect(rasds).to.include.members(['Xen_ProcResourceAllocationSettingData', 'Xen_MemResourceAllocationSettingData', 'Xen_NetResourceAllocationSettingData']);
  });

  it('destroys the system (stopping it first)', async () => {
    const r = await call(c, VSMS(HOST), 'DestroySystem', refParam('AffectedSystem', 'Xen_ComputerSystem', CS('vm1').keys));
    expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    expect(r.returnValue).to.equal(0);
    expect((await getInstance(c, 'Xen_ComputerSystem', CS('vm1').keys)).error?.code).to.equal(6);
    const again = await call(c, VSMS(HOST), 'DestroySystem', refParam('AffectedSystem', 'Xen_ComputerSystem', CS('vm1').keys));
    expect(again.error?.code ?? again.returnValue).to.not.equal(0);
  });
});

export type { XmlNode };
