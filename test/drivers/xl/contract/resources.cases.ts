/**
 * Driver contract, resources and hosts: memory, vCPUs and scheduler changed live with the xl
 * arguments they take, devices attached and detached, and names refused before anything runs.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rejects, type Case } from './backends.js';
import { addDisk, addInterface, modifySystem, removeDisk, removeInterface, setInterfaceRate } from '../../../support/virt-shortcuts.js';

export const RESOURCES_CASES: Case[] = [
  {
    title: 'changes memory, vCPUs and scheduler live; xl reports the new values',
    on: 'in-process',
    async run({ vm, driver, spec }) {
      await vm.defineSystem(spec('res'));
      await vm.requestState('res', 'running');
      await modifySystem(vm, 'res', { memoryMiB: 384, vcpus: 2, cpuWeight: 512, cpuCap: 100 });
      driver.invalidate();
      const s = await vm.getSystem('res');
      expect(s.config).to.include({ memoryMiB: 384, vcpus: 2, cpuWeight: 512, cpuCap: 100 });
      expect(s.live!.onlineVcpus).to.equal(2);
      await rejects(modifySystem(vm, 'res', { vcpus: 3 }), 'invalid_argument');
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
      await driver.modify('m1', { cpuWeight: 100 });
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
      const nic = await addInterface(vm, 'dev', { bridge: 'xenbr1' });
      await setInterfaceRate(vm, 'dev', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      driver.invalidate();
      let s = await vm.getSystem('dev');
      expect(s.config.nics.find((n) => n.mac === nic.mac)!.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      const extra = join(dir, 'extra.img');
      writeFileSync(extra, '');
      await addDisk(vm, 'dev', { target: extra, vdev: 'xvdb' });
      driver.invalidate();
      s = await vm.getSystem('dev');
      expect(s.config.disks.map((d) => d.vdev)).to.deep.equal(['xvda', 'xvdb']);
      await removeDisk(vm, 'dev', 'xvdb');
      await removeInterface(vm, 'dev', nic.mac);
      driver.invalidate();
      s = await vm.getSystem('dev');
      expect(s.config.disks.map((d) => d.vdev)).to.deep.equal(['xvda']);
      expect(s.config.nics.map((n) => n.mac)).to.not.include(nic.mac);
    },
  },
  {
    title: 'attaches and detaches devices with xl\'s argument syntax and changes a vif rate live in xenstore (no re-attach)',
    on: 'in-process',
    async run({ driver, log, bareSpec, xl }) {
      await driver.define(bareSpec('n1'));
      await driver.start('n1');
      const nic = await driver.attachInterface('n1', { bridge: 'xenbr1', mac: '00:16:3e:00:00:01' });
      await rejects(driver.attachInterface('n1', { bridge: 'xenbr1', mac: '00:16:3e:00:00:01' }), 'conflict');
      await driver.setInterfaceRate('n1', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      // The refresh each change starts runs in the background: only the changes' own calls here.
      const own = (): string[][] => log!.filter((a) => a[0] !== 'list');
      const domid = (await xl('domid', 'n1')).stdout.trim();
      expect(own().slice(-2)).to.deep.equal([
        ['network-list', domid], ['xenstore', 'write', `/local/domain/0/backend/vif/${domid}/0/rate`, '25000,20000'],
      ]);
      expect(log!.some((a) => a[0] === 'network-detach')).to.equal(false);
      // netback's key holds the new credit; the vif keeps its devid
      expect((await xl('xenstore', 'read', `/local/domain/0/backend/vif/${domid}/0/rate`)).stdout).to.equal('25000,20000\n');
      await driver.setInterfaceRate('n1', nic.mac, null);
      expect(own().at(-1)).to.deep.equal(['xenstore', 'rm', `/local/domain/0/backend/vif/${domid}/0/rate`]);
      expect((await xl('xenstore', 'exists', `/local/domain/0/backend/vif/${domid}/0/rate`).catch((e: unknown) => e))).to.be.instanceOf(Error);
      await driver.setInterfaceRate('n1', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      expect((await driver.get('n1')).config.nics[0]!.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
      expect((await xl('network-list', 'n1')).stdout.split('\n').filter(Boolean)).to.have.length(2); // header + the one vif
      await driver.attachDisk('n1', { target: '/srv/data.img', vdev: 'xvdb' });
      expect(own().at(-1)).to.deep.equal(['block-attach', 'n1', 'format=raw, vdev=xvdb, access=rw, target=/srv/data.img']);
      expect((await driver.get('n1')).config.disks.map((d) => d.vdev)).to.deep.equal(['xvdb']);
      await driver.detachDisk('n1', 'xvdb');
      await rejects(driver.detachDisk('n1', 'xvdb'), 'not_found');
      await driver.detachInterface('n1', nic.mac);
      expect((await driver.get('n1')).config.nics).to.deep.equal([]);
    },
  },
  {
    title: 'a rate changed live through xenstore survives a restart of the server (libxl\'s record still shows the old one)',
    on: 'in-process',
    async run({ driver, bareSpec, another }) {
      await driver.define(bareSpec('r1', { nics: [{ bridge: 'xenbr1', mac: '00:16:3e:00:00:07' }] }));
      await driver.start('r1', { paused: true });
      await driver.setInterfaceRate('r1', '00:16:3e:00:00:07', { bytesPerSecond: 12_500_000, intervalUs: 50_000 });
      await driver.close();
      const { driver: again } = another();
      await again.init();
      try {
        expect((await again.get('r1')).config.nics[0]!.rate).to.deep.equal({ bytesPerSecond: 12_500_000, intervalUs: 50_000 });
      } finally {
        await again.close();
      }
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
];
