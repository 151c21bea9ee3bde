/**
 * Driver contract, resources and hosts: memory, vCPUs and scheduler changed live with the xl
 * arguments they take, devices attached and detached, statistics, names refused before
 * anything runs, and migration to another simulated host.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtManager } from '../../../../src/virt/manager.js';
import { rejects, sleep, type Case } from './backends.js';

export const RESOURCES_CASES: Case[] = [
  {
    title: 'changes memory, vCPUs and scheduler live; xl reports the new values',
    on: 'in-process',
    async run({ vm, driver, spec }) {
      await vm.defineSystem(spec('res'));
      await vm.requestState('res', 'running');
      await vm.modifySystem('res', { memoryMiB: 384, vcpus: 2, cpuWeight: 512, cpuCap: 100 });
      driver.invalidate();
      const s = await vm.getSystem('res');
      expect(s.config).to.include({ memoryMiB: 384, vcpus: 2, cpuWeight: 512, cpuCap: 100 });
      expect(s.live!.onlineVcpus).to.equal(2);
      await rejects(vm.modifySystem('res', { vcpus: 3 }), 'invalid_argument');
    },
  },
  {
    title: 'changes memory with explicit units, vCPUs and the credit2 scheduler live and persistently',
    on: 'in-process',
    async run({ driver, log, bareSpec }) {
      await driver.define(bareSpec('m1', { maxMemoryMiB: 1024 }));
      await driver.start('m1');
      await driver.modify('m1', { memoryMiB: 768, vcpus: 2, cpuWeight: 512, cpuCap: 150 });
      expect(log).to.deep.include(['mem-set', 'm1', '768m']);
      expect(log).to.deep.include(['vcpu-set', 'm1', '2']);
      expect(log).to.deep.include(['sched-credit2', '-d', 'm1', '-w', '512', '-c', '150']);
      driver.invalidate();
      const s = await driver.get('m1');
      expect(s.config).to.include({ memoryMiB: 768, vcpus: 2, cpuWeight: 512, cpuCap: 150 });
      expect(s.live).to.include({ onlineVcpus: 2, memoryMiB: 768, cpuWeight: 512, cpuCap: 150 });
      await rejects(driver.modify('m1', { memoryMiB: 4096 }), 'invalid_argument');
    },
  },
  {
    title: 'drives a credit host with sched-credit, keeping the cap it does not change',
    on: 'in-process',
    host: { scheduler: 'credit' },
    async run({ driver, log, bareSpec, xl }) {
      await driver.define(bareSpec('m1', { maxMemoryMiB: 1024 }));
      await driver.start('m1');
      await driver.modify('m1', { cpuWeight: 512, cpuCap: 150 });
      expect(log).to.deep.include(['sched-credit', '-d', 'm1', '-w', '512', '-c', '150']);
      await driver.setScheduler('m1', { weight: 100 });
      expect(log).to.deep.include(['sched-credit', '-d', 'm1', '-w', '100', '-c', '150']);
      expect(log!.some((a) => a[0] === 'sched-credit2')).to.equal(false);
      // xl itself reports the new weight and the kept cap.
      expect((await xl('sched-credit', '-d', 'm1')).stdout).to.match(/\nm1 +\d+ +100 +150\n$/);
    },
  },
  {
    title: 'attaches and detaches interfaces and disks, and changes a rate live',
    on: 'in-process',
    async run({ vm, driver, dir, spec }) {
      await vm.defineSystem(spec('dev'));
      await vm.requestState('dev', 'running');
      const nic = await vm.addInterface('dev', { bridge: 'xenbr1' });
      await vm.setInterfaceRate('dev', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      driver.invalidate();
      let s = await vm.getSystem('dev');
      expect(s.config.nics.find((n) => n.mac === nic.mac)!.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      const extra = join(dir, 'extra.img');
      writeFileSync(extra, '');
      await vm.addDisk('dev', { target: extra, vdev: 'xvdb' });
      driver.invalidate();
      s = await vm.getSystem('dev');
      expect(s.config.disks.map((d) => d.vdev)).to.deep.equal(['xvda', 'xvdb']);
      await vm.removeDisk('dev', 'xvdb');
      await vm.removeInterface('dev', nic.mac);
      driver.invalidate();
      s = await vm.getSystem('dev');
      expect(s.config.disks.map((d) => d.vdev)).to.deep.equal(['xvda']);
      expect(s.config.nics.map((n) => n.mac)).to.not.include(nic.mac);
    },
  },
  {
    title: 'attaches and detaches devices with xl\'s argument syntax and changes a vif rate by re-attaching it',
    on: 'in-process',
    async run({ driver, log, bareSpec, xl }) {
      await driver.define(bareSpec('n1'));
      await driver.start('n1');
      const nic = await driver.attachInterface('n1', { bridge: 'xenbr1', mac: '00:16:3e:00:00:01' });
      await rejects(driver.attachInterface('n1', { bridge: 'xenbr1', mac: '00:16:3e:00:00:01' }), 'conflict');
      await driver.setInterfaceRate('n1', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      expect(log!.slice(-2)).to.deep.equal([
        ['network-detach', 'n1', nic.mac], ['network-attach', 'n1', 'mac=00:16:3e:00:00:01', 'bridge=xenbr1', 'rate=1250000B/s@20000us'],
      ]);
      expect((await driver.get('n1')).config.nics[0]!.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      expect((await xl('network-list', 'n1')).stdout.split('\n').filter(Boolean)).to.have.length(2); // header + the one vif
      await driver.attachDisk('n1', { target: '/srv/data.img', vdev: 'xvdb' });
      expect(log!.at(-1)).to.deep.equal(['block-attach', 'n1', 'format=raw, vdev=xvdb, access=rw, target=/srv/data.img']);
      expect((await driver.get('n1')).config.disks.map((d) => d.vdev)).to.deep.equal(['xvdb']);
      await driver.detachDisk('n1', 'xvdb');
      await rejects(driver.detachDisk('n1', 'xvdb'), 'not_found');
      await driver.detachInterface('n1', nic.mac);
      expect((await driver.get('n1')).config.nics).to.deep.equal([]);
    },
  },
  {
    title: 'reports statistics relative to the allocation, with xentop counters',
    on: 'process', // xentop runs as `xl-sim xentop`, a process of its own
    async run({ vm, driver, spec }) {
      await vm.defineSystem(spec('st', { vcpus: 2 }));
      await vm.requestState('st', 'running');
      const first = await vm.stats('st');
      await sleep(600);
      driver.invalidate();
      const second = await vm.stats('st');
      for (const st of [first, second]) {
        expect(st).to.include({ active: true, vcpus: 2, memoryAllocatedMiB: 256 });
        expect(st.cpuPercentOfAllocation).to.be.within(0, 100);
        expect(st.memoryPercentOfAllocation).to.be.within(0, 100);
        expect(st.netTxBytes).to.be.a('number');
      }
      expect(second.cpuTimeSec).to.be.at.least(first.cpuTimeSec);
      await vm.requestState('st', 'defined');
      expect(await vm.stats('st')).to.include({ active: false, cpuPercentOfAllocation: 0 });
    },
  },
  {
    title: 'refuses a dangerous or all-digit name before anything runs',
    on: 'in-process',
    async run({ driver, log, bareSpec }) {
      const before = log!.length;
      await rejects(driver.define(bareSpec('a;rm -rf /')), 'invalid_argument');
      await rejects(driver.define(bareSpec('4242')), 'invalid_argument');
      await rejects(driver.define(bareSpec('ok', { disks: [{ target: '/srv/x.img,target=/etc/shadow', vdev: 'xvda' }] })), 'invalid_argument');
      await rejects(driver.start('a;rm -rf /'), 'invalid_argument');
      expect(log!.length).to.equal(before);
    },
  },
  {
    title: 'migrates to another simulated host, which adopts the system',
    on: 'in-process',
    async run({ backend, dir, spec }) {
      const dir2 = mkdtempSync(join(tmpdir(), 'xl-contract-dst-'));
      try {
        const hostsFile = join(dir, 'hosts.json');
        writeFileSync(hostsFile, JSON.stringify({ host2: join(dir2, 'xl-sim') }));
        mkdirSync(join(dir2, 'xl-sim'), { recursive: true });
        const srcVm = new VirtManager(backend.driver(dir, { hostsFile }).driver);
        await srcVm.init();
        await srcVm.defineSystem(spec('mig'));
        const uuid = (await srcVm.requestState('mig', 'running')).uuid;
        const job = srcVm.migrate('mig', 'host2');
        await job.done;
        expect(job.state).to.equal('completed');
        await rejects(srcVm.getSystem('mig'), 'not_found');
        const dst = backend.driver(dir2, { hostsFile }).driver;
        const report = await dst.init();
        expect(report.adopted).to.deep.equal(['mig']);
        expect(await dst.get('mig')).to.deep.include({ state: 'running', uuid });
        await rejects(srcVm.migrate('a;b', 'host2').done, 'invalid_argument');
      } finally {
        rmSync(dir2, { recursive: true, force: true });
      }
    },
  },
];
