/**
 * A virtual switch created or removed, whoever asked (DefineSystem/DestroySystem, a network's
 * link), arrives as CIM_InstCreation / CIM_InstDeletion of its Xen_VirtualEthernetSwitch
 * (DSP1097 with DSP1054).
 */
import { expect } from 'chai';
import type { CimInstance } from '../../../src/cim/index.js';
import { type World, world } from '../fixture.js';
import { type Watch, watchIndications } from '../indication-watch.js';

describe('DSP1097 with DSP1054: switch lifecycle indications', function () {
  this.timeout(30_000);
  let w: World;
  let watch: Watch;

  beforeEach(async () => {
    w = await world();
    watch = await watchIndications(w, 'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA Xen_VirtualEthernetSwitch');
  });
  afterEach(async () => {
    await watch.close();
    await w.close();
  });

  it('a switch defined and destroyed arrives as creation then deletion of its Xen_VirtualEthernetSwitch', async () => {
    await w.virt.defineSwitch('vnet5');
    await w.virt.destroySwitch('vnet5');
    await watch.listener.waitFor(2);
    await watch.delivery.idle();
    const seen = watch.listener.received.map((i) => {
      const src = i.get('SourceInstance') as CimInstance;
      return [i.className, src.className, src.get('Name'), src.get('EnabledState')];
    });
    expect(seen).to.deep.equal([
      ['CIM_InstCreation', 'Xen_VirtualEthernetSwitch', 'vnet5', 2],
      ['CIM_InstDeletion', 'Xen_VirtualEthernetSwitch', 'vnet5', 2],
    ]);
  });
});
