import { expect } from 'chai';
import { type CimInstance, parseInstancePath } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import { startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { createAs as create, watcher, worldWithRouter } from '../indication-watch.js';
import { type World, inst, req, runTo } from '../fixture.js';

const embedded = (i: CimInstance, p: string): CimInstance => i.get(p) as CimInstance;
/** A WBEM URI's host, namespace and instance identity (its keys in any order). */
const modelPath = (v: unknown): [string | undefined, string | undefined, string] => {
  const p = parseInstancePath(String(v));
  return [p.host, p.namespace, p.identity()];
};

async function paused(l: ExportListener): Promise<CimInstance> {
  for (let n = 1; ; n++) {
    const got = await l.waitFor(n);
    const hit = got.find((i) => Number(embedded(i, 'SourceInstance').get('EnabledState')) === 9);
    if (hit) return hit;
  }
}

describe('DSP1054 indications: lifecycle indications delivered to a CIM-XML listener', function () {
  this.timeout(30_000);
  let w: World;
  let listener: ExportListener | undefined;
  let delivery: IndicationDelivery;
  let stop: () => void;
  beforeEach(async () => {
    w = await worldWithRouter();
    listener = await startExportListener();
    delivery = new IndicationDelivery({ retryAttempts: 40, retryIntervalMs: 50 });
    stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i));
    const Filter = await create(w, inst('CIM_IndicationFilter', {
      Name: 'cs-changes', QueryLanguage: 'DMTF:CQL',
      Query: 'SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem', SourceNamespaces: ['root/virt'],
    }));
    const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'test-listener', Destination: listener.url }));
    await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
  });
  afterEach(async () => {
    stop();
    delivery.stop();
    await listener?.close();
    await w.close();
  });

  it('a paused router arrives as a CIM_InstModification with the system as it is now and as it was', async () => {
    await runTo(w.virt, 'router', 'paused');
    // the request itself (RequestedState) may arrive first: the state change is the one to 9
    const ind = await paused(listener!);
    expect(ind!.className).to.equal('CIM_InstModification');
    expect(embedded(ind!, 'SourceInstance').className).to.equal('Xen_ComputerSystem');
    expect(embedded(ind!, 'SourceInstance').get('Name')).to.equal('router');
    expect(Number(embedded(ind!, 'SourceInstance').get('EnabledState'))).to.equal(9);
    expect(Number(embedded(ind!, 'PreviousInstance').get('EnabledState'))).to.equal(2);
    expect(ind!.get('IndicationFilterName')).to.equal('cs-changes');
    // the CIM schema's <NamespacePath>:<ClassName>.<keys>: the listener gets it from root/interop
    expect(modelPath(ind!.get('SourceInstanceModelPath'))).to.deep.equal(['testhost', 'root/virt', 'xen_computersystem.creationclassname="Xen_ComputerSystem",name="router"']);
    expect(ind!.get('SourceInstanceHost')).to.equal('testhost');
    expect(Number(ind!.get('SequenceNumber'))).to.equal(listener!.received.indexOf(ind!));
    expect(String(ind!.get('SequenceContext'))).to.not.equal('');
  });

  it('a creation and a deletion arrive as CIM_InstCreation and CIM_InstDeletion', async () => {
    await w.virt.defineSystem({ name: 'extra', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' } });
    await w.virt.deleteSystem('extra');
    const got = await listener!.waitFor(2);
    expect(got.map((i) => [i.className, embedded(i, 'SourceInstance').get('Name')])).to.deep.equal([
      ['CIM_InstCreation', 'extra'], ['CIM_InstDeletion', 'extra'],
    ]);
  });

  it('a listener that was down receives the missed indications in order once it is back', async () => {
    const port = listener!.port;
    await listener!.close();
    listener = undefined;
    await runTo(w.virt, 'router', 'paused');
    await runTo(w.virt, 'router', 'running');
    await runTo(w.virt, 'router', 'paused');
    await new Promise((r) => setTimeout(r, 200));
    expect(delivery.counts.failedAttempts).to.be.at.least(1);
    listener = await startExportListener(port);
    await delivery.idle();
    const got = listener.received;
    const states = got.map((i) => [Number(embedded(i, 'PreviousInstance').get('EnabledState')), Number(embedded(i, 'SourceInstance').get('EnabledState'))]);
    expect(states.filter(([a, b]) => a !== b)).to.deep.equal([[2, 9], [9, 2], [2, 9]]);
    expect(got.map((i) => Number(i.get('SequenceNumber')))).to.deep.equal(got.map((_, n) => n));
    expect(new Set(got.map((i) => String(i.get('SequenceContext')))).size).to.equal(1);
  });

  it('a listener destination deleted and created again starts a new sequence: another SequenceContext, numbered from 0', async () => {
    // The CIM Schema's CIM_Indication.SequenceContext: deregistering a listener destination changes it.
    const again = await startExportListener();
    const subscribe = async () => {
      const Filter = await create(w, inst('CIM_IndicationFilter', { Name: 'again', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_ComputerSystem' }));
      const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'again', Destination: again.url }));
      return [await create(w, inst('CIM_IndicationSubscription', { Filter, Handler })), Handler, Filter];
    };
    try {
      const made = await subscribe();
      await runTo(w.virt, 'router', 'paused');
      const first = await paused(again);
      await runTo(w.virt, 'router', 'running');
      await delivery.idle();
      expect(Number(again.received[again.received.length - 1]!.get('SequenceNumber'))).to.be.above(0);
      for (const name of made) await w.ops.intrinsic(req('DeleteInstance', { InstanceName: name }, INTEROP_NS), watcher);
      const before = again.received.length;
      await subscribe();
      await runTo(w.virt, 'router', 'paused');
      for (let n = before + 1; !again.received.slice(before).some((i) => Number(embedded(i, 'SourceInstance').get('EnabledState')) === 9); n++) await again.waitFor(n);
      const renewed = again.received.slice(before);
      expect(renewed.map((i) => Number(i.get('SequenceNumber')))).to.deep.equal(renewed.map((_, n) => n));
      expect(new Set(renewed.map((i) => String(i.get('SequenceContext'))))).to.not.include(String(first.get('SequenceContext')));
    } finally {
      await again.close();
    }
  });

  it('a filter that does not select the source delivers nothing to its listener', async () => {
    const second = await startExportListener();
    try {
      // The pause is a system change and a job: neither is a disk.
      const Filter = await create(w, inst('CIM_IndicationFilter', { Name: 'disks-only', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_LogicalDisk' }));
      const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'second', Destination: second.url }));
      await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
      await runTo(w.virt, 'router', 'paused');
      await paused(listener!);
      await delivery.idle();
      expect(second.received).to.deep.equal([]);
    } finally {
      await second.close();
    }
  });

  it('a system found gone arrives as a CIM_AlertIndication at a subscription for alerts', async () => {
    const second = await startExportListener();
    try {
      const Filter = await create(w, inst('CIM_IndicationFilter', { Name: 'alerts', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_AlertIndication' }));
      const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'alerts-listener', Destination: second.url }));
      await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
      // what the model reports when the driver notices a running system gone behind its back
      w.virt.events.lost('router', 'vanished', 'running', Date.now());
      const [a] = await second.waitFor(1);
      expect(a!.className).to.equal('CIM_AlertIndication');
      expect(Number(a!.get('PerceivedSeverity'))).to.equal(5);
      expect(modelPath(a!.get('AlertingManagedElement'))).to.deep.equal(['testhost', 'root/virt', 'xen_computersystem.creationclassname="Xen_ComputerSystem",name="router"']);
      expect(Number(a!.get('AlertingElementFormat'))).to.equal(2); // CIMObjectPath
      expect(String(a!.get('Description'))).to.match(/router vanished/);
    } finally {
      await second.close();
    }
  });
});
