import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admissionRequest, admissionShortfall, computeCapacity, needMemoryKiB, overheadMiB } from '../../src/virt/capacity.js';
import type { HostFacts, SystemType } from '../../src/virt/types.js';

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'data', 'xl-driver', 'libxl-need-memory.txt');

const host: HostFacts = {
  hostname: 'h', hypervisor: 'xen', hypervisorVersion: '4.17.7', scheduler: 'credit2', nrCpus: 16,
  totalMemoryMiB: 65533, freeMemoryMiB: 55014, dom0MemoryMiB: 4096, dom0Vcpus: 2, dom0MemoryFixed: true,
};

describe('capacity accounting', () => {
  it('matches every row the real libxl_domain_need_memory() returned', () => {
    const rows = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => !l.startsWith('#') && /->/.test(l));
    expect(rows.length).to.be.greaterThan(8);
    for (const line of rows) {
      const m = /^(\w+)(\(hap=0\))?\s+(\d+)\s+(\d+)\s+(\d+)\s+->\s+(\d+)/.exec(line)!;
      const got = needMemoryKiB({ type: m[1] as SystemType, hap: !m[2], memoryMiB: +m[3]!, maxVcpus: +m[4]!, maxMemoryMiB: +m[5]! });
      expect(got, line).to.equal(+m[6]!);
    }
    expect(overheadMiB({ type: 'pv', memoryMiB: 512, maxVcpus: 1 })).to.equal(4);
  });

  it('advertises physical minus Xen, dom0 and per-guest overheads, never more', () => {
    const guest = { config: { type: 'pv' as const, memoryMiB: 2048, maxMemoryMiB: 2048, maxVcpus: 4, memoryReservationMiB: 2048, cpuReservationPercent: 50 }, currentMemoryMiB: 2048, onlineVcpus: 2 };
    const cap = computeCapacity({ ...host, freeMemoryMiB: host.freeMemoryMiB - 2062 }, [guest]);
    const xenOwn = 65533 - (55014 - 2062) - 4096 - 2048 - 14;
    expect(cap.memory.capacityMiB).to.equal(65533 - xenOwn - 4096 - 14);
    expect(cap.memory.reservedMiB).to.equal(2048);
    expect(cap.memory.availableMiB).to.equal(cap.memory.capacityMiB - 2048);
    expect(cap.memory.capacityMiB).to.be.lessThan(host.totalMemoryMiB);
    expect(cap.processor).to.include({ processors: 16, capacityPercent: 1500, reservedPercent: 50, availablePercent: 1450, vcpusAllocated: 2 });
  });

  it('lets an auto-ballooning dom0 shrink to its floor', () => {
    const fixed = computeCapacity(host, []);
    const auto = computeCapacity({ ...host, dom0MemoryFixed: false }, [], { dom0FloorMiB: 1024, dom0CpuPercent: 100 });
    expect(auto.memory.capacityMiB - fixed.memory.capacityMiB).to.equal(4096 - 1024);
  });

  it('admits only what fits, overhead included', () => {
    const cap = computeCapacity(host, []);
    const cfg = { type: 'hvm' as const, memoryMiB: cap.memory.availableMiB, maxMemoryMiB: cap.memory.availableMiB, maxVcpus: 1, memoryReservationMiB: cap.memory.availableMiB, cpuReservationPercent: 0 };
    expect(admissionShortfall(cap, admissionRequest(cfg))).to.match(/needs \d+ MiB/);
    const small = { ...cfg, memoryMiB: 1024, maxMemoryMiB: 1024, memoryReservationMiB: 1024 };
    expect(admissionShortfall(cap, admissionRequest(small))).to.equal(null);
    expect(admissionShortfall(cap, { memoryMiB: 1, cpuPercent: 1501 })).to.match(/CPU/);
  });
});
