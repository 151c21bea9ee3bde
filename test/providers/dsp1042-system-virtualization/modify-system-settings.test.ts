/**
 * VSMS ModifySystemSettings renaming a virtual system (ElementName / VirtualSystemIdentifier of an
 * embedded VSSD whose InstanceID names the existing system), running or stopped, directly and
 * through Operations (as a client sends it), with actions/priority changed in the same call.
 */
import { expect } from 'chai';
import { CimError, CimInstanceName } from '../../../src/cim/index.js';
import { EMBED_FLAGS, encodeInstance } from '../../../src/cimxml/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { type World as Env, world, emptyDisk, inst, rejects, vsmsName, vssd } from '../fixture.js';

const vssdRef = (name: string, current = false): CimInstanceName =>
  CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: `Xen:${name}${current ? ':current' : ''}` });
const elecName = (name: string): CimInstanceName => CimInstanceName.of('Xen_EnabledLogicalElementCapabilities', { InstanceID: name });

describe('providers/dsp1042: ModifySystemSettings renames', function () {
  this.timeout(30_000);
  let env: Env;

  const define = async (name: string): Promise<void> => {
    await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: name, Kernel: '/boot/vmlinuz' }),
      ResourceSettings: [
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: emptyDisk(env, name) }),
        inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0' }),
      ],
    });
  };
  const names = async (): Promise<string[]> => (await env.virt.listSystems()).map((s) => s.name).sort();

  before(async () => {
    env = await world();
    await define('alpha');
    await define('beta');
    await define('gamma');
    expect((await env.rsc('alpha', 2)).returnValue).to.equal(0);
  });
  after(async () => env.close());

  it('renames a running system with ElementName alone; every instance follows the new name', async () => {
    const uuid = (await env.virt.getSystem('alpha')).uuid;
    const before = await env.get(computerSystemName('alpha'));
    expect(before.get('RequestedState')).to.equal(2);
    const r = await env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:alpha', ElementName: 'alpha2' }) });
    expect(r.returnValue).to.equal(0);
    expect(await names()).to.deep.equal(['alpha2', 'beta', 'gamma']);
    const cs = await env.get(computerSystemName('alpha2'));
    expect([cs.get('Name'), cs.get('ElementName'), cs.get('UUID'), cs.get('EnabledState')]).to.deep.equal(['alpha2', 'alpha2', uuid, 2]);
    // What the provider remembered follows the rename.
    expect(cs.get('RequestedState')).to.equal(2);
    for (const id of ['Xen:alpha2', 'Xen:alpha2:current']) {
      const v = await env.get(CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: id }));
      expect([v.get('ElementName'), v.get('VirtualSystemIdentifier')]).to.deep.equal(['alpha2', 'alpha2']);
    }
    expect((await env.get(elecName('alpha2'))).get('ElementNameEditSupported')).to.equal(true);
    await rejects(env.get(computerSystemName('alpha')), 'CIM_ERR_NOT_FOUND');
    await rejects(env.get(vssdRef('alpha')), 'CIM_ERR_NOT_FOUND');
    await rejects(env.get(elecName('alpha')), 'CIM_ERR_NOT_FOUND');
    expect(env.logs.some((l) => /'alpha' renamed to 'alpha2' \(running domain too\)/.test(l))).to.equal(true);
  });

  it('renames a stopped system and changes its actions and priority in the same call', async () => {
    const v = await env.get(vssdRef('beta'));
    v.set('ElementName', 'beta2');
    v.set('VirtualSystemIdentifier', 'beta2');
    v.set('AutomaticStartupActionSequenceNumber', 995);
    v.set('AutomaticRecoveryAction', 3);
    v.set('AutomaticStartupAction', 4);
    v.set('AutoStart', null);
    expect((await env.call('ModifySystemSettings', { SystemSettings: v })).returnValue).to.equal(0);
    const sys = await env.virt.getSystem('beta2');
    expect(sys.state).to.equal('defined');
    expect(sys.config).to.include({ name: 'beta2', priority: 5, onCrash: 'restart', autostart: true });
    // It starts under its new name.
    expect((await env.rsc('beta2', 2)).returnValue).to.equal(0);
    expect((await env.virt.getSystem('beta2')).state).to.equal('running');
    expect((await env.rsc('beta2', 3)).returnValue).to.equal(0);
  });

  it('refuses an existing name, an invalid name and an unknown system, and changes nothing (not even the priority)', async () => {
    const was = JSON.stringify(await env.virt.listSystems().then((l) => l.map((s) => [s.name, s.config.priority, s.config.onCrash])));
    const clash = await env.get(vssdRef('gamma'));
    clash.set('ElementName', 'beta2');
    clash.set('VirtualSystemIdentifier', null);
    clash.set('AutomaticStartupActionSequenceNumber', 900);
    await rejects(env.call('ModifySystemSettings', { SystemSettings: clash }), 'CIM_ERR_INVALID_PARAMETER', /'beta2' already exists/);
    await rejects(env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:gamma', ElementName: 'alpha2' }) }),
      'CIM_ERR_INVALID_PARAMETER', /already exists/);
    for (const bad of ['4242', 'a b', 'x;reboot', 'etc/passwd', 'n'.repeat(65)]) {
      await rejects(env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:gamma', ElementName: bad, AutomaticRecoveryAction: 3 }) }),
        'CIM_ERR_INVALID_PARAMETER', /name/);
    }
    await rejects(env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:gamma', ElementName: 'g1', VirtualSystemIdentifier: 'g2' }) }),
      'CIM_ERR_INVALID_PARAMETER', /ElementName "g1" contradicts VirtualSystemIdentifier "g2"/);
    await rejects(env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:nosuch', ElementName: 'other' }) }), 'CIM_ERR_NOT_FOUND');
    // Refused before anything runs: nothing to undo.
    await rejects(env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:gamma', ElementName: 'gamma9', AutomaticStartupActionSequenceNumber: 2001 }) }),
      'CIM_ERR_INVALID_PARAMETER');
    expect(JSON.stringify(await env.virt.listSystems().then((l) => l.map((s) => [s.name, s.config.priority, s.config.onCrash])))).to.equal(was);
  });

  it('renames a stopped system and changes its crash action', async () => {
    const v = vssd({ InstanceID: 'Xen:gamma', ElementName: 'gamma3', AutomaticRecoveryAction: 3 });
    expect((await env.call('ModifySystemSettings', { SystemSettings: v })).returnValue).to.equal(0);
    expect(await names()).to.deep.equal(['alpha2', 'beta2', 'gamma3']);
    expect((await env.virt.getSystem('gamma3')).config.onCrash).to.equal('restart');
  });

  it('renames through Operations as a client sends it (embedded instance as CIM-XML text)', async () => {
    const v = vssd({ InstanceID: 'Xen:gamma3', VirtualSystemIdentifier: 'gamma4', ElementName: 'gamma4', AutomaticStartupActionSequenceNumber: 1000 });
    const r = await env.extrinsic(vsmsName(), 'ModifySystemSettings', [{ name: 'SystemSettings', value: encodeInstance(v, EMBED_FLAGS) }]);
    expect(r.returnValue).to.equal(0);
    expect(await names()).to.deep.equal(['alpha2', 'beta2', 'gamma4']);
    const assoc = await env.intrinsic('Associators', { ObjectName: computerSystemName('gamma4'), AssocClass: 'Xen_SettingsDefineState' });
    expect(assoc.kind).to.equal('objectsWithPath');
    if (assoc.kind === 'objectsWithPath') expect(assoc.instances.map((i) => i.get('InstanceID'))).to.deep.equal(['Xen:gamma4']);
    const clash = vssd({ InstanceID: 'Xen:gamma4', ElementName: 'alpha2' });
    const e = await env.extrinsic(vsmsName(), 'ModifySystemSettings', [{ name: 'SystemSettings', value: encodeInstance(clash, EMBED_FLAGS) }])
      .then(() => null, (err: unknown) => err);
    expect(e).to.be.instanceOf(CimError);
    expect((e as CimError).statusName).to.equal('CIM_ERR_INVALID_PARAMETER');
    expect(await names()).to.deep.equal(['alpha2', 'beta2', 'gamma4']);
  });

  it('get-modify-put: a VSSD read back with one field changed is accepted; two changed fields that disagree are named', async () => {
    // ElementName changed, VirtualSystemIdentifier sent back as read: a rename.
    let v = await env.get(vssdRef('gamma4'));
    v.set('ElementName', 'gamma5');
    expect((await env.call('ModifySystemSettings', { SystemSettings: v })).returnValue).to.equal(0);
    expect(await names()).to.deep.equal(['alpha2', 'beta2', 'gamma5']);
    // AutoStart changed, AutomaticStartupAction sent back as read (2 None).
    v = await env.get(vssdRef('gamma5'));
    expect([v.get('AutoStart'), v.get('AutomaticStartupAction')]).to.deep.equal([0, 2]);
    v.set('AutoStart', 1);
    expect((await env.call('ModifySystemSettings', { SystemSettings: v })).returnValue).to.equal(0);
    expect((await env.virt.getSystem('gamma5')).config.autostart).to.equal(true);
    // AutomaticStartupAction changed, AutoStart sent back as read (1).
    v = await env.get(vssdRef('gamma5'));
    v.set('AutomaticStartupAction', 2);
    expect((await env.call('ModifySystemSettings', { SystemSettings: v })).returnValue).to.equal(0);
    expect((await env.virt.getSystem('gamma5')).config.autostart).to.equal(false);
    // Both changed, and they disagree: refused, naming both (two flags can only disagree when
    // there is nothing to compare with, as in DefineSystem).
    v = await env.get(vssdRef('gamma5'));
    v.set('ElementName', 'g6');
    v.set('VirtualSystemIdentifier', 'g7');
    await rejects(env.call('ModifySystemSettings', { SystemSettings: v }), 'CIM_ERR_INVALID_PARAMETER', /ElementName "g6" contradicts VirtualSystemIdentifier "g7"/);
    expect(await names()).to.deep.equal(['alpha2', 'beta2', 'gamma5']);
  });
});
