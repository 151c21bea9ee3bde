/**
 * A host with many systems joined by many links: each connection's receive limit (the rate of
 * the other end of its link) is found by name, not by a walk over every system per connection.
 * Counted, not timed.
 */
import { expect } from 'chai';
import type { VirtualNetwork, VirtualSystem } from '../../../src/virt/index.js';
import { type World, seed, world } from '../fixture.js';

describe('providers/dsp1050: many systems on many links', () => {
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(() => w.close());

  it('lists the connections of 600 systems on 300 links reading each system a bounded number of times', async () => {
    const web = (await w.virt.listSystems()).find((s) => s.live)!;
    let reads = 0;
    const N = 600;
    const mac = (i: number) => `00:16:3e:02:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    const systems = (): VirtualSystem[] => new Proxy(Array.from({ length: N }, (_, i) => ({
      ...web, name: `r${i}`,
      config: { ...web.config, nics: [{ ...web.config.nics[0]!, bridge: `vl${i >> 1}`, mac: mac(i), rate: { bytesPerSecond: 1000 * (i + 1) } }] },
    })), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    // r(2k) and r(2k+1) are the ends of link l(k).
    const net = {
      name: 'big', members: [], switches: [], state: 'running',
      links: Array.from({ length: N / 2 }, (_, k) => ({ name: `l${k}`, switch: `vl${k}`, ends: [{ system: `r${2 * k}`, mac: mac(2 * k) }, { system: `r${2 * k + 1}`, mac: mac(2 * k + 1) }] })),
    } as unknown as VirtualNetwork;
    const [list, nets] = [w.virt.listSystems.bind(w.virt), w.virt.networks.list.bind(w.virt.networks)];
    w.virt.listSystems = async () => systems();
    w.virt.networks.list = async () => [net];
    try {
      const all = await w.enumerate('Xen_EthernetPortAllocationSettingData');
      expect(all).to.have.length(N);
      const c = all.find((i) => i.get('InstanceID') === `r7/${mac(7)}/connection`)!;
      expect(c.get('ReceiveBandwidthLimit'), 'the rate of r6, the other end').to.equal(7000 * 8);
      expect(reads / N, 'reads per system').to.be.below(10);
    } finally {
      w.virt.listSystems = list;
      w.virt.networks.list = nets;
    }
  });
});
