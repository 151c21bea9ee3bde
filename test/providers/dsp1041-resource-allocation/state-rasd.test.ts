/**
 * DSP1057's two configurations for resources: defined RASDs (`<sys>/<devid>`) and, while a domain
 * exists, state RASDs (`<sys>/<devid>:current`) with what the running domain has. Modify/Add
 * ResourceSettings say in ResultingResourceSettings whether a change took effect live (the state
 * RASD is returned too) or only on the definition for the next start (only the defined RASD).
 */
import { expect } from 'chai';
import { CimError, type CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { isTemplateInstanceId, parseRasdId, rasdId } from '../../../src/providers/shared/naming.js';
import { VirtManager } from '../../../src/virt/index.js';
import { type World as Env, world, emptyDisk, inst, vssd, xlBackend } from '../fixture.js';

const MEM = 'Xen_MemResourceAllocationSettingData';
const PROC = 'Xen_ProcResourceAllocationSettingData';
/** Memory RASDs are served in KiB (byte*2^10); a quantity sent without units is read in MiB (docs/units.md). */
const K = 1024;
const ids = (refs: unknown): string[] => (refs as CimInstanceName[]).map((r) => r.keyString('InstanceID')!);
const vssdRef = (name: string): CimInstanceName => CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: `Xen:${name}` });

describe('providers/dsp1041: state RASDs and live vs next-start changes', function () {
  this.timeout(40_000);
  let env: Env;
  const get = (cls: string, id: string): Promise<CimInstance> => env.get(CimInstanceName.of(cls, { InstanceID: id }));
  const modify = async (...rasds: CimInstance[]): Promise<string[]> => {
    const r = await env.call('ModifyResourceSettings', { ResourceSettings: rasds });
    expect(r.returnValue).to.equal(0);
    return ids(r.out!['ResultingResourceSettings']);
  };

  before(async () => {
    env = await world();
    for (const name of ['live', 'idle']) {
      await env.call('DefineSystem', {
        SystemSettings: vssd({ VirtualSystemIdentifier: name, Kernel: '/boot/vmlinuz' }),
        ResourceSettings: [
          inst(PROC, { VirtualQuantity: 1 }),
          inst(MEM, { VirtualQuantity: 256, Limit: 512 }),
          inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: emptyDisk(env, name) }),
          inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Address: '00:16:3e:00:00:0' + (name === 'live' ? '1' : '2') }),
        ],
      });
    }
    expect((await env.rsc('live', 2)).returnValue).to.equal(0);
  });
  after(async () => env.close());

  it('parses the three RASD InstanceID shapes in one place', () => {
    expect(parseRasdId('vm1/mem')).to.deep.equal({ kind: 'system', system: 'vm1', devid: 'mem', role: 'defined' });
    expect(parseRasdId('vm1/mem:current')).to.deep.equal({ kind: 'system', system: 'vm1', devid: 'mem', role: 'current' });
    expect(parseRasdId('vm1/00:16:3e:00:00:01:current')).to.deep.equal({ kind: 'system', system: 'vm1', devid: '00:16:3e:00:00:01', role: 'current' });
    expect(parseRasdId('vm1/00:16:3e:00:00:01')).to.deep.equal({ kind: 'system', system: 'vm1', devid: '00:16:3e:00:00:01', role: 'defined' });
    expect(parseRasdId('MemoryPool/0/Default')).to.deep.equal({ kind: 'template', poolId: 'MemoryPool/0', role: 'Default' });
    expect(parseRasdId('NetworkPool/xenbr0/Increment')).to.deep.equal({ kind: 'template', poolId: 'NetworkPool/xenbr0', role: 'Increment' });
    for (const bad of ['vm1', '/mem', 'vm1/', 'vm1/:current', 'a/b/c', 'MemoryPool/0/current']) expect(parseRasdId(bad), bad).to.equal(undefined);
    expect(rasdId('vm1', 'xvda', 'current')).to.equal('vm1/xvda:current');
    expect(isTemplateInstanceId('MemoryPool/0/Maximum')).to.equal(true);
    expect(isTemplateInstanceId('vm1/mem:current')).to.equal(false);
  });

  it('serves state RASDs only while a domain exists, with the live figures', async () => {
    const mems = (await env.enumerate(MEM)).map((i) => i.get('InstanceID'));
    expect(mems).to.include.members(['live/mem', 'live/mem:current', 'idle/mem', 'MemoryPool/0/Default']);
    expect(mems).to.not.include('idle/mem:current');
    const nets = (await env.enumerate('Xen_NetResourceAllocationSettingData')).map((i) => i.get('InstanceID'));
    expect(nets).to.include.members(['live/00:16:3e:00:00:01', 'live/00:16:3e:00:00:01:current', 'idle/00:16:3e:00:00:02']);
    const state = await get(MEM, 'live/mem:current');
    expect([state.get('VirtualQuantity'), state.get('Limit'), state.get('ElementName')]).to.deep.equal([256 * K, 512 * K, 'mem']);
    expect((await get(PROC, 'live/proc:current')).get('VirtualQuantity')).to.equal(1);
    await get('Xen_DiskResourceAllocationSettingData', 'live/xvda:current');
    for (const [cls, id] of [[MEM, 'idle/mem:current'], [PROC, 'idle/proc:current'], ['Xen_DiskResourceAllocationSettingData', 'idle/xvda:current'], [MEM, 'live/nope:current']] as const) {
      const e = await get(cls, id).then(() => null, (err: unknown) => err);
      expect(e, id).to.be.instanceOf(CimError).with.property('statusName', 'CIM_ERR_NOT_FOUND');
    }
    // Templates still resolve.
    expect((await get(MEM, 'MemoryPool/0/Default')).get('InstanceID')).to.equal('MemoryPool/0/Default');
  });

  it('a change applied live returns the state RASD too, which shows the new figure', async () => {
    expect(await modify(inst(MEM, { InstanceID: 'live/mem', VirtualQuantity: 384 }), inst(PROC, { InstanceID: 'live/proc', Weight: 700, Limit: 80 })))
      .to.deep.equal(['live/mem', 'live/proc', 'live/mem:current', 'live/proc:current']);
    expect((await get(MEM, 'live/mem:current')).get('VirtualQuantity')).to.equal(384 * K);
    const proc = await get(PROC, 'live/proc:current');
    expect([proc.get('Weight'), proc.get('Limit')]).to.deep.equal([700, 80]);
    expect(env.logs.some((l) => /next start only/.test(l))).to.equal(false);
  });

  it('a change Xen cannot make live goes to the definition only: no state RASD in the result, the state keeps the live figure', async () => {
    // The memory maximum is fixed at boot for growth: raising it (and a target above the old one) waits for the next start.
    expect(await modify(inst(MEM, { InstanceID: 'live/mem', VirtualQuantity: 768, Limit: 1024 }))).to.deep.equal(['live/mem']);
    const defined = await get(MEM, 'live/mem');
    const state = await get(MEM, 'live/mem:current');
    expect([defined.get('VirtualQuantity'), defined.get('Limit'), defined.get('Reservation')]).to.deep.equal([768 * K, 1024 * K, 768 * K]);
    // The running figures only: no reservation beyond the maximum the domain booted with.
    expect([state.get('VirtualQuantity'), state.get('Limit'), state.get('Reservation')]).to.deep.equal([384 * K, 512 * K, 512 * K]);
    expect(env.logs.some((l) => /next start only: live\/mem/.test(l))).to.equal(true);
    // Mixed in one call: the weight goes live, the memory still waits.
    expect(await modify(inst(PROC, { InstanceID: 'live/proc', Weight: 300 }), inst(MEM, { InstanceID: 'live/mem', VirtualQuantity: 768 })))
      .to.deep.equal(['live/proc', 'live/mem', 'live/proc:current']);
    // A target that fits the running maximum goes live again (and may be given by the state RASD's ID).
    expect(await modify(inst(MEM, { InstanceID: 'live/mem:current', VirtualQuantity: 500 }))).to.deep.equal(['live/mem', 'live/mem:current']);
    expect((await get(MEM, 'live/mem:current')).get('VirtualQuantity')).to.equal(500 * K);
    expect((await get(MEM, 'live/mem')).get('Limit')).to.equal(1024 * K);
  });

  it('a RASD sent back as read with one property changed changes only that property (a state RASD keeps the next-start settings)', async () => {
    const before = (await env.virt.getSystem('live')).config;
    expect(before).to.include({ memoryMiB: 500, maxMemoryMiB: 1024, memoryReservationMiB: 500 });
    // Get-modify-put on the state RASD: the live figures (the maximum the domain booted with, 512 MiB) go back as read.
    const state = await get(MEM, 'live/mem:current');
    state.set('VirtualQuantity', 450 * K);
    expect(await modify(state)).to.deep.equal(['live/mem', 'live/mem:current']);
    expect((await env.virt.getSystem('live')).config).to.include({ memoryMiB: 450, maxMemoryMiB: 1024, memoryReservationMiB: 450 });
    // The processor's too: the running system's weight, sent back, is not a change.
    const proc = await get(PROC, 'live/proc:current');
    proc.set('Limit', 60);
    expect(await modify(proc)).to.deep.equal(['live/proc', 'live/proc:current']);
    expect((await env.virt.getSystem('live')).config).to.include({ cpuWeight: 300, cpuCap: 60 });
    state.set('VirtualQuantity', 500 * K);
    expect(await modify(state)).to.deep.equal(['live/mem', 'live/mem:current']);
    expect((await env.virt.getSystem('live')).config).to.include({ memoryMiB: 500, maxMemoryMiB: 1024, memoryReservationMiB: 500 });
  });

  it('a pending change survives a server restart and takes effect at the next start', async () => {
    // A second server on the same data directory: its start-up reconcile keeps the next-start change.
    const again = new VirtManager(xlBackend(env.dir));
    await again.init();
    const sys = await again.getSystem('live');
    expect(sys.config).to.include({ memoryMiB: 500, maxMemoryMiB: 1024, cpuWeight: 300 });
    expect(sys.live).to.include({ targetMemoryMiB: 500, maxMemoryMiB: 512, cpuWeight: 300 });
    expect((await env.rsc('live', 3)).returnValue).to.equal(0);
    expect((await env.rsc('live', 2)).returnValue).to.equal(0);
    const state = await get(MEM, 'live/mem:current');
    expect([state.get('VirtualQuantity'), state.get('Limit')]).to.deep.equal([500 * K, 1024 * K]);
    expect(await modify(inst(MEM, { InstanceID: 'live/mem', VirtualQuantity: 900 }))).to.deep.equal(['live/mem', 'live/mem:current']);
  });

  it('a stopped system changes for the next start only; AddResourceSettings says which too', async () => {
    expect(await modify(inst(MEM, { InstanceID: 'idle/mem', VirtualQuantity: 300 }), inst(PROC, { InstanceID: 'idle/proc', Weight: 50 })))
      .to.deep.equal(['idle/mem', 'idle/proc']);
    const addIdle = await env.call('AddResourceSettings', {
      AffectedConfiguration: vssdRef('idle'),
      ResourceSettings: [inst('Xen_DiskResourceAllocationSettingData', { ResourceType: 17, VirtualDevice: 'xvdb', Address: emptyDisk(env, 'idle-b') })],
    });
    expect(ids(addIdle.out!['ResultingResourceSettings'])).to.deep.equal(['idle/xvdb']);
    const addLive = await env.call('AddResourceSettings', {
      AffectedConfiguration: vssdRef('live'),
      ResourceSettings: [
        inst('Xen_DiskResourceAllocationSettingData', { ResourceType: 17, VirtualDevice: 'xvdb', Address: emptyDisk(env, 'live-b') }),
        inst('CIM_ResourceAllocationSettingData', { ResourceType: 10, Connection: ['xenbr1'], Address: '00:16:3e:00:00:09' }),
      ],
    });
    // Defined RASDs first (libvirt-cim clients read them by position), then the state RASDs.
    expect(ids(addLive.out!['ResultingResourceSettings'])).to.deep.equal(['live/xvdb', 'live/00:16:3e:00:00:09', 'live/xvdb:current', 'live/00:16:3e:00:00:09:current']);
    for (const ref of addLive.out!['ResultingResourceSettings'] as CimInstanceName[]) await env.get(ref);
    // A device hot-plugged live, modified live.
    const net = inst('Xen_NetResourceAllocationSettingData', { InstanceID: 'live/00:16:3e:00:00:09', Limit: 8_000_000 });
    expect(await modify(net)).to.deep.equal(['live/00:16:3e:00:00:09', 'live/00:16:3e:00:00:09:current']);
    expect((await get('Xen_NetResourceAllocationSettingData', 'live/00:16:3e:00:00:09:current')).get('Limit')).to.equal(8_000_000);
  });

  it('state RASDs are tied to the defined ones, to the state VSSD and to the devices, both ways', async () => {
    const assoc = async (obj: CimInstanceName, assocClass: string): Promise<string[]> => {
      const r = await env.intrinsic('AssociatorNames', { ObjectName: obj, AssocClass: assocClass });
      return r.kind === 'objectPaths' ? r.names.map((n) => n.keyString('InstanceID') ?? n.keyString('DeviceID')!).sort() : [];
    };
    const state = CimInstanceName.of(MEM, { InstanceID: 'live/mem:current' });
    expect(await assoc(state, 'Xen_ElementSettingData')).to.deep.equal(['live/mem', 'live/mem:current']);
    expect(await assoc(CimInstanceName.of(MEM, { InstanceID: 'live/mem' }), 'Xen_ElementSettingData')).to.deep.equal(['live/mem:current']);
    expect(await assoc(state, 'Xen_VirtualSystemSettingDataComponent')).to.deep.equal(['Xen:live:current']);
    expect(await assoc(CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:live:current' }), 'Xen_VirtualSystemSettingDataComponent'))
      .to.include.members(['live/mem:current', 'live/proc:current', 'live/xvda:current']).and.not.include('live/mem');
    expect(await assoc(state, 'Xen_SettingsDefineState')).to.deep.equal(['live/mem']);
    expect(await assoc(CimInstanceName.of(MEM, { InstanceID: 'idle/mem' }), 'Xen_ElementSettingData')).to.deep.equal(['idle/mem']);
  });
});
