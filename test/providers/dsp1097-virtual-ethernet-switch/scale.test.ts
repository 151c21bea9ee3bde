/**
 * A host with many switches (every link of a virtual network has its own) and many systems: the
 * switches, their ports and pools are read from one pass over the systems, not one per switch.
 * Counted, not timed (1000 switches and 2000 systems took ~190 ms of the event loop per request).
 */
import { expect } from 'chai';
import type { VirtualSwitch, VirtualSystem } from '../../../src/virt/index.js';
import { type World, seed, world } from '../fixture.js';

describe('providers/dsp1097: many switches and systems', () => {
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(() => w.close());

  it('lists 300 switches with the ports of 600 running systems reading each system and interface a bounded number of times', async () => {
    const web = (await w.virt.listSystems()).find((s) => s.live)!;
    let reads = 0;
    const watch = <T extends object>(list: T[]): T[] => new Proxy(list, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const S = 300;
    const N = 600;
    const switches: VirtualSwitch[] = Array.from({ length: S }, (_, i) => ({ name: `vl${i}`, up: true }));
    const systems = (): VirtualSystem[] => watch(Array.from({ length: N }, (_, i) => ({
      ...web, name: `r${i}`,
      config: { ...web.config, nics: watch([{ ...web.config.nics[0]!, bridge: `vl${i % S}`, mac: `00:16:3e:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}` }]) },
    })));
    const [list, sws] = [w.virt.listSystems.bind(w.virt), w.virt.switches.bind(w.virt)];
    w.virt.listSystems = async () => systems();
    w.virt.switches = async () => switches;
    try {
      const ports = await w.enumerate('Xen_VirtualEthernetSwitchPort');
      expect(ports).to.have.length(N);
      expect(ports.filter((p) => p.get('SystemName') === 'vl7').map((p) => p.get('DeviceID'))).to.deep.equal(['r7/00:16:3e:01:00:07', 'r307/00:16:3e:01:01:33']);
      expect(reads / (2 * N), 'reads per system and interface').to.be.below(10);
    } finally {
      w.virt.listSystems = list;
      w.virt.switches = sws;
    }
  });
});
