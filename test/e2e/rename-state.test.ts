/**
 * Issue 4, over HTTP on xl-sim: ModifySystemSettings renames a running system, and
 * ModifyResourceSettings says in ResultingResourceSettings whether a change took effect live (the
 * state RASD `<sys>/<devid>:current` is returned too) or waits for the next start.
 */
import { expect } from 'chai';
import { all, first, instanceName, intrinsic, propValue, text, type ClientOptions } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { CS, VSMS, call, embeddedParam, enabledState, getInstance, instanceXml, refKeys } from '../support/virt-client.js';

const HOST = 'xenhost-rename';

describe('e2e: rename and live vs next-start resource changes over HTTP', function () {
  this.timeout(60_000);
  let app: AppServer;
  let c: ClientOptions;
  before(async () => {
    app = await startAppServer({ hostName: HOST });
    c = { port: app.port, namespace: 'root/virt' };
    const vssd = instanceXml('Xen_VirtualSystemSettingData', { ElementName: ['string', 'web1'], VirtualSystemType: ['string', 'Xen'] });
    const mem = instanceXml('Xen_MemResourceAllocationSettingData', { ResourceType: ['uint16', '4'], VirtualQuantity: ['uint64', '256'], Limit: ['uint64', '512'], AllocationUnits: ['string', 'byte*2^20'] });
    const d = await call(c, VSMS(HOST), 'DefineSystem', embeddedParam('SystemSettings', vssd) + embeddedParam('ResourceSettings', [mem]));
    expect(d.error, JSON.stringify(d.error)).to.equal(undefined);
    const s = await call(c, CS('web1'), 'RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>2</VALUE></PARAMVALUE>');
    expect(s.returnValue).to.equal(0);
  });
  after(async () => app?.close());

  const resulting = (o: Awaited<ReturnType<typeof call>>): string[] =>
    all(first(o.out.ResultingResourceSettings, 'VALUE.REFARRAY'), 'VALUE.REFERENCE').map((r) => refKeys({ 'VALUE.REFERENCE': r })!.keys.InstanceID!);

  it('renames a running system with ModifySystemSettings and changes its priority in the same call', async () => {
    const vssd = instanceXml('Xen_VirtualSystemSettingData', {
      InstanceID: ['string', 'Xen:web1'], ElementName: ['string', 'web2'], VirtualSystemIdentifier: ['string', 'web2'],
      AutomaticStartupActionSequenceNumber: ['uint16', '990'],
    });
    const r = await call(c, VSMS(HOST), 'ModifySystemSettings', embeddedParam('SystemSettings', vssd));
    expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    expect(r.returnValue).to.equal(0);
    expect(await enabledState(c, 'web2')).to.equal('2');
    expect((await getInstance(c, 'Xen_ComputerSystem', CS('web1').keys)).error?.code).to.equal(6);
    const v = await getInstance(c, 'Xen_VirtualSystemSettingData', { InstanceID: 'Xen:web2' });
    expect(propValue(v.inst!, 'AutomaticStartupActionSequenceNumber')).to.equal('990');
    const elec = await getInstance(c, 'Xen_EnabledLogicalElementCapabilities', { InstanceID: 'web2' });
    expect([propValue(elec.inst!, 'ElementNameEditSupported'), propValue(elec.inst!, 'MaxElementNameLen')]).to.deep.equal(['TRUE', '64']);
    // A rename to an invalid name is refused with a clear error.
    const bad = instanceXml('Xen_VirtualSystemSettingData', { InstanceID: ['string', 'Xen:web2'], ElementName: ['string', 'x;halt'] });
    const e = await call(c, VSMS(HOST), 'ModifySystemSettings', embeddedParam('SystemSettings', bad));
    expect(e.error?.code).to.equal(4);
    expect(e.error?.description).to.match(/name/);
  });

  it('returns the state RASD when a change took effect live, only the defined one when it waits for the next start', async () => {
    const live = instanceXml('Xen_MemResourceAllocationSettingData', { InstanceID: ['string', 'web2/mem'], VirtualQuantity: ['uint64', '300'] });
    const a = await call(c, VSMS(HOST), 'ModifyResourceSettings', embeddedParam('ResourceSettings', [live]));
    expect(a.error, JSON.stringify(a.error)).to.equal(undefined);
    expect(resulting(a)).to.deep.equal(['web2/mem', 'web2/mem:current']);
    const later = instanceXml('Xen_MemResourceAllocationSettingData', { InstanceID: ['string', 'web2/mem'], Limit: ['uint64', '2048'] });
    const b = await call(c, VSMS(HOST), 'ModifyResourceSettings', embeddedParam('ResourceSettings', [later]));
    expect(resulting(b)).to.deep.equal(['web2/mem']);
    const state = await getInstance(c, 'Xen_MemResourceAllocationSettingData', { InstanceID: 'web2/mem:current' });
    expect([propValue(state.inst!, 'VirtualQuantity'), propValue(state.inst!, 'Limit')]).to.deep.equal(['307200', '524288']); // MiB sent, KiB read back (docs/units.md)
    const defined = await getInstance(c, 'Xen_MemResourceAllocationSettingData', { InstanceID: 'web2/mem' });
    expect(propValue(defined.inst!, 'Limit')).to.equal('2097152'); // 2048 MiB in KiB
    // The state RASD is a component of the state VSSD.
    const an = await intrinsic(c, 'AssociatorNames', {
      ObjectName: instanceName('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:web2:current' }),
      AssocClass: '<CLASSNAME NAME="Xen_VirtualSystemSettingDataComponent"/>',
    });
    const parts = all(first(an.rsp, 'IRETURNVALUE'), 'OBJECTPATH').map((o) => all(first(first(o, 'INSTANCEPATH'), 'INSTANCENAME'), 'KEYBINDING').map((k) => text(first(k, 'KEYVALUE')))[0]);
    expect(parts).to.include('web2/mem:current');
    // Stopped: no state RASD.
    const stop = await call(c, CS('web2'), 'RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>3</VALUE></PARAMVALUE>');
    expect(stop.returnValue).to.equal(0);
    expect((await getInstance(c, 'Xen_MemResourceAllocationSettingData', { InstanceID: 'web2/mem:current' })).error?.code).to.equal(6);
  });
});
