/**
 * A virtual switch created or removed, whoever asked (DefineSystem/DestroySystem, a network's
 * link), arrives as CIM_InstCreation / CIM_InstDeletion of its Xen_VirtualEthernetSwitch
 * (DSP1097 with DSP1054).
 */
import { expect } from 'chai';
import type { CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import type { Principal } from '../../../src/operations/provider.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';
import { type World, inst, req, world } from '../fixture.js';

const reader: Principal = { name: 'watcher', role: 'reader' };

async function create(w: World, i: CimInstance): Promise<CimInstanceName> {
  const r = (await w.ops.intrinsic(req('CreateInstance', { NewInstance: i }, INTEROP_NS), reader)).result;
  if (r.kind !== 'instanceName') throw new Error(r.kind);
  return r.name;
}

describe('DSP1097 with DSP1054: switch lifecycle indications', function () {
  this.timeout(30_000);
  let w: World;
  let listener: ExportListener;
  let delivery: IndicationDelivery;
  let stop: () => void;

  beforeEach(async () => {
    w = await world();
    listener = await startExportListener();
    delivery = new IndicationDelivery({ retryAttempts: 3, retryIntervalMs: 50 });
    stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i));
    const Filter = await create(w, inst('CIM_IndicationFilter', {
      Name: 'switches', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA Xen_VirtualEthernetSwitch',
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

  it('a switch defined and destroyed arrives as creation then deletion of its Xen_VirtualEthernetSwitch', async () => {
    await w.virt.defineSwitch('vnet5');
    await w.virt.destroySwitch('vnet5');
    await listener.waitFor(2);
    await delivery.idle();
    const seen = listener.received.map((i) => {
      const src = i.get('SourceInstance') as CimInstance;
      return [i.className, src.className, src.get('Name'), src.get('EnabledState')];
    });
    expect(seen).to.deep.equal([
      ['CIM_InstCreation', 'Xen_VirtualEthernetSwitch', 'vnet5', 2],
      ['CIM_InstDeletion', 'Xen_VirtualEthernetSwitch', 'vnet5', 2],
    ]);
  });
});
