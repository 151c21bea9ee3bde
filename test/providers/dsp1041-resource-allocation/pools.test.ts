import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { POOL_CLASS, RASD_CLASS } from '../../../src/providers/shared/naming.js';
import { getTemplateRasd, isTemplateInstanceId, listTemplateRasds } from '../../../src/providers/dsp1043-allocation-capabilities/templates.js';
import { type World, seed, world } from '../host-fixture.js';

describe('providers/host: pools, allocation capabilities, templates (DSP1041/DSP1043)', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  const byId = async (cls: string) => new Map((await w.enumerate(cls)).map((i) => [i.get('InstanceID') as string, i]));

  it('memory pool: advertised capacity and reservation in MiB, never the raw host figures', async () => {
    const cap = await w.virt.capacity();
    const m = (await byId(POOL_CLASS.memory)).get('MemoryPool/0')!;
    expect(m.get('PoolID')).to.equal('MemoryPool/0');
    expect(m.get('Primordial')).to.equal(true);
    expect(m.get('ResourceType')).to.equal(4);
    expect(m.get('AllocationUnits')).to.equal('byte*2^20');
    expect(m.get('Capacity')).to.equal(cap.memory.capacityMiB);
    expect(m.get('Reserved')).to.equal(cap.memory.reservedMiB);
    expect(m.get('Reserved')).to.equal(512); // only `web` is active
  });

  it('processor pool: whole processors of the advertised share', async () => {
    const cap = await w.virt.capacity();
    const p = (await byId(POOL_CLASS.processor)).get('ProcessorPool/0')!;
    expect(p.get('ResourceType')).to.equal(3);
    expect(p.get('AllocationUnits')).to.equal('count');
    expect(p.get('Capacity')).to.equal(Math.floor(cap.processor.capacityPercent / 100));
    expect(p.get('Primordial')).to.equal(true);
  });

  it('disk pool and network pools: a primordial NetworkPool/0 with one child per bridge', async () => {
    expect([...(await byId(POOL_CLASS.disk)).keys()]).to.deep.equal(['DiskPool/0']);
    const nets = await byId(POOL_CLASS.network);
    expect([...nets.keys()].sort()).to.deep.equal(['NetworkPool/0', 'NetworkPool/br1', 'NetworkPool/xenbr0']);
    expect(nets.get('NetworkPool/0')!.get('Primordial')).to.equal(true);
    expect(nets.get('NetworkPool/xenbr0')!.get('Primordial')).to.equal(false);
    expect(nets.get('NetworkPool/xenbr0')!.get('ResourceType')).to.equal(10);
    expect((await byId(POOL_CLASS.disk)).get('DiskPool/0')!.get('ResourceType')).to.equal(17);
  });

  it('one AllocationCapabilities per pool, InstanceID = PoolID, same ResourceType', async () => {
    const pools = (await Promise.all(Object.values(POOL_CLASS).map((c) => w.enumerate(c)))).flat();
    const acs = await byId('Xen_AllocationCapabilities');
    expect(acs.size).to.equal(pools.length);
    for (const p of pools) expect(acs.get(p.get('InstanceID') as string)!.get('ResourceType')).to.equal(p.get('ResourceType'));
  });

  it('memory templates are computed from the host: maximum = advertised capacity', async () => {
    const cap = await w.virt.capacity();
    const t = new Map((await listTemplateRasds(w.deps, RASD_CLASS.memory)).map((i) => [i.get('InstanceID') as string, i]));
    expect([...t.keys()].sort()).to.deep.equal(['MemoryPool/0/Default', 'MemoryPool/0/Increment', 'MemoryPool/0/Maximum', 'MemoryPool/0/Minimum']);
    expect(t.get('MemoryPool/0/Maximum')!.get('VirtualQuantity')).to.equal(cap.memory.capacityMiB);
    expect(t.get('MemoryPool/0/Minimum')!.get('VirtualQuantity')).to.equal(16);
    expect(t.get('MemoryPool/0/Default')!.get('VirtualQuantity')).to.equal(512);
    expect(t.get('MemoryPool/0/Increment')!.get('VirtualQuantity')).to.equal(1);
    expect(t.get('MemoryPool/0/Default')!.get('AllocationUnits')).to.equal('byte*2^20');
    expect(t.get('MemoryPool/0/Default')!.get('PoolID')).to.equal('MemoryPool/0');
  });

  it('processor templates: vCPUs 1..host processors, weight 1..65535 default 256, cap 0..100×processors', async () => {
    const host = await w.virt.hostInfo();
    const t = new Map((await listTemplateRasds(w.deps, RASD_CLASS.processor)).map((i) => [i.get('InstanceID') as string, i]));
    const max = t.get('ProcessorPool/0/Maximum')!;
    expect(max.get('VirtualQuantity')).to.equal(host.processors);
    expect(max.get('Weight')).to.equal(65535);
    expect(max.get('Limit')).to.equal(100 * host.processors);
    const def = t.get('ProcessorPool/0/Default')!;
    expect([def.get('VirtualQuantity'), def.get('Weight'), def.get('Limit')]).to.deep.equal([1, 256, 0]);
    expect(t.get('ProcessorPool/0/Minimum')!.get('Weight')).to.equal(1);
  });

  it('network templates per network pool name their bridge; unique template IDs across pools', async () => {
    const nets = await listTemplateRasds(w.deps, RASD_CLASS.network);
    expect(nets).to.have.length(12);
    const br1 = nets.find((i) => i.get('InstanceID') === 'NetworkPool/br1/Default')!;
    expect(br1.get('NetworkName')).to.equal('br1');
    const ids = nets.map((i) => i.get('InstanceID'));
    expect(new Set(ids).size).to.equal(ids.length);
    expect(await listTemplateRasds(w.deps, 'Xen_GraphicsResourceAllocationSettingData')).to.deep.equal([]);
  });

  it('getTemplateRasd finds one by InstanceID; real RASD IDs are never template IDs', async () => {
    expect((await getTemplateRasd(w.deps, RASD_CLASS.disk, 'DiskPool/0/Default'))!.get('ResourceType')).to.equal(17);
    expect(await getTemplateRasd(w.deps, RASD_CLASS.memory, 'DiskPool/0/Default')).to.equal(undefined);
    expect(isTemplateInstanceId('web/mem')).to.equal(false);
    expect(isTemplateInstanceId('web/00:16:3e:00:00:01')).to.equal(false);
    expect(isTemplateInstanceId('MemoryPool/0/Maximum')).to.equal(true);
  });

  it('SettingsDefineCapabilities: four per AllocationCapabilities, roles and ranges per DSP1043', async () => {
    const sdc = await w.enumerate('Xen_SettingsDefineCapabilities');
    const acs = await w.enumerate('Xen_AllocationCapabilities');
    expect(sdc).to.have.length(4 * acs.length);
    const mem = sdc.filter((a) => (a.get('GroupComponent') as CimInstanceName).keyString('InstanceID') === 'MemoryPool/0');
    const roles = Object.fromEntries(mem.map((a) => [(a.get('PartComponent') as CimInstanceName).keyString('InstanceID'), [a.get('ValueRole'), a.get('ValueRange'), a.get('PropertyPolicy')]]));
    expect(roles).to.deep.equal({
      'MemoryPool/0/Default': [0, 0, 0],
      'MemoryPool/0/Minimum': [3, 1, 0],
      'MemoryPool/0/Maximum': [3, 2, 0],
      'MemoryPool/0/Increment': [3, 3, 0],
    });
    // Every PartComponent names a template RASD that exists.
    for (const a of sdc) {
      const part = a.get('PartComponent') as CimInstanceName;
      expect(await getTemplateRasd(w.deps, part.className, part.keyString('InstanceID')!), part.toString()).to.not.equal(undefined);
    }
  });
});
