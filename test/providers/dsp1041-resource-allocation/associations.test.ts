import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { CS_CLASS, POOL_CLASS, RASD_CLASS, VIRT_NS, deviceName, hostName, instanceIdName, scopedDeviceName } from '../../../src/providers/shared/naming.js';
import { type World, associatorNames, associators, seed, world } from '../fixture.js';

const ids = (names: CimInstanceName[]) => names.map((n) => n.keyString('InstanceID') ?? n.keyString('DeviceID') ?? n.keyString('Name')).sort();

describe('providers/dsp1041: host → pools, pools → RASDs and logical devices', () => {
  let w: World;
  let systems: Map<string, { vcpus: number; disks: string[]; macs: string[] }>;
  before(async () => {
    w = await world();
    await seed(w);
    systems = new Map((await w.virt.listSystems()).map((s) => [s.name, {
      vcpus: s.live?.onlineVcpus ?? s.config.vcpus, disks: s.config.disks.map((d) => d.vdev), macs: s.config.nics.map((n) => n.mac),
    }]));
  });
  after(() => w.close());

  it('HostedResourcePool: host → every pool', async () => {
    const pools = await associators(w, hostName('testhost'), VIRT_NS, { AssocClass: 'CIM_HostedResourcePool' });
    expect(pools.map((i) => i.get('InstanceID')).sort()).to.deep.equal(['DiskPool/0', 'MemoryPool/0', 'NetworkPool/0', 'NetworkPool/br1', 'NetworkPool/xenbr0', 'NetworkPool/xenbr1', 'NetworkPool/xenbr2', 'ProcessorPool/0']);
  });

  it('ResourceAllocationFromPool: pool → each RASD drawn from it', async () => {
    const web = systems.get('web')!;
    const db = systems.get('db')!;
    const mem = await associatorNames(w, instanceIdName(POOL_CLASS.memory, 'MemoryPool/0'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(mem)).to.deep.equal(['db/mem', 'web/mem']);
    const proc = await associatorNames(w, instanceIdName(POOL_CLASS.processor, 'ProcessorPool/0'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(proc)).to.deep.equal(['db/proc', 'web/proc']);
    const disk = await associatorNames(w, instanceIdName(POOL_CLASS.disk, 'DiskPool/0'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(disk)).to.deep.equal([`web/${web.disks[0]}`]);
    const br1 = await associatorNames(w, instanceIdName(POOL_CLASS.network, 'NetworkPool/br1'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    // The interface's RASD and its Ethernet connection (DSP1050) draw from its switch's pool.
    expect(ids(br1)).to.deep.equal([`db/${db.macs[0]}`, `db/${db.macs[0]}/connection`]);
    expect(br1.map((n) => n.className).sort()).to.deep.equal(['Xen_EthernetPortAllocationSettingData', RASD_CLASS.network]);
    // Reverse: from the RASD to its pool.
    const back = await associatorNames(w, instanceIdName(RASD_CLASS.memory, 'web/mem'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(back)).to.deep.equal(['MemoryPool/0']);
  });
  it('ElementAllocatedFromPool: pool → logical devices of active systems (one Xen_Processor per vCPU) and child pool ← primordial one', async () => {
    const web = systems.get('web')!;
    const procs = await associatorNames(w, instanceIdName(POOL_CLASS.processor, 'ProcessorPool/0'), VIRT_NS, { AssocClass: 'CIM_ElementAllocatedFromPool' });
    // `db` is only defined: it has RASDs but no devices (devices.ts).
    expect(ids(procs)).to.deep.equal(Array.from({ length: web.vcpus }, (_, i) => `web/${i}`));
    expect(procs.every((n) => n.className === 'Xen_Processor' && n.keyString('SystemCreationClassName') === CS_CLASS)).to.equal(true);
    const nets = await associatorNames(w, instanceIdName(POOL_CLASS.network, 'NetworkPool/xenbr0'), VIRT_NS, { AssocClass: 'CIM_ElementAllocatedFromPool' });
    // The guest's interface, and (DSP1097) the switch and its port for that interface.
    expect(nets.map((n) => n.local().identity()).sort()).to.deep.equal([
      deviceName('Xen_NetworkPort', 'web', web.macs[0]!).identity(),
      instanceIdName(POOL_CLASS.network, 'NetworkPool/0').identity(),
      CimInstanceName.of('Xen_VirtualEthernetSwitch', { CreationClassName: 'Xen_VirtualEthernetSwitch', Name: 'xenbr0' }).identity(),
      scopedDeviceName('Xen_VirtualEthernetSwitch', 'xenbr0', 'Xen_VirtualEthernetSwitchPort', `web/${web.macs[0]!}`).identity(),
    ].sort());
    const child = await associatorNames(w, instanceIdName(POOL_CLASS.network, 'NetworkPool/0'), VIRT_NS, { AssocClass: 'CIM_ElementAllocatedFromPool', ResultRole: 'Dependent' });
    expect(ids(child)).to.deep.equal(['NetworkPool/br1', 'NetworkPool/xenbr0', 'NetworkPool/xenbr1', 'NetworkPool/xenbr2']);
  });
});
