import { expect } from 'chai';
import { CimError, type CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { type World as Env, world, emptyDisk, inst, rejects, vssd } from '../fixture.js';

const vssdRef = (name: string): CimInstanceName => CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: `Xen:${name}` });
const rasdOf = async (env: Env, cls: string, id: string): Promise<CimInstance> => env.get(CimInstanceName.of(cls, { InstanceID: id }));

describe('providers/dsp1042: DefineSystem, ModifySystemSettings, DestroySystem', function () {
  this.timeout(30_000);
  let env: Env;
  before(async () => {
    env = await world();
  });
  after(async () => env.close());

  it('defines from a VSSD and RASDs classified by ResourceType or by class name, in any memory unit', async () => {
    const disk = emptyDisk(env, 'd1');
    const r = await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'd1', VirtualSystemType: 'Xen', Kernel: '/boot/vmlinuz', CommandLine: 'root=/dev/xvda1' }),
      ResourceSettings: [
        inst('CIM_ResourceAllocationSettingData', { ResourceType: 3, VirtualQuantity: 2, Weight: 512, Limit: 150, Reservation: 20 }),
        inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 524288, AllocationUnits: 'KiloBytes', Limit: 1, Reservation: 256 * 1024 }),
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: disk }),
        inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Address: '00:16:3e:00:00:01', Limit: 8_000_000 }),
      ],
    }).catch((e: unknown) => {
      // Limit 1 KiloBytes is not whole MiB: refused.
      expect(e).to.be.instanceOf(CimError);
      return null;
    });
    expect(r).to.equal(null);
    expect((await env.virt.listSystems()).map((s) => s.name)).to.not.include('d1');

    const ok = await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'd1', VirtualSystemType: 'Xen', Kernel: '/boot/vmlinuz', CommandLine: 'root=/dev/xvda1' }),
      ResourceSettings: [
        inst('CIM_ResourceAllocationSettingData', { ResourceType: 3, VirtualQuantity: 2, Weight: 512, Limit: 150, Reservation: 20 }),
        inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 524288, AllocationUnits: 'KiloBytes', Limit: 1048576, Reservation: 256 * 1024 }),
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: disk }),
        inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Address: '00:16:3E:00:00:01', Limit: 8_000_000 }),
      ],
    });
    expect(ok.returnValue).to.equal(0);
    const ref = ok.out!['ResultingSystem'] as CimInstanceName;
    expect(ref.equals(computerSystemName('d1'))).to.equal(true);
    const cs = await env.get(ref);
    expect(cs.get('EnabledState')).to.equal(3);
    expect(cs.get('RequestedState')).to.equal(12);
    expect(cs.get('EnabledDefault')).to.equal(3);

    const sys = await env.virt.getSystem('d1');
    expect(sys.config).to.include({ type: 'pv', vcpus: 2, cpuWeight: 512, cpuCap: 150, cpuReservationPercent: 20, memoryMiB: 512, maxMemoryMiB: 1024, memoryReservationMiB: 256 });
    expect(sys.config.nics[0]).to.deep.include({ mac: '00:16:3e:00:00:01', bridge: 'xenbr0', rate: { bytesPerSecond: 1_000_000, intervalUs: 50_000 } });

    const mem = await rasdOf(env, 'Xen_MemResourceAllocationSettingData', 'd1/mem');
    // Served in KiB (docs/units.md), whatever unit it was given in.
    expect(mem.get('VirtualQuantity')).to.equal(512 * 1024);
    expect(mem.get('AllocationUnits')).to.equal('byte*2^10');
    expect(mem.get('Limit')).to.equal(1024 * 1024);
    expect(mem.get('Reservation')).to.equal(256 * 1024);
    expect(mem.get('PoolID')).to.equal('MemoryPool/0');
    const proc = await rasdOf(env, 'Xen_ProcResourceAllocationSettingData', 'd1/proc');
    expect([proc.get('VirtualQuantity'), proc.get('Weight'), proc.get('Limit'), proc.get('Reservation'), proc.get('AllocationUnits')]).to.deep.equal([2, 512, 150, 20, 'percent']);
    const net = await rasdOf(env, 'Xen_NetResourceAllocationSettingData', 'd1/00:16:3e:00:00:01');
    expect([net.get('Limit'), net.get('AllocationUnits'), net.get('NetworkName'), net.get('PoolID')]).to.deep.equal([8_000_000, 'bit/second', 'xenbr0', 'NetworkPool/xenbr0']);
    const dsk = await rasdOf(env, 'Xen_DiskResourceAllocationSettingData', 'd1/xvda');
    expect([dsk.get('ResourceType'), dsk.get('Address'), dsk.get('VirtualDevice')]).to.deep.equal([17, disk, 'xvda']);

    const v = await env.get(vssdRef('d1'));
    expect(v.get('VirtualSystemType')).to.equal('Xen');
    expect(v.get('Kernel')).to.equal('/boot/vmlinuz');
    expect(v.get('IsFullVirt')).to.equal(false);
    // No current-state configuration while the system is only defined.
    const vssds = await env.enumerate('Xen_VirtualSystemSettingData');
    expect(vssds.map((x) => x.get('InstanceID'))).to.deep.equal(['Xen:d1']);
  });

  it('accepts xs-cim style class names, ElementName as the name, and completes missing resources from defaults', async () => {
    const r = await env.call('DefineSystem', {
      SystemSettings: vssd({ ElementName: 'vm2', VirtualSystemType: 'Xen HVM' }),
      ResourceSettings: [
        inst('Xen_ProcessorSettingData', { ResourceType: '3', VirtualQuantity: '2' }),
        inst('Xen_MemorySettingData', { ResourceType: 4, VirtualQuantity: 1, AllocationUnits: 'byte*2^30' }),
      ],
    });
    expect(r.returnValue).to.equal(0);
    const sys = await env.virt.getSystem('vm2');
    expect(sys.config).to.include({ type: 'hvm', vcpus: 2, memoryMiB: 1024 });
    expect((await env.get(vssdRef('vm2'))).get('VirtualSystemType')).to.equal('XenFV');

    await env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'bare', VirtualSystemType: 'xen pvh' }) });
    const bare = await env.virt.getSystem('bare');
    expect(bare.config).to.include({ type: 'pvh', vcpus: 1, memoryMiB: 512 });
  });

  it('serves the allocation templates in the RASD classes and accepts a modified Default template (DSP1043 workflow)', async () => {
    const mems = await env.enumerate('Xen_MemResourceAllocationSettingData');
    const def = mems.find((m) => m.get('InstanceID') === 'MemoryPool/0/Default');
    expect(def, 'memory Default template').to.not.equal(undefined);
    expect((await rasdOf(env, 'Xen_MemResourceAllocationSettingData', 'MemoryPool/0/Default')).get('InstanceID')).to.equal('MemoryPool/0/Default');
    // The template's Limit (the maximum) is its own VirtualQuantity: a larger size needs a larger Limit.
    def!.set('VirtualQuantity', 640 * 1024);
    const tooSmall = await env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'from-template' }), ResourceSettings: [def!] }).catch((e: unknown) => e);
    expect(tooSmall).to.be.instanceOf(CimError).with.property('description').that.matches(/memory Limit \(512 MiB\) must not be below memory VirtualQuantity \(640 MiB\)/).and.not.match(/memoryMiB/);
    def!.set('Limit', 1024 * 1024);
    const r = await env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'from-template' }), ResourceSettings: [def!] });
    expect(r.returnValue).to.equal(0);
    expect((await env.virt.getSystem('from-template')).config.memoryMiB).to.equal(640);
  });

  it('clones a ReferenceConfiguration (new UUID and MACs, writable disks not shared)', async () => {
    // A writable disk of the reference is never dropped silently: refused, naming it.
    const origDisk = (await env.virt.getSystem('d1')).config.disks[0]!;
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'd1-clone' }),
      ReferenceConfiguration: vssdRef('d1'),
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 768 })],
    }), 'CIM_ERR_INVALID_PARAMETER', new RegExp(`'d1' has writable disk xvda \\(${origDisk.target}\\) that a copy cannot share.*another Address`));
    expect((await env.virt.listSystems()).map((s) => s.name)).to.not.include('d1-clone');
    // With an image of its own for xvda, the copy is defined.
    const own = emptyDisk(env, 'd1-clone');
    const r = await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'd1-clone' }),
      ReferenceConfiguration: vssdRef('d1'),
      ResourceSettings: [
        inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 768 }),
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: own }),
      ],
    });
    expect(r.returnValue).to.equal(0);
    const [orig, clone] = [await env.virt.getSystem('d1'), await env.virt.getSystem('d1-clone')];
    expect(clone.config).to.include({ type: 'pv', vcpus: 2, cpuWeight: 512, memoryMiB: 768, maxMemoryMiB: 1024 });
    expect(clone.uuid).to.not.equal(orig.uuid);
    expect(clone.config.nics).to.have.length(1);
    expect(clone.config.nics[0]!.mac).to.not.equal(orig.config.nics[0]!.mac);
    expect(clone.config.disks.map((d) => [d.vdev, d.target])).to.deep.equal([['xvda', own]]);
    await rejects(env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'x' }), ReferenceConfiguration: vssdRef('nope') }), 'CIM_ERR_NOT_FOUND');
  });

  it('refuses bad definitions with a reason and defines nothing', async () => {
    const before = (await env.virt.listSystems()).length;
    await rejects(env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: '12345' }) }), 'CIM_ERR_INVALID_PARAMETER', /digit/);
    await rejects(env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'a;rm -rf' }) }), 'CIM_ERR_INVALID_PARAMETER', /name/);
    await rejects(env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'd1' }) }), 'CIM_ERR_INVALID_PARAMETER', /already exists/);
    await rejects(env.call('DefineSystem', { SystemSettings: vssd({}) }), 'CIM_ERR_INVALID_PARAMETER', /VirtualSystemIdentifier/);
    await rejects(env.call('DefineSystem', {}), 'CIM_ERR_INVALID_PARAMETER', /SystemSettings/);
    await rejects(env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'x', VirtualSystemType: 'KVM' }) }), 'CIM_ERR_INVALID_PARAMETER', /VirtualSystemType/);
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'x' }),
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { ResourceType: 3, VirtualQuantity: 1 })],
    }), 'CIM_ERR_INVALID_PARAMETER', /contradicts/);
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'x' }),
      ResourceSettings: [inst('CIM_ResourceAllocationSettingData', { VirtualQuantity: 1 })],
    }), 'CIM_ERR_INVALID_PARAMETER', /ResourceType/);
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'x' }),
      ResourceSettings: [inst('CIM_ResourceAllocationSettingData', { ResourceType: 24 })],
    }), 'CIM_ERR_INVALID_PARAMETER', /ResourceType 24/);
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'x' }),
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 1, AllocationUnits: 'furlongs' })],
    }), 'CIM_ERR_INVALID_PARAMETER', /furlongs/);
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'x' }),
      ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Reservation: 1000 })],
    }), 'CIM_ERR_INVALID_PARAMETER', /Reservation/);
    // A pool this host does not have (DSP1041: a RASD is allocated from the pool it names).
    for (const [cls, pool, quantity] of [['Xen_MemResourceAllocationSettingData', 'MemoryPool/7', 256], ['Xen_ProcResourceAllocationSettingData', 'ProcessorPool/1', 1]] as const) {
      await rejects(env.call('DefineSystem', {
        SystemSettings: vssd({ VirtualSystemIdentifier: 'x', Kernel: '/boot/vmlinuz' }),
        ResourceSettings: [inst(cls, { VirtualQuantity: quantity, PoolID: pool })],
      }), 'CIM_ERR_INVALID_PARAMETER', new RegExp(`PoolID "${pool}" names no pool of this host`));
    }
    // More guaranteed memory than the host can ever give to guests.
    await rejects(env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'huge' }),
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 1024, AllocationUnits: 'byte*2^30' })],
    }), 'CIM_ERR_FAILED', /insufficient resources: 'huge' needs 1048576 MiB/);
    expect((await env.virt.listSystems()).length).to.equal(before);
  });

  it('ModifySystemSettings changes autostart, priority and actions; refuses names that disagree', async () => {
    const v = await env.get(vssdRef('d1'));
    v.set('AutomaticStartupAction', 4);
    v.set('AutoStart', null);
    v.set('AutomaticStartupActionSequenceNumber', 990);
    v.set('AutomaticRecoveryAction', 3);
    expect((await env.call('ModifySystemSettings', { SystemSettings: v })).returnValue).to.equal(0);
    const sys = await env.virt.getSystem('d1');
    expect(sys.config).to.include({ autostart: true, priority: 10, onCrash: 'restart' });
    const after = await env.get(vssdRef('d1'));
    expect([after.get('AutoStart'), after.get('AutomaticStartupAction'), after.get('AutomaticStartupActionSequenceNumber'), after.get('AutomaticRecoveryAction')])
      .to.deep.equal([1, 4, 990, 3]);
    // AutoStart is libvirt-cim's uint16: 0 or 1, anything else named.
    const odd = await env.get(vssdRef('d1'));
    odd.set('AutoStart', 2);
    odd.set('AutomaticStartupAction', null);
    await rejects(env.call('ModifySystemSettings', { SystemSettings: odd }), 'CIM_ERR_INVALID_PARAMETER', /AutoStart 2 is not 0 \(no\) or 1/);
    expect((await env.get(computerSystemName('d1'))).get('EnabledDefault')).to.equal(2);

    const rename = await env.get(vssdRef('d1'));
    rename.set('ElementName', 'd9');
    rename.set('VirtualSystemIdentifier', 'd8');
    await rejects(env.call('ModifySystemSettings', { SystemSettings: rename }), 'CIM_ERR_INVALID_PARAMETER', /ElementName "d9" contradicts VirtualSystemIdentifier "d8"/);
    const retype = await env.get(vssdRef('d1'));
    retype.set('VirtualSystemType', 'Xen HVM');
    retype.set('IsFullVirt', true);
    await rejects(env.call('ModifySystemSettings', { SystemSettings: retype }), 'CIM_ERR_INVALID_PARAMETER', /type/);
    await rejects(env.call('ModifySystemSettings', { SystemSettings: vssd({ InstanceID: 'Xen:ghost' }) }), 'CIM_ERR_NOT_FOUND');
    expect((await env.virt.getSystem('d1')).name).to.equal('d1');
  });

  it('DestroySystem stops an active system first, then removes it and everything it scopes', async () => {
    expect((await env.rsc('d1', 2)).returnValue).to.equal(0);
    const r = await env.call('DestroySystem', { AffectedSystem: computerSystemName('d1') });
    expect(r.returnValue).to.equal(0);
    await rejects(env.get(computerSystemName('d1')), 'CIM_ERR_NOT_FOUND');
    await rejects(env.get(vssdRef('d1')), 'CIM_ERR_NOT_FOUND');
    await rejects(rasdOf(env, 'Xen_MemResourceAllocationSettingData', 'd1/mem'), 'CIM_ERR_NOT_FOUND');
    await rejects(env.call('DestroySystem', { AffectedSystem: computerSystemName('d1') }), 'CIM_ERR_NOT_FOUND');
  });
});
