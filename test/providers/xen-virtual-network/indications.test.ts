/**
 * A virtual network defined, changed (a link's bandwidth, the whole network launched) and
 * destroyed arrives as CIM_InstCreation, CIM_InstModification with PreviousInstance, and
 * CIM_InstDeletion of its Xen_VirtualNetwork (DSP1054), whoever asked.
 */
import { expect } from 'chai';
import type { CimInstance } from '../../../src/cim/index.js';
import { type World, world } from '../fixture.js';
import { type Watch, watchIndications } from '../indication-watch.js';
import { routers } from './helpers.js';

const src = (i: CimInstance, p = 'SourceInstance'): CimInstance => i.get(p) as CimInstance;

describe('Xen_VirtualNetwork lifecycle indications', function () {
  this.timeout(30_000);
  let w: World;
  let watch: Watch;

  beforeEach(async () => {
    w = await world();
    await routers(w);
    watch = await watchIndications(w, 'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA Xen_VirtualNetwork');
  });
  afterEach(async () => {
    await watch.close();
    await w.close();
  });

  it('defined, its link reserved more, launched and destroyed: creation, two modifications with the previous values, deletion', async () => {
    await w.virt.networks.define({ name: 'lab', members: [{ system: 'r1' }, { system: 'r2' }], links: [{ name: 'l1', ends: [{ system: 'r1' }, { system: 'r2' }], limitBitsPerSecond: 100e6, reservationBitsPerSecond: 10e6 }] });
    await watch.listener.waitFor(1);
    await w.virt.networks.setLinkBandwidth('lab', 'l1', { reservationBitsPerSecond: 20e6 });
    await watch.listener.waitFor(2);
    const change = await w.virt.networks.requestStateChange('lab', 'running');
    if (change.kind === 'job') await change.job.done;
    await watch.listener.waitFor(3);
    await w.virt.networks.destroy('lab');
    const got = await watch.listener.waitFor(4);
    await watch.delivery.idle();
    expect(got.map((i) => [i.className, src(i).className, src(i).get('Name')])).to.deep.equal([
      ['CIM_InstCreation', 'Xen_VirtualNetwork', 'lab'],
      ['CIM_InstModification', 'Xen_VirtualNetwork', 'lab'],
      ['CIM_InstModification', 'Xen_VirtualNetwork', 'lab'],
      ['CIM_InstDeletion', 'Xen_VirtualNetwork', 'lab'],
    ]);
    expect([Number(src(got[1]!, 'PreviousInstance').get('ReservedBandwidth')), Number(src(got[1]!).get('ReservedBandwidth'))]).to.deep.equal([10e6, 20e6]);
    expect([src(got[2]!, 'PreviousInstance').get('EnabledState'), src(got[2]!).get('EnabledState')]).to.deep.equal([3, 2]);
  });
});
