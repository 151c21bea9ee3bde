import { expect } from 'chai';
import type { CimInstance } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import { type ElementSource, startLifecycleIndications, thresholdMetrics } from '../../../src/providers/dsp1054-indications/index.js';
import { ThresholdWatch } from '../../../src/providers/dsp1054-indications/thresholds.js';
import type { MetricsSample, SystemSample } from '../../../src/virt/index.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';
import { createAs as create, worldWithRouter } from '../indication-watch.js';
import { type World, emptyDisk, inst } from '../fixture.js';

const embedded = (i: CimInstance, p: string): CimInstance => i.get(p) as CimInstance;

/** An element kind as another part of the model would add it: switches, with a pool instance standing in for their class. */
const SWITCHES: ElementSource = {
  element: 'switch',
  instance: (ctx, v) => inst('Xen_NetworkPool', { InstanceID: `NetworkPool/${(v as { name: string }).name}`, ElementName: (v as { name: string; mtu: number }).name, Reserved: (v as { mtu: number }).mtu }),
};

describe('DSP1054 indications: RASDs, metric thresholds and other model elements', function () {
  this.timeout(30_000);
  let w: World;
  let listener: ExportListener;
  let delivery: IndicationDelivery;
  let stop: () => void;
  const subscribe = async (query: string): Promise<void> => {
    const Filter = await create(w, inst('CIM_IndicationFilter', { Name: 'f', QueryLanguage: 'WQL', Query: query }));
    const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'l', Destination: listener.url }));
    await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
  };
  beforeEach(async () => {
    w = await worldWithRouter();
    listener = await startExportListener();
    delivery = new IndicationDelivery({ retryAttempts: 3, retryIntervalMs: 50 });
    w.deps.alertThresholds = { MemoryInUse: 200 };
    stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i), { sources: [SWITCHES] });
  });
  afterEach(async () => {
    stop();
    delivery.stop();
    await listener.close();
    await w.close();
  });

  it('a device added, changed and removed arrives as RASD creation, modification (with PreviousInstance) and deletion', async () => {
    await subscribe('SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ResourceAllocationSettingData');
    const disk = emptyDisk(w, 'data');
    await w.virt.changeResources([{ system: 'router', action: 'add_disk', disk: { target: disk, vdev: 'xvdb' } }]);
    await w.virt.changeResources([{ system: 'router', action: 'patch', patch: { memoryMiB: 192 } }]);
    await w.virt.changeResources([{ system: 'router', action: 'remove_disk', vdev: 'xvdb' }]);
    const got = await listener.waitFor(3);
    await delivery.idle();
    const seen = listener.received.map((i) => [i.className, embedded(i, 'SourceInstance').className, embedded(i, 'SourceInstance').get('InstanceID')]);
    expect(seen).to.deep.equal([
      ['CIM_InstCreation', 'Xen_DiskResourceAllocationSettingData', 'router/xvdb'],
      ['CIM_InstModification', 'Xen_MemResourceAllocationSettingData', 'router/mem'],
      ['CIM_InstDeletion', 'Xen_DiskResourceAllocationSettingData', 'router/xvdb'],
    ]);
    const mod = got[1]!;
    expect(Number(embedded(mod, 'PreviousInstance').get('VirtualQuantity'))).to.be.greaterThan(Number(embedded(mod, 'SourceInstance').get('VirtualQuantity')));
  });

  it('a system whose memory in use goes above the configured threshold raises one CIM_AlertIndication, not one per sample', async () => {
    await subscribe('SELECT * FROM CIM_AlertIndication WHERE AlertType = 3');
    await w.virt.metrics.sample();
    await w.virt.metrics.sample();
    const [a] = await listener.waitFor(1);
    await delivery.idle();
    expect(listener.received).to.have.length(1);
    expect(Number(a!.get('PerceivedSeverity'))).to.equal(3);
    expect(String(a!.get('AlertingManagedElement'))).to.match(/Xen_ComputerSystem.*router/);
    expect(String(a!.get('Description'))).to.match(/^MemoryInUse of virtual system router is 256, above its threshold of 200$/);
    expect(a!.get('MessageID')).to.equal('XEN4');
    expect(w.logs.join('\n')).to.match(/MemoryInUse of virtual system router is 256, above its threshold of 200/);
  });

  it('another kind of model element becomes indications through one mapping entry', async () => {
    await subscribe('SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_NetworkPool AND PreviousInstance.Reserved <> SourceInstance.Reserved');
    w.virt.events.element({ element: 'switch', kind: 'modified', name: 'sw0', previous: { name: 'sw0', mtu: 1500 }, current: { name: 'sw0', mtu: 9000 } });
    w.virt.events.element({ element: 'switch', kind: 'modified', name: 'sw0', previous: { name: 'sw0', mtu: 9000 }, current: { name: 'sw0', mtu: 9000 } });
    w.virt.events.element({ element: 'unmapped', kind: 'created', name: 'x', current: { name: 'x' } });
    const [m] = await listener.waitFor(1);
    await delivery.idle();
    expect(listener.received).to.have.length(1);
    expect(embedded(m!, 'SourceInstance').get('ElementName')).to.equal('sw0');
    expect(Number(embedded(m!, 'PreviousInstance').get('Reserved'))).to.equal(1500);
  });
});

describe('DSP1054 indications: threshold edges', () => {
  const sys = (name: string, cpu: number): SystemSample => ({
    name, uuid: name, at: 0, durationMs: 1000, cpuTimeSec: 0, cpuPercentOfOneCpu: cpu, cpuAllocationPercent: 100,
    cpuPercentOfAllocation: cpu, memoryInUseMiB: 100, memoryAssignedMiB: 100, uptimeSec: 1,
  });
  const sample = (at: number, ...systems: SystemSample[]): MetricsSample => ({
    at, durationMs: 1000, systems, pools: [],
    host: { memoryCapacityMiB: 1000, memoryReservedMiB: 900, memoryAvailableMiB: 100, processorCapacityPercent: 200, processorReservedPercent: 100, processorAvailablePercent: 100 },
  });

  it('reports going over and coming back once each, per system and for the host', () => {
    const t = new ThresholdWatch({ CPUUtilization: 90, MemoryReserved: 800 });
    const seen = (s: MetricsSample) => t.check(s).map((c) => `${c.metric}:${c.system ?? 'host'}:${c.direction}`);
    expect(seen(sample(1, sys('a', 95), sys('b', 10)))).to.deep.equal(['CPUUtilization:a:over', 'MemoryReserved:host:over']);
    expect(seen(sample(2, sys('a', 99), sys('b', 10)))).to.deep.equal([]);
    expect(seen(sample(3, sys('a', 90), sys('b', 91)))).to.deep.equal(['CPUUtilization:a:back', 'CPUUtilization:b:over']);
    // a system gone from the samples starts afresh when it comes back
    expect(seen(sample(4, sys('a', 10)))).to.deep.equal([]);
    expect(seen(sample(5, sys('a', 10), sys('b', 95)))).to.deep.equal(['CPUUtilization:b:over']);
  });

  it('refuses an unknown metric, naming the known ones', () => {
    expect(() => thresholdMetrics({ Colour: 3 })).to.throw(/unknown metric "Colour" \(known: CPUUtilization, CPUUtilizationOfOneCPU, MemoryInUse/);
  });
});
