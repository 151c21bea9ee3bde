import { expect } from 'chai';
import { POOL_CLASS } from '../../../src/providers/shared/naming.js';
import { type World, seed, world } from '../fixture.js';

describe('providers/dsp1041: pools', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  const byId = async (cls: string) => new Map((await w.enumerate(cls)).map((i) => [i.get('InstanceID') as string, i]));

  it('memory pool: advertised capacity and reservation in KiB (byte*2^10, as libvirt-cim), never the raw host figures', async () => {
    const cap = await w.virt.capacity();
    const m = (await byId(POOL_CLASS.memory)).get('MemoryPool/0')!;
    expect(m.get('PoolID')).to.equal('MemoryPool/0');
    expect(m.get('Primordial')).to.equal(true);
    expect(m.get('ResourceType')).to.equal(4);
    expect(m.get('AllocationUnits')).to.equal('byte*2^10');
    expect(m.get('Capacity')).to.equal(cap.memory.capacityMiB * 1024);
    expect(m.get('Reserved')).to.equal(cap.memory.reservedMiB * 1024);
    expect(m.get('Reserved')).to.equal(512 * 1024); // only `web` is active
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
    // One per host bridge, whether a NIC uses it (xenbr0, br1) or not (xenbr1, xenbr2).
    expect([...nets.keys()].sort()).to.deep.equal(['NetworkPool/0', 'NetworkPool/br1', 'NetworkPool/xenbr0', 'NetworkPool/xenbr1', 'NetworkPool/xenbr2']);
    expect(nets.get('NetworkPool/xenbr2')!.get('Reserved')).to.equal(0);
    expect(nets.get('NetworkPool/0')!.get('Primordial')).to.equal(true);
    expect(nets.get('NetworkPool/xenbr0')!.get('Primordial')).to.equal(false);
    expect(nets.get('NetworkPool/xenbr0')!.get('ResourceType')).to.equal(10);
    expect((await byId(POOL_CLASS.disk)).get('DiskPool/0')!.get('ResourceType')).to.equal(17);
  });
});
