import { expect } from 'chai';
import { MetricsSampler, type MetricsSource } from '../../src/virt/metrics.js';
import type { Capacity } from '../../src/virt/capacity.js';
import type { VirtualSystem } from '../../src/virt/types.js';
import { VirtManager } from '../../src/virt/manager.js';
import { StubDriver } from './stub-driver.js';

const CAP: Capacity = {
  memory: { capacityMiB: 4000, reservedMiB: 1000, availableMiB: 3000, overheadMiB: 500 },
  processor: { processors: 4, capacityPercent: 300, reservedPercent: 50, availablePercent: 250, vcpusAllocated: 2 },
};

function system(cpuTimeSec: number, domid = 3, cpuCap = 0): VirtualSystem {
  return {
    name: 'vm', uuid: 'u', state: 'running', origin: 'defined',
    config: {} as VirtualSystem['config'],
    live: { domid, memoryMiB: 512, targetMemoryMiB: 512, maxMemoryMiB: 512, onlineVcpus: 2, cpuWeight: 256, cpuCap, cpuTimeSec },
  };
}

/** A source whose CPU time advances by `perCall` seconds per sample and counts its calls. */
function source(perCall: number, opts: { cap?: number; domid?: () => number; counters?: () => Promise<never> } = {}) {
  let cpu = 0;
  const calls = { counters: 0, systems: 0 };
  const src: MetricsSource = {
    systems: async () => {
      calls.systems++;
      cpu += perCall;
      return [system(cpu, opts.domid?.() ?? 3, opts.cap ?? 0)];
    },
    capacity: async () => CAP,
    pools: async () => [],
    counters: opts.counters ?? (async () => {
      calls.counters++;
      return [{ name: 'vm', netTxBytes: 1, netRxBytes: 2, diskReadRequests: 3, diskWriteRequests: 4, diskReadBytes: 5, diskWriteBytes: 6 }];
    }),
  };
  return { src, calls };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('virt: the metrics sampler', () => {
  it('derives CPU use from CPU-time deltas, bounded by the allocation (vCPUs or cap)', async () => {
    const { src } = source(0.05, { cap: 50 });
    let clock = 1_000_000;
    const m = new MetricsSampler(src, { intervalMs: 0, now: () => clock });
    const first = (await m.sample()).systems[0]!;
    expect(first.cpuPercentOfOneCpu).to.equal(0); // nothing to compare with yet
    expect(first.cpuAllocationPercent).to.equal(50); // cap 50 < 2 vCPUs × 100
    clock += 125; // 0.05 s of CPU in 0.125 s
    const second = (await m.sample()).systems[0]!;
    expect(second.cpuPercentOfOneCpu).to.be.closeTo(40, 0.01);
    expect(second.cpuPercentOfAllocation).to.be.closeTo(80, 0.01); // 40 of the cap's 50
    expect(second.io?.diskReadBytes).to.equal(5);
    expect(m.latest()!.host).to.deep.include({ memoryCapacityMiB: 4000, memoryAvailableMiB: 3000, processorAvailablePercent: 250 });
  });

  it('samples on its interval with one counters call per sample, keeps a bounded history, and stops', async () => {
    const { src, calls } = source(0.01);
    const m = new MetricsSampler(src, { intervalMs: 20, historyLength: 3 });
    m.start();
    await sleep(200);
    m.stop();
    const n = calls.systems;
    expect(n).to.be.greaterThan(3);
    expect(calls.counters).to.equal(n);
    expect(m.history('vm')).to.have.length(3);
    await sleep(60);
    expect(calls.systems).to.equal(n);
  });

  it('never samples with interval 0 until asked', async () => {
    const { src, calls } = source(0.01);
    const m = new MetricsSampler(src, { intervalMs: 0 });
    m.start();
    await sleep(30);
    expect(calls.systems).to.equal(0);
    expect(m.latest()).to.equal(undefined);
  });

  it('starts a new history for a new domain, and samples CPU and memory when the counters fail', async () => {
    let domid = 3;
    const lines: string[] = [];
    const { src } = source(0.01, { domid: () => domid, counters: async () => { throw new Error('no blkback'); } });
    const m = new MetricsSampler(src, { intervalMs: 0, log: (l) => lines.push(l) });
    await m.sample();
    await m.sample();
    expect(m.history('vm')).to.have.length(2);
    domid = 4;
    const s = (await m.sample()).systems[0]!;
    expect(m.history('vm')).to.have.length(1);
    expect(s.io).to.equal(undefined);
    expect(s.memoryInUseMiB).to.equal(512);
    expect(lines).to.have.length(1);
  });

  it('says once when periodic sampling fails (the values stay those of the last sample) and once when it works again', async () => {
    let down = false;
    const lines: string[] = [];
    const { src } = source(0.01);
    const systems = src.systems;
    src.systems = async () => {
      if (down) throw new Error('xl list: hypervisor unreachable');
      return systems();
    };
    const m = new MetricsSampler(src, { intervalMs: 10, log: (l) => lines.push(l) });
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 500 && !ok(); i++) await sleep(10);
    };
    const failed = () => lines.filter((l) => /sampling failed.*hypervisor unreachable/.test(l)).length;
    m.start();
    await until(() => m.latest() !== undefined);
    down = true;
    await until(() => failed() > 0);
    const last = m.latest();
    await sleep(60); // several more failed samples
    expect(m.latest()).to.equal(last);
    expect(failed()).to.equal(1);
    down = false;
    await until(() => m.latest() !== last);
    await sleep(20);
    m.stop();
    expect(lines.filter((l) => /sampling works again/.test(l))).to.have.length(1);
  });
});

describe('virt: a metrics sample and the reads around it', () => {
  it('takes its own listing of the systems without invalidating the picture other reads are served from', async () => {
    const d = new StubDriver();
    let invalidated = 0;
    let sampled = 0;
    d.invalidate = () => { invalidated++; };
    const driver = Object.assign(d, { listFresh: async () => { sampled++; return d.list(); } });
    const vm = new VirtManager(driver, { pollIntervalMs: 1, metricsIntervalMs: 0 });
    await vm.init();
    await vm.metrics.sample();
    await vm.metrics.sample();
    // invalidate() would make every read until the listing ends wait for it (at 10,000 systems
    // 100–170 ms, every sample): the sample asks for a listing of its own instead.
    expect({ sampled, invalidated }).to.deep.equal({ sampled: 2, invalidated: 0 });
  });
});

describe('virt: a metrics sample under way when the sampler stops', () => {
  it('reads no systems once stopped (the server closes the driver next: a listing then would run xl after the stop)', async () => {
    const lines: string[] = [];
    const { src, calls } = source(0.01);
    let release: () => void = () => {};
    const counted = src.counters!;
    // The periodic sample's xentop is still running when the server stops.
    src.counters = () => new Promise((r) => { release = () => void counted().then(r); });
    const m = new MetricsSampler(src, { intervalMs: 60_000, log: (l) => lines.push(l) });
    m.start();
    await sleep(5);
    m.stop();
    release();
    await sleep(20);
    expect(calls.systems).to.equal(0);
    expect(m.latest()).to.equal(undefined);
    expect(lines, 'a stop is no sampling failure').to.deep.equal([]);
    // Started again, it samples as before.
    src.counters = counted;
    m.start();
    for (let i = 0; i < 100 && m.latest() === undefined; i++) await sleep(5);
    m.stop();
    expect(calls.systems).to.equal(1);
  });
});
