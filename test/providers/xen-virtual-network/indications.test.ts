/**
 * A virtual network defined, changed (a link's bandwidth, the whole network launched) and
 * destroyed arrives as CIM_InstCreation, CIM_InstModification with PreviousInstance, and
 * CIM_InstDeletion of its Xen_VirtualNetwork (DSP1054), whoever asked.
 */
import { expect } from 'chai';
import type { CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import type { Principal } from '../../../src/operations/provider.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';
import { type World, inst, req, world } from '../fixture.js';
import { routers } from './helpers.js';

const reader: Principal = { name: 'watcher', role: 'reader' };
const src = (i: CimInstance, p = 'SourceInstance'): CimInstance => i.get(p) as CimInstance;

async function create(w: World, i: CimInstance): Promise<CimInstanceName> {
  const r = (await w.ops.intrinsic(req('CreateInstance', { NewInstance: i }, INTEROP_NS), reader)).result;
  if (r.kind !== 'instanceName') throw new Error(r.kind);
  return r.name;
}

describe('Xen_VirtualNetwork lifecycle indications', function () {
  this.timeout(30_000);
  let w: World;
  let listener: ExportListener;
  let delivery: IndicationDelivery;
  let stop: () => void;

  beforeEach(async () => {
    w = await world();
    await routers(w);
    listener = await startExportListener();
    delivery = new IndicationDelivery({ retryAttempts: 3, retryIntervalMs: 50 });
    stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i));
    const Filter = await create(w, inst('CIM_IndicationFilter', {
      Name: 'networks', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA Xen_VirtualNetwork',
    }));
    const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'l', Destination: listener.url }));
    await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
  });
  afterEach(async () => {
    stop();
    delivery.stop();
    await listener.close();
    await w.close();
  });

  it('defined, its link reserved more, launched and destroyed: creation, two modifications with the previous values, deletion', async () => {
    await w.virt.networks.define({ name: 'lab', members: [{ system: 'r1' }, { system: 'r2' }], links: [{ name: 'l1', ends: [{ system: 'r1' }, { system: 'r2' }], limitBitsPerSecond: 100e6, reservationBitsPerSecond: 10e6 }] });
    await listener.waitFor(1);
    await w.virt.networks.setLinkBandwidth('lab', 'l1', { reservationBitsPerSecond: 20e6 });
    await listener.waitFor(2);
    const change = await w.virt.networks.requestStateChange('lab', 'running');
    if (change.kind === 'job') await change.job.done;
    await listener.waitFor(3);
    await w.virt.networks.destroy('lab');
    const got = await listener.waitFor(4);
    await delivery.idle();
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
