import { expect } from 'chai';
import type { CimDateTime, CimInstance } from '../../../src/cim/index.js';
import { computerSystemName, hostName, instanceIdName, metricDefinitionName } from '../../../src/providers/shared/naming.js';
import { HOST, type World, associatorNames, associators, runTo, seed, world } from '../fixture.js';

const ASSOC = { def: 'Xen_MetricDefForME', inst: 'Xen_MetricInstance', forMe: 'Xen_MetricForME' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function valueOf(values: CimInstance[], metric: string, element: string): number {
  const v = values.find((i) => i.get('MetricDefinitionId') === `Xen:Metric:${metric}` && i.get('MeasuredElementName') === element);
  expect(v, `${metric} of ${element}`).to.not.equal(undefined);
  return Number(v!.get('MetricValue'));
}

describe('DSP1053 Base Metrics', () => {
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(() => w.close());

  it('defines every metric once, with its units and how it is gathered', async () => {
    const defs = await w.enumerate('Xen_BaseMetricDefinition');
    expect(defs.map((d) => d.get('Id'))).to.include.members(['Xen:Metric:CPUUtilization', 'Xen:Metric:MemoryInUse', 'Xen:Metric:NetworkReceivedPackets', 'Xen:Metric:MemoryAvailable']);
    const cpu = defs.find((d) => d.get('Id') === 'Xen:Metric:CPUUtilization')!;
    expect(cpu.get('ProgrammaticUnits')).to.equal('percent');
    expect(cpu.get('DataType')).to.equal(5); // real64
    expect(cpu.get('TimeScope')).to.equal(3); // Interval
    expect(cpu.get('GatheringType')).to.equal(3); // Periodic
    const disk = defs.find((d) => d.get('Id') === 'Xen:Metric:DiskReadBytes')!;
    expect([disk.get('ChangeType'), disk.get('TimeScope'), disk.get('ProgrammaticUnits')]).to.deep.equal([3, 4, 'byte']);
  });

  it('gives values per running system and capacity net of overhead per pool and host', async () => {
    const values = await w.enumerate('Xen_BaseMetricValue');
    expect(valueOf(values, 'MemoryInUse', 'web')).to.equal(512);
    expect(valueOf(values, 'MemoryAssigned', 'web')).to.equal(512);
    expect(values.filter((v) => v.get('MeasuredElementName') === 'db' && String(v.get('MetricDefinitionId')).includes('Memory'))).to.have.length(0);
    const cap = await w.virt.capacity();
    expect(valueOf(values, 'MemoryCapacity', HOST)).to.equal(cap.memory.capacityMiB);
    expect(valueOf(values, 'ProcessorAvailable', HOST)).to.equal(cap.processor.availablePercent);
    expect(valueOf(values, 'MemoryReserved', 'memory')).to.equal(cap.memory.reservedMiB);
    expect(valueOf(values, 'MemoryCapacity', HOST)).to.be.greaterThan(0);
  });

  it('links definitions, values and measured elements both ways', async () => {
    const web = computerSystemName('web');
    const vals = await associatorNames(w, web, 'root/virt', { AssocClass: ASSOC.forMe });
    expect(vals.map((n) => n.keyString('InstanceID'))).to.include('Xen:Metric:Uptime:web');
    const uptime = instanceIdName('Xen_BaseMetricValue', 'Xen:Metric:Uptime:web');
    expect((await associatorNames(w, uptime, 'root/virt', { AssocClass: ASSOC.forMe })).map((n) => n.className)).to.deep.equal(['Xen_ComputerSystem']);
    const defs = await associatorNames(w, uptime, 'root/virt', { AssocClass: ASSOC.inst });
    expect(defs.map((n) => n.keyString('Id'))).to.deep.equal(['Xen:Metric:Uptime']);
    const back = await associatorNames(w, metricDefinitionName('Xen:Metric:Uptime'), 'root/virt', { AssocClass: ASSOC.inst });
    expect(back.map((n) => n.keyString('InstanceID'))).to.include('Xen:Metric:Uptime:web');
    const hostDefs = await associators(w, hostName(HOST), 'root/virt', { AssocClass: ASSOC.def });
    expect(hostDefs.map((d) => d.get('Id'))).to.include.members(['Xen:Metric:MemoryCapacity', 'Xen:Metric:ProcessorCapacity']);
    const measured = await associatorNames(w, metricDefinitionName('Xen:Metric:MemoryInUse'), 'root/virt', { AssocClass: ASSOC.def });
    expect(measured.map((n) => n.keyString('Name'))).to.include('web');
  });

  it('values move once the guest has run for a while', async () => {
    await w.virt.metrics.sample();
    const before = await w.enumerate('Xen_BaseMetricValue');
    await sleep(1200);
    await w.virt.metrics.sample();
    const after = await w.enumerate('Xen_BaseMetricValue');
    for (const m of ['DiskReadRequests', 'DiskReadBytes', 'NetworkReceivedBytes', 'NetworkTransmittedPackets', 'Uptime']) {
      expect(valueOf(after, m, 'web'), m).to.be.greaterThan(valueOf(before, m, 'web'));
    }
    expect(valueOf(after, 'CPUUtilizationOfOneCPU', 'web')).to.be.greaterThan(0);
    expect(valueOf(after, 'CPUUtilization', 'web')).to.be.greaterThan(0).and.at.most(100);
    const cpu = after.find((v) => v.get('InstanceID') === 'Xen:Metric:CPUUtilization:web')!;
    expect(String(cpu.get('Duration'))).to.match(/^\d{8}\d{6}\.\d{6}:000$/);
  });

  it('Duration follows each definition\'s TimeScope: 0 for a point, the time since startup for a counter', async () => {
    await w.virt.metrics.sample();
    const values = await w.enumerate('Xen_BaseMetricValue');
    const duration = (id: string) => (values.find((v) => v.get('InstanceID') === id)!.get('Duration') as CimDateTime | null)?.toMilliseconds();
    // 2 Point: Duration is always 0 (CIM_BaseMetricDefinition.TimeScope).
    expect(duration('Xen:Metric:MemoryInUse:web')).to.equal(0);
    expect(duration('Xen:Metric:MemoryCapacity:host')).to.equal(0);
    // 4 StartupInterval: from the startup of the measured system to TimeStamp.
    const uptimeMs = valueOf(values, 'Uptime', 'web') * 1000;
    expect(uptimeMs).to.be.greaterThan(0);
    for (const m of ['Uptime', 'DiskReadBytes', 'NetworkTransmittedPackets']) expect(duration(`Xen:Metric:${m}:web`), m).to.equal(uptimeMs);
  });

  it('a system that stops has no values from then on, not only after the next sample', async () => {
    await w.virt.metrics.sample();
    expect((await w.enumerate('Xen_BaseMetricValue')).filter((v) => v.get('MeasuredElementName') === 'web')).to.not.have.length(0);
    await runTo(w.virt, 'web', 'defined');
    await w.virt.events.refresh();
    expect((await w.enumerate('Xen_BaseMetricValue')).filter((v) => v.get('MeasuredElementName') === 'web')).to.have.length(0);
    expect(await associatorNames(w, computerSystemName('web'), 'root/virt', { AssocClass: ASSOC.forMe })).to.have.length(0);
    await runTo(w.virt, 'web', 'running');
  });
});
