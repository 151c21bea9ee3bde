import { expect } from 'chai';
import { type CimInstance, CimInstanceName, CimDateTime } from '../../../src/cim/index.js';
import { EMBED_FLAGS, encodeInstance } from '../../../src/cimxml/index.js';
import { VIRT_NS, computerSystemName, elecName } from '../../../src/providers/shared/naming.js';
import { ASSOC_CLASS } from '../../../src/providers/dsp1057-virtual-system/associations.js';
import { type World as Env, cn, world, emptyDisk, inst, vsmsName, vssd } from '../fixture.js';

describe('providers/dsp1057: associations and the operations path', function () {
  this.timeout(30_000);
  let env: Env;

  before(async () => {
    env = await world();
    for (const n of ['on', 'off']) {
      await env.call('DefineSystem', {
        SystemSettings: vssd({ VirtualSystemIdentifier: n, Kernel: '/boot/vmlinuz' }),
        ResourceSettings: [
          inst('Xen_ProcResourceAllocationSettingData', { VirtualQuantity: 2 }),
          inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: emptyDisk(env, n) }),
          inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0' }),
        ],
      });
    }
    expect((await env.rsc('on', 2)).returnValue).to.equal(0);
  });
  after(async () => env.close());

  const refsOf = (a: CimInstance): CimInstanceName[] =>
    [...a.properties].map(([, p]) => p.value).filter((v): v is CimInstanceName => v instanceof CimInstanceName);

  it('every reference an association returns resolves through getInstance', async () => {
    let count = 0;
    for (const cls of Object.values(ASSOC_CLASS)) {
      const list = await env.enumerate(cls);
      expect(list.length, cls).to.be.greaterThan(0);
      for (const a of list) {
        expect(a.path, `${cls} has a path`).to.not.equal(undefined);
        for (const ref of refsOf(a)) {
          const got = await env.get(ref);
          expect(got.path!.equals(ref), ref.toString()).to.equal(true);
          count++;
        }
      }
    }
    expect(count).to.be.greaterThan(20);
  });

  it('models the two configurations of DSP1057 and devices only for the active system', async () => {
    const sds = await env.enumerate(ASSOC_CLASS.settingsDefineState);
    const csToVssd = sds.filter((a) => (a.get('ManagedElement') as CimInstanceName).className === 'Xen_ComputerSystem');
    expect(csToVssd.map((a) => (a.get('SettingData') as CimInstanceName).keyString('InstanceID')).sort()).to.deep.equal(['Xen:off', 'Xen:on']);
    const devToRasd = sds.filter((a) => (a.get('ManagedElement') as CimInstanceName).keyString('SystemName') === 'on');
    expect(devToRasd.map((a) => (a.get('SettingData') as CimInstanceName).keyString('InstanceID'))).to.include.members(['on/proc', 'on/mem', 'on/xvda']);
    expect(devToRasd.filter((a) => (a.get('SettingData') as CimInstanceName).keyString('InstanceID') === 'on/proc')).to.have.length(2);
    // Each device is also tied to its state RASD (what the running domain has).
    expect(devToRasd.map((a) => (a.get('SettingData') as CimInstanceName).keyString('InstanceID'))).to.include.members(['on/proc:current', 'on/mem:current', 'on/xvda:current']);
    expect(sds.some((a) => (a.get('ManagedElement') as CimInstanceName).keyString('SystemName') === 'off')).to.equal(false);

    const esd = await env.enumerate(ASSOC_CLASS.elementSettingData);
    const vssdLinks = esd.filter((a) => (a.get('SettingData') as CimInstanceName).className === 'Xen_VirtualSystemSettingData')
      .map((a) => [(a.get('ManagedElement') as CimInstanceName).keyString('InstanceID'), (a.get('SettingData') as CimInstanceName).keyString('InstanceID'), a.get('IsDefault'), a.get('IsCurrent'), a.get('IsNext')]);
    expect(vssdLinks).to.deep.include.members([
      ['Xen:off', 'Xen:off', 1, 1, 1],
      ['Xen:on:current', 'Xen:on', 1, 2, 1],
      ['Xen:on:current', 'Xen:on:current', 2, 1, 2],
    ]);
    const rasdLinks = esd.filter((a) => (a.get('SettingData') as CimInstanceName).className === 'Xen_MemResourceAllocationSettingData')
      .map((a) => [(a.get('ManagedElement') as CimInstanceName).keyString('InstanceID'), (a.get('SettingData') as CimInstanceName).keyString('InstanceID'), a.get('IsDefault'), a.get('IsCurrent'), a.get('IsNext')]);
    expect(rasdLinks).to.have.deep.members([
      ['off/mem', 'off/mem', 1, 1, 1],
      ['on/mem:current', 'on/mem', 1, 2, 1],
      ['on/mem:current', 'on/mem:current', 2, 1, 2],
    ]);
    const comp = await env.enumerate(ASSOC_CLASS.vssdComponent);
    const parts = (g: string) => comp.filter((a) => (a.get('GroupComponent') as CimInstanceName).keyString('InstanceID') === g).length;
    // The defined configuration also holds the Ethernet connection of each interface (DSP1050).
    expect([parts('Xen:on'), parts('Xen:on:current'), parts('Xen:off')]).to.deep.equal([5, 4, 5]);
    const current = await env.get(CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:on:current' }));
    expect(current.get('ChangeableType')).to.equal(1);
  });

  it('costs no xl call of its own per enumeration whatever the number of systems', async () => {
    for (const cls of ['Xen_ComputerSystem', 'Xen_VirtualSystemSettingData', 'Xen_MemResourceAllocationSettingData', 'Xen_Processor', ASSOC_CLASS.settingsDefineState]) {
      await new Promise((r) => setTimeout(r, 250)); // longer than the refresh interval
      const before = env.driver.metrics();
      await env.enumerate(cls);
      const after = env.driver.metrics();
      // Reads are served from the picture the driver keeps current in the background: any xl call
      // made meanwhile is one of its refreshes (one `xl list -v` each), none is the enumeration's.
      expect(after.toolCalls - before.toolCalls, cls).to.equal(after.snapshotRefreshes - before.snapshotRefreshes);
    }
  });

  it('virtual system ↔ its EnabledLogicalElementCapabilities (InstanceID = system name), from both ends', async () => {
    const elec = await env.intrinsic('AssociatorNames', { ObjectName: computerSystemName('on'), AssocClass: cn('CIM_ElementCapabilities') });
    if (elec.kind !== 'objectPaths') throw new Error(elec.kind);
    expect(elec.names.map((n) => `${n.className}:${n.keyString('InstanceID')}`)).to.deep.equal(['Xen_EnabledLogicalElementCapabilities:on']);
    const back = await env.intrinsic('AssociatorNames', { ObjectName: elecName('on'), AssocClass: cn('CIM_ElementCapabilities') });
    if (back.kind !== 'objectPaths') throw new Error(back.kind);
    expect(back.names.map((n) => n.local().identity())).to.deep.equal([computerSystemName('on').identity()]);
  });

  it('answers References from the one system a reference belongs to', async () => {
    // Switches (DSP1097) and connections (DSP1050) serve these classes too: this profile's provider is the one serving the systems.
    const dsp1057 = (cls: string) => env.registry.providersOf(VIRT_NS, cls)!.all.find((x) => x.classNames.includes('Xen_ComputerSystem'))!;
    const p = dsp1057(ASSOC_CLASS.systemDevice);
    const refs = await p.referencesTo!(env.ctx(), ASSOC_CLASS.systemDevice, computerSystemName('on'), 'GroupComponent');
    expect(refs.map((r) => (r.get('PartComponent') as CimInstanceName).keyString('DeviceID')).sort()).to.include.members(['on/0', 'on/1', 'on/mem', 'on/xvda']);
    const none = await p.referencesTo!(env.ctx(), ASSOC_CLASS.systemDevice, computerSystemName('on'), 'PartComponent');
    expect(none).to.deep.equal([]);
    const rasdRefs = await dsp1057(ASSOC_CLASS.vssdComponent).referencesTo!(
      env.ctx(), ASSOC_CLASS.vssdComponent, CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: 'on/mem' }), null);
    // The defined RASD is a component of the defined VSSD, the state RASD of the state VSSD.
    expect(rasdRefs.map((a) => (a.get('GroupComponent') as CimInstanceName).keyString('InstanceID'))).to.deep.equal(['Xen:on']);
    const stateRefs = await dsp1057(ASSOC_CLASS.vssdComponent).referencesTo!(
      env.ctx(), ASSOC_CLASS.vssdComponent, CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: 'on/mem:current' }), null);
    expect(stateRefs.map((a) => (a.get('GroupComponent') as CimInstanceName).keyString('InstanceID'))).to.deep.equal(['Xen:on:current']);
    const offState = await dsp1057(ASSOC_CLASS.vssdComponent).referencesTo!(
      env.ctx(), ASSOC_CLASS.vssdComponent, CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: 'off/mem:current' }), null);
    expect(offState).to.deep.equal([]);
  });

  it('works through Operations: Associators, wbemcli-style untyped RequestStateChange, DefineSystem with embedded text', async () => {
    const assoc = await env.intrinsic('Associators', { ObjectName: computerSystemName('off'), AssocClass: 'Xen_SettingsDefineState' });
    expect(assoc.kind).to.equal('objectsWithPath');
    if (assoc.kind === 'objectsWithPath') expect(assoc.instances.map((i) => i.get('InstanceID'))).to.deep.equal(['Xen:off']);

    const names = await env.intrinsic('AssociatorNames', { ObjectName: computerSystemName('on'), AssocClass: 'Xen_SystemDevice', ResultClass: 'CIM_Processor' });
    expect(names.kind).to.equal('objectPaths');
    if (names.kind === 'objectPaths') expect(names.names.map((n) => n.keyString('DeviceID')).sort()).to.deep.equal(['on/0', 'on/1']);

    // wbemcli sends parameters as untyped text.
    const r = await env.extrinsic(computerSystemName('on'), 'RequestStateChange', [
      { name: 'RequestedState', value: '9', untyped: true },
      { name: 'TimeoutPeriod', value: '00000000000010.000000:000', untyped: true },
    ]);
    expect(r.returnValue).to.equal(0);
    const back = await env.extrinsic(computerSystemName('on'), 'RequestStateChange', [{ name: 'RequestedState', value: 2 }]);
    expect(back.returnValue).to.equal(0);

    // pywbem sends embedded instances as CIM-XML text.
    const settings = vssd({ VirtualSystemIdentifier: 'viaops', VirtualSystemType: 'Xen HVM' });
    const mem = inst('Xen_MemResourceAllocationSettingData', { ResourceType: 4, VirtualQuantity: 384, AllocationUnits: 'byte*2^20' });
    const cpu = inst('CIM_ResourceAllocationSettingData', { ResourceType: 3, VirtualQuantity: 2 });
    const def = await env.extrinsic(vsmsName(), 'DefineSystem', [
      { name: 'SystemSettings', value: encodeInstance(settings, EMBED_FLAGS) },
      { name: 'ResourceSettings', value: [encodeInstance(mem, EMBED_FLAGS), encodeInstance(cpu, EMBED_FLAGS)] },
    ]);
    expect(def.returnValue).to.equal(0);
    const resulting = def.out.find((o) => o.name === 'ResultingSystem')!.value as CimInstanceName;
    expect(resulting.keyString('Name')).to.equal('viaops');
    expect((await env.virt.getSystem('viaops')).config).to.include({ type: 'hvm', memoryMiB: 384, vcpus: 2 });

    const job = await env.extrinsic(computerSystemName('viaops'), 'RequestStateChange', [{ name: 'RequestedState', value: 6 }]);
    expect(job.returnValue).to.equal(4097);
    const started = await env.extrinsic(computerSystemName('viaops'), 'RequestStateChange', [{ name: 'RequestedState', value: 2 }]);
    expect(started.returnValue).to.equal(0);
    const saving = await env.extrinsic(computerSystemName('viaops'), 'RequestStateChange', [{ name: 'RequestedState', value: 6 }]);
    expect(saving.returnValue).to.equal(4096);
    const jobRef = saving.out.find((o) => o.name === 'Job')!.value as CimInstanceName;
    expect(jobRef.className).to.equal('Xen_ConcreteJob');
    await env.jobs.get(jobRef.keyString('InstanceID')!)!.done;
    const cs = await env.get(computerSystemName('viaops'));
    expect(cs.get('EnabledState')).to.equal(6);
    expect(cs.get('TimeOfLastStateChange')).to.be.instanceOf(CimDateTime);
  });
});
