/**
 * What each system draws from which pool, on a host with a pool per switch (every link of a
 * virtual network has its own): the pools are looked up once, not searched per interface.
 * Counted, not timed.
 */
import { expect } from 'chai';
import { allocations, type PoolModel } from '../../../src/providers/dsp1041-resource-allocation/pool-model.js';
import type { VirtualSystem } from '../../../src/virt/index.js';

function pool(kind: PoolModel['kind'], poolId: string, primordial: boolean, bridge?: string): PoolModel {
  return {
    kind, poolId, primordial, className: 'X', resourceType: 0, elementName: poolId, units: '', capacity: undefined, reserved: 0,
    ...(bridge !== undefined ? { bridge } : {}),
  };
}

describe('providers/dsp1041: allocations on a host with many pools', () => {
  it('reads each pool a bounded number of times for 1000 systems on 1000 switches, and names the right pools', () => {
    const P = 1000;
    let reads = 0;
    const list: PoolModel[] = [
      pool('processor', 'ProcessorPool/0', true), pool('memory', 'MemoryPool/0', true), pool('disk', 'DiskPool/0', true),
      pool('network', 'NetworkPool/0', true),
      ...Array.from({ length: P }, (_, i) => pool('network', `NetworkPool/vl${i}`, false, `vl${i}`)),
    ];
    const pools = new Proxy(list, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const systems = Array.from({ length: P }, (_, i) => ({
      name: `r${i}`,
      config: { disks: [{ vdev: 'xvda' }], nics: [{ bridge: `vl${i}`, mac: `m${i}` }, { bridge: 'nowhere', mac: `n${i}` }] },
    })) as unknown as VirtualSystem[];
    const out = allocations(systems, pools);
    expect(out).to.have.length(5 * P);
    expect(out.filter((a) => a.system === 'r7')).to.deep.equal([
      { kind: 'processor', poolId: 'ProcessorPool/0', system: 'r7', rasdDevid: 'proc' },
      { kind: 'memory', poolId: 'MemoryPool/0', system: 'r7', rasdDevid: 'mem' },
      { kind: 'disk', poolId: 'DiskPool/0', system: 'r7', rasdDevid: 'xvda' },
      { kind: 'network', poolId: 'NetworkPool/vl7', system: 'r7', rasdDevid: 'm7' },
      { kind: 'network', poolId: 'NetworkPool/nowhere', system: 'r7', rasdDevid: 'n7' },
    ]);
    expect(reads / list.length, 'reads per pool').to.be.below(5);
  });
});
