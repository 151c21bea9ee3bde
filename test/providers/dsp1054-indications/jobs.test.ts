/**
 * Jobs followed without polling (DSP1103 with DSP1054): a job's creation and every JobState or
 * PercentComplete change arrive as lifecycle indications whose SourceInstance is the
 * Xen_ConcreteJob as it is then.
 */
import { expect } from 'chai';
import type { CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import { startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';
import { createAs as create } from '../indication-watch.js';
import { type World, inst, runTo, world } from '../fixture.js';

const source = (i: CimInstance): CimInstance => i.get('SourceInstance') as CimInstance;

describe('DSP1054 indications: jobs', function () {
  this.timeout(30_000);
  let w: World;
  let listener: ExportListener;
  /** Subscribed with the usual job filter: JobState changed, SourceInstance against PreviousInstance. */
  let changes: ExportListener;
  let delivery: IndicationDelivery;
  let stop: () => void;
  before(async () => {
    w = await world();
    await w.virt.defineSystem({ name: 'router', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/k' } });
    await runTo(w.virt, 'router', 'running');
    listener = await startExportListener();
    delivery = new IndicationDelivery({ retryAttempts: 40, retryIntervalMs: 50 });
    stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i));
    const Filter = await create(w, inst('CIM_IndicationFilter', {
      Name: 'jobs', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ConcreteJob',
      SourceNamespaces: ['root/virt'],
    }));
    const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'job-listener', Destination: listener.url }));
    await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
    changes = await startExportListener();
    await create(w, inst('CIM_IndicationSubscription', {
      Filter: await create(w, inst('CIM_IndicationFilter', {
        Name: 'job-state-changes', QueryLanguage: 'DMTF:CQL', SourceNamespaces: ['root/virt'],
        Query: 'SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ConcreteJob AND SourceInstance.CIM_ConcreteJob::JobState <> PreviousInstance.CIM_ConcreteJob::JobState',
      })),
      Handler: await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'job-state-listener', Destination: changes.url })),
    }));
  });
  after(async () => {
    stop();
    delivery.stop();
    await listener.close();
    await changes.close();
    await w.close();
  });

  it('a save job arrives created, then modified until Completed, and nothing about systems', async () => {
    const r = await w.rsc('router', 6);
    expect(r.returnValue).to.equal(4096);
    const id = (r.out['Job'] as CimInstanceName).keyString('InstanceID');
    let got: CimInstance[] = [];
    for (let n = 2; ; n++) {
      got = await listener.waitFor(n);
      if (got.some((i) => Number(source(i).get('JobState')) === 7)) break;
    }
    expect(got.every((i) => source(i).className === 'Xen_ConcreteJob' && source(i).get('InstanceID') === id)).to.equal(true);
    expect(got[0]!.className).to.equal('CIM_InstCreation');
    expect(got.slice(1).every((i) => i.className === 'CIM_InstModification')).to.equal(true);
    const last = got.at(-1)!;
    expect(Number(source(last).get('JobState'))).to.equal(7);
    expect(Number(source(last).get('PercentComplete'))).to.equal(100);
    // each modification carries the job as the indication before it showed it
    const mods = got.slice(1);
    for (let i = 0; i < mods.length; i++) {
      expect((mods[i]!.get('PreviousInstance') as CimInstance).get('JobState'), `modification ${i}`).to.equal(source(got[i]!).get('JobState'));
    }
    // so the usual job filter selects exactly the JobState changes: to Running (4), then Completed (7)
    const states = (await changes.waitFor(2)).map((i) => [Number((i.get('PreviousInstance') as CimInstance).get('JobState')), Number(source(i).get('JobState'))]);
    expect(states.at(-1)).to.deep.equal([4, 7]);
    expect(states.every(([a, b]) => a !== b)).to.equal(true);
  });
});
