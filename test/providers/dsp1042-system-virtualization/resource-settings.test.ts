import { expect } from 'chai';
import { type CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { deviceName } from '../../../src/providers/shared/naming.js';
import { type World as Env, world, emptyDisk, inst, rejects, vssd } from '../fixture.js';

const vssdRef = (name: string, current = false) =>
  CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: `Xen:${name}${current ? ':current' : ''}` });

describe('providers/dsp1042: Add/Modify/RemoveResourceSettings, live and offline', function () {
  this.timeout(40_000);
  let env: Env;
  const rasd = (cls: string, id: string): Promise<CimInstance> => env.get(CimInstanceName.of(cls, { InstanceID: id }));
  const config = async (name: string) => (await env.virt.getSystem(name)).config;

  before(async () => {
    env = await world();
    await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'r', Kernel: '/boot/vmlinuz' }),
      ResourceSettings: [
        inst('Xen_ProcResourceAllocationSettingData', { VirtualQuantity: 1 }),
        inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 512, Limit: 2048 }),
      ],
    });
  });
  after(async () => env.close());

  it('modifies memory, weight and cap of a defined system for its next start', async () => {
    const mem = await rasd('Xen_MemResourceAllocationSettingData', 'r/mem');
    expect(mem.get('AllocationUnits')).to.equal('byte*2^10');
    mem.set('VirtualQuantity', 768 * 1024);
    const proc = inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/proc', Weight: 300, Limit: 50 });
    const out = await env.call('ModifyResourceSettings', { ResourceSettings: [mem, proc] });
    expect(out.returnValue).to.equal(0);
    const refs = out.out!['ResultingResourceSettings'] as CimInstanceName[];
    expect(refs.map((r) => r.keyString('InstanceID'))).to.deep.equal(['r/mem', 'r/proc']);
    for (const r of refs) await env.get(r);
    expect(await config('r')).to.include({ memoryMiB: 768, maxMemoryMiB: 2048, cpuWeight: 300, cpuCap: 50 });
  });

  it('adds, modifies and removes devices while the system runs (hot-plug), all reflected in devices', async () => {
    expect((await env.rsc('r', 2)).returnValue).to.equal(0);
    const add = await env.call('AddResourceSettings', {
      AffectedConfiguration: vssdRef('r', true),
      ResourceSettings: [
        inst('Xen_DiskResourceAllocationSettingData', { ResourceType: 17, VirtualDevice: 'xvdb', Address: emptyDisk(env, 'r-b') }),
        inst('CIM_ResourceAllocationSettingData', { ResourceType: 10, Connection: ['xenbr1'], Limit: 10, AllocationUnits: 'bit/second*10^6' }),
      ],
    });
    expect(add.returnValue).to.equal(0);
    const [diskRef, netRef] = add.out!['ResultingResourceSettings'] as CimInstanceName[];
    expect(diskRef!.keyString('InstanceID')).to.equal('r/xvdb');
    const net = await env.get(netRef!);
    expect([net.get('NetworkName'), net.get('Limit')]).to.deep.equal(['xenbr1', 10_000_000]);
    const mac = net.get('Address') as string;
    const port = await env.get(deviceName('Xen_NetworkPort', 'r', mac));
    expect(port.get('Speed')).to.equal(10_000_000);
    await env.get(deviceName('Xen_LogicalDisk', 'r', 'xvdb'));

    // Rate change on the running interface; memory up live; weight live.
    net.set('Limit', 20_000_000);
    net.set('AllocationUnits', 'bit/second');
    const mem = inst('CIM_ResourceAllocationSettingData', { InstanceID: 'r/mem', VirtualQuantity: 1024 });
    const proc = inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/proc', Weight: 600 });
    expect((await env.call('ModifyResourceSettings', { ResourceSettings: [net, mem, proc] })).returnValue).to.equal(0);
    expect((await env.get(deviceName('Xen_NetworkPort', 'r', mac))).get('Speed')).to.equal(20_000_000);
    const memDev = await env.get(deviceName('Xen_Memory', 'r', 'mem'));
    expect(memDev.get('ConsumableBlocks')).to.equal((1024 * 1024 * 1024) / 4096);
    expect(memDev.get('NumberOfBlocks')).to.equal((2048 * 1024 * 1024) / 4096);
    expect(await config('r')).to.include({ memoryMiB: 1024, cpuWeight: 600 });

    // Switch the interface to another bridge (re-plugged with the same MAC).
    const move = inst('Xen_NetResourceAllocationSettingData', { InstanceID: `r/${mac}`, NetworkName: 'xenbr2' });
    expect((await env.call('ModifyResourceSettings', { ResourceSettings: [move] })).returnValue).to.equal(0);
    expect((await config('r')).nics.find((n) => n.mac === mac)).to.deep.include({ bridge: 'xenbr2', rate: { bytesPerSecond: 2_500_000, intervalUs: 50_000 } });

    const rm = await env.call('RemoveResourceSettings', { ResourceSettings: [diskRef!, CimInstanceName.of('Xen_NetResourceAllocationSettingData', { InstanceID: `r/${mac}` })] });
    expect(rm.returnValue).to.equal(0);
    expect((await config('r')).disks).to.deep.equal([]);
    expect((await config('r')).nics).to.deep.equal([]);
    await rejects(env.get(deviceName('Xen_LogicalDisk', 'r', 'xvdb')), 'CIM_ERR_NOT_FOUND');
  });

  it('refuses what cannot be done and leaves everything as it was', async () => {
    const before = await config('r');
    // Every RASD sent back as read is accepted and changes nothing.
    const asRead = await Promise.all([
      rasd('Xen_ProcResourceAllocationSettingData', 'r/proc'), rasd('Xen_MemResourceAllocationSettingData', 'r/mem'),
    ]);
    expect((await env.call('ModifyResourceSettings', { ResourceSettings: asRead })).returnValue).to.equal(0);
    expect(await config('r')).to.deep.equal(before);
    // vCPUs beyond the maximum fixed at definition.
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/proc', VirtualQuantity: 4 })] }), 'CIM_ERR_INVALID_PARAMETER', /^(?!.*(vcpus|maxVcpus)\b).*processor VirtualQuantity \(4\) exceeds the maximum number of vCPUs \(\d+\)/);
    // All or nothing: a valid weight change next to an invalid memory change is not applied.
    await rejects(env.call('ModifyResourceSettings', {
      ResourceSettings: [
        inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/proc', Weight: 999 }),
        inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'r/mem', VirtualQuantity: 4096 }),
      ],
    }), 'CIM_ERR_INVALID_PARAMETER', /^(?!.*memoryMiB).*memory VirtualQuantity \(4096 MiB\) exceeds memory Limit \(\d+ MiB\)/);
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'r/nope' })] }), 'CIM_ERR_NOT_FOUND');
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 1 })] }), 'CIM_ERR_INVALID_PARAMETER', /InstanceID/);
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/mem', VirtualQuantity: 1 })] }), 'CIM_ERR_INVALID_PARAMETER', /cannot change the memory/);
    await rejects(env.call('AddResourceSettings', { AffectedConfiguration: vssdRef('r'), ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 1 })] }), 'CIM_ERR_INVALID_PARAMETER', /ModifyResourceSettings/);
    await rejects(env.call('RemoveResourceSettings', { ResourceSettings: [CimInstanceName.of('Xen_MemResourceAllocationSettingData', { InstanceID: 'r/mem' })] }), 'CIM_ERR_INVALID_PARAMETER');
    // Adding two disks where the second is a duplicate: the first is rolled back.
    await rejects(env.call('AddResourceSettings', {
      AffectedConfiguration: vssdRef('r'),
      ResourceSettings: [
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvdc', Address: emptyDisk(env, 'c') }),
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvdc', Address: emptyDisk(env, 'c2') }),
      ],
    }), 'CIM_ERR_INVALID_PARAMETER', /already has a disk/);
    await rejects(env.call('AddResourceSettings', { AffectedConfiguration: vssdRef('ghost'), ResourceSettings: [] }), 'CIM_ERR_NOT_FOUND');
    expect(await config('r')).to.deep.equal(before);
  });

  it('refuses one resource designated twice in a call (its defined and state RASDs are one resource)', async () => {
    await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'twice', Kernel: '/boot/vmlinuz' }),
      ResourceSettings: [inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: emptyDisk(env, 'twice') })],
    });
    expect((await env.rsc('twice', 2)).returnValue).to.equal(0);
    const before = await config('twice');
    await rejects(env.call('ModifyResourceSettings', {
      ResourceSettings: [
        inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'twice/proc', Weight: 300 }),
        inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'twice/proc:current', Weight: 400 }),
      ],
    }), 'CIM_ERR_INVALID_PARAMETER', /ResourceSettings\[1\].*twice\/proc:current designates the same resource as twice\/proc/);
    const disk = CimInstanceName.of('Xen_DiskResourceAllocationSettingData', { InstanceID: 'twice/xvda' });
    await rejects(env.call('RemoveResourceSettings', { ResourceSettings: [disk, disk] }), 'CIM_ERR_INVALID_PARAMETER', /ResourceSettings\[1\]: twice\/xvda designates the same resource as twice\/xvda: give each resource once/);
    await rejects(env.call('RemoveResourceSettings', {
      ResourceSettings: [disk, CimInstanceName.of('Xen_DiskResourceAllocationSettingData', { InstanceID: 'twice/xvda:current' })],
    }), 'CIM_ERR_INVALID_PARAMETER', /designates the same resource/);
    expect(await config('twice')).to.deep.equal(before);
    expect((await env.rsc('twice', 3)).returnValue).to.equal(0);
  });

  it('two clients changing one field each of one device at once both get their change', async () => {
    await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'both', Kernel: '/boot/vmlinuz' }),
      ResourceSettings: [
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: emptyDisk(env, 'both') }),
        inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Address: '00:16:3e:00:b0:01' }),
      ],
    });
    expect((await env.rsc('both', 2)).returnValue).to.equal(0);
    const answers = await Promise.all([
      env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_DiskResourceAllocationSettingData', { InstanceID: 'both/xvda', readonly: true })] }),
      env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_DiskResourceAllocationSettingData', { InstanceID: 'both/xvda', DriverType: 'qcow2' })] }),
      env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { InstanceID: 'both/00:16:3e:00:b0:01', Limit: 8_000_000 })] }),
      env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { InstanceID: 'both/00:16:3e:00:b0:01', NetworkName: 'xenbr1' })] }),
    ]);
    expect(answers.map((a) => a.returnValue)).to.deep.equal([0, 0, 0, 0]);
    // Each answered 0: neither may have written back the other's old value.
    const c = await config('both');
    expect(c.disks[0]).to.include({ readOnly: true, format: 'qcow2' });
    expect(c.nics[0]).to.deep.include({ bridge: 'xenbr1', rate: { bytesPerSecond: 1_000_000, intervalUs: 50_000 } });
    expect((await env.rsc('both', 3)).returnValue).to.equal(0);
  });

  it('a stopped system may be given more vCPUs than it was defined with (the maximum follows); a running one is told to stop first', async () => {
    await env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'cpus', Kernel: '/boot/vmlinuz' }), ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { VirtualQuantity: 1 })] });
    const out = await env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'cpus/proc', VirtualQuantity: 4 })] });
    expect(out.returnValue).to.equal(0);
    expect(await config('cpus')).to.include({ vcpus: 4, maxVcpus: 4 });
    // Fewer again: the maximum stays (as the memory maximum does).
    await env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'cpus/proc', VirtualQuantity: 2 })] });
    expect(await config('cpus')).to.include({ vcpus: 2, maxVcpus: 4 });
    expect((await env.rsc('cpus', 2)).returnValue).to.equal(0);
    expect((await rasd('Xen_ProcResourceAllocationSettingData', 'cpus/proc:current')).get('VirtualQuantity')).to.equal(2);
    expect((await env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'cpus/proc', VirtualQuantity: 4 })] })).returnValue).to.equal(0);
    expect((await rasd('Xen_ProcResourceAllocationSettingData', 'cpus/proc:current')).get('VirtualQuantity')).to.equal(4);
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'cpus/proc', VirtualQuantity: 5 })] }),
      'CIM_ERR_INVALID_PARAMETER', /processor VirtualQuantity \(5\) exceeds the maximum number of vCPUs \(4\).*stop/);
    expect(await config('cpus')).to.include({ vcpus: 4, maxVcpus: 4 });
    expect((await env.rsc('cpus', 3)).returnValue).to.equal(0);
  });

  it('admission control refuses a reservation the host cannot guarantee, with the figures', async () => {
    const cap = await env.virt.capacity();
    const mem = inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'r/mem', Reservation: 2048 + cap.memory.availableMiB, Limit: 4096 + cap.memory.availableMiB });
    const e = await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [mem] }), 'CIM_ERR_FAILED', /insufficient resources/);
    expect(e.description).to.match(/MiB/);
    const cpu = inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/proc', Reservation: cap.processor.availablePercent + 10, Limit: 0 });
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [cpu] }), 'CIM_ERR_FAILED', /insufficient resources/);
    expect((await config('r')).memoryReservationMiB).to.be.lessThan(2048);
  });

  it('a defined system cannot be given guarantees this host could never give, as DefineSystem refuses them', async () => {
    await env.call('DefineSystem', { SystemSettings: vssd({ VirtualSystemIdentifier: 'off', Kernel: '/boot/vmlinuz' }) });
    const before = await config('off');
    const cap = await env.virt.capacity();
    const tooMuch = cap.memory.capacityMiB + 1024;
    const e = await rejects(env.call('ModifyResourceSettings', {
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'off/mem', VirtualQuantity: tooMuch, Limit: tooMuch })],
    }), 'CIM_ERR_FAILED', /insufficient resources/);
    expect(e.description).to.match(new RegExp(`needs ${tooMuch} MiB guaranteed, the host can give at most ${cap.memory.capacityMiB} MiB`));
    await rejects(env.call('ModifyResourceSettings', {
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'off/mem', Reservation: tooMuch, Limit: tooMuch })],
    }), 'CIM_ERR_FAILED', /insufficient resources/);
    expect(await config('off')).to.deep.equal(before);
    // What could fit (the host's memory is not all free now, but could be) is for the next start.
    const fits = cap.memory.capacityMiB - 64;
    expect((await env.call('ModifyResourceSettings', {
      ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'off/mem', VirtualQuantity: fits, Limit: fits })],
    })).returnValue).to.equal(0);
    expect((await config('off')).memoryMiB).to.equal(fits);
  });

  it('a saved system keeps its memory and vCPUs until restored, but its scheduler settings may change', async () => {
    const save = await env.rsc('r', 6, '00000000000010.000000:000');
    expect(save.returnValue).to.equal(0);
    await rejects(env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 'r/mem', VirtualQuantity: 600 })] }), 'CIM_ERR_FAILED', /suspended/);
    expect((await env.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 'r/proc', Weight: 128 })] })).returnValue).to.equal(0);
    expect((await config('r')).cpuWeight).to.equal(128);
    expect((await env.rsc('r', 3)).returnValue).to.equal(0);
  });
});
