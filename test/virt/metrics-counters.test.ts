import { expect } from 'chai';
import { MetricsSampler, type MetricsSource } from '../../src/virt/metrics.js';
import type { Capacity } from '../../src/virt/capacity.js';
import type { SystemCounters } from '../../src/virt/driver.js';
import type { VirtualSystem } from '../../src/virt/types.js';

const CAP: Capacity = {
  memory: { capacityMiB: 4000, reservedMiB: 0, availableMiB: 4000, overheadMiB: 0 },
  processor: { processors: 4, capacityPercent: 300, reservedPercent: 0, availablePercent: 300, vcpusAllocated: 1 },
};

const vm = (domid: number): VirtualSystem => ({
  name: 'vm', uuid: 'u', state: 'running', origin: 'defined', config: {} as VirtualSystem['config'],
  live: { domid, memoryMiB: 512, targetMemoryMiB: 512, maxMemoryMiB: 512, onlineVcpus: 1, cpuWeight: 256, cpuCap: 0, cpuTimeSec: 1 },
});

const io = (disk: number, net: number, packets?: number): SystemCounters => ({
  name: 'vm', netTxBytes: net, netRxBytes: net, diskReadRequests: disk, diskWriteRequests: disk, diskReadBytes: disk * 512, diskWriteBytes: disk * 512,
  ...(packets === undefined ? {} : { netTxPackets: packets, netRxPackets: packets }),
});

/**
 * The hypervisor's I/O counters of a domain are sums over its devices: a disk or an interface
 * unplugged from a running system takes its share with it. DSP1053 Counter values (ChangeType 3,
 * TimeScope StartupInterval) only grow while the measured element runs; they start again only
 * when it restarts (its Duration does too).
 */
describe('virt: the metrics sampler keeps I/O counters monotonic while a domain runs', () => {
  it('a device unplugged from a running system does not make its counters go back; a new domain starts them again', async () => {
    let domid = 7;
    let counters = io(100, 1000, 10);
    const src: MetricsSource = {
      systems: async () => [vm(domid)], capacity: async () => CAP, pools: async () => [], counters: async () => [counters],
    };
    const m = new MetricsSampler(src, { intervalMs: 0 });
    expect((await m.sample()).systems[0]!.io).to.deep.include({ diskReadRequests: 100, netTxBytes: 1000, netTxPackets: 10 });
    // The second disk and interface (40 requests, 600 bytes, 4 packets so far) are unplugged, then 5 more requests run.
    counters = io(65, 450, 7);
    const after = (await m.sample()).systems[0]!.io!;
    expect(after).to.deep.include({ diskReadRequests: 100, diskReadBytes: 100 * 512, netTxBytes: 1000, netTxPackets: 10 });
    counters = io(70, 500, 9);
    expect((await m.sample()).systems[0]!.io).to.deep.include({ diskReadRequests: 105, netTxBytes: 1050, netTxPackets: 12 });
    // A restart (new domain): its counters start again from what the hypervisor says.
    domid = 8;
    counters = io(3, 30, 1);
    expect((await m.sample()).systems[0]!.io).to.deep.include({ diskReadRequests: 3, netTxBytes: 30, netTxPackets: 1 });
  });
});

describe('virt: the metrics sampler and a system that stops while a sample is taken', () => {
  it('a system forgotten (stopped, saved, renamed) while a sample was being read is not in that sample', async () => {
    let open!: () => void;
    let gate: Promise<void> = Promise.resolve();
    const src: MetricsSource = {
      systems: async () => {
        const list = [vm(7)];
        await gate;
        return list;
      },
      capacity: async () => CAP, pools: async () => [], counters: async () => [io(1, 1)],
    };
    const m = new MetricsSampler(src, { intervalMs: 0 });
    await m.sample();
    expect(m.latest()!.systems.map((s) => s.name)).to.deep.equal(['vm']);
    gate = new Promise<void>((r) => { open = r; });
    const taking = m.sample();
    await new Promise((r) => setImmediate(r));
    // The system stops: the event stream tells the sampler while the list it read still has it.
    m.forget('vm');
    open();
    await taking;
    expect(m.latest()!.systems.map((s) => s.name)).to.deep.equal([]);
    expect(m.history('vm')).to.deep.equal([]);
    // The next sample reads afresh.
    gate = Promise.resolve();
    await m.sample();
    expect(m.latest()!.systems.map((s) => s.name)).to.deep.equal(['vm']);
  });
});
