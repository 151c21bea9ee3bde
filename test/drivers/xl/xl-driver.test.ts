import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { KeyedLock } from '../../../src/virt/lock.js';
import type { VirtualSystemSpec } from '../../../src/virt/types.js';
import { FakeXl } from './fake-xl.js';

const spec = (name: string, extra: Partial<VirtualSystemSpec> = {}): VirtualSystemSpec => ({
  name, type: 'pv', memoryMiB: 512, vcpus: 1, maxVcpus: 2, boot: { kernel: '/boot/vmlinuz' }, ...extra,
});

async function rejects(p: Promise<unknown>, kind: string): Promise<VirtError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a VirtError').to.be.instanceOf(VirtError);
  expect((e as VirtError).kind).to.equal(kind);
  return e as VirtError;
}

describe('xl driver (in-process fake xl)', () => {
  let dir: string;
  let xl: FakeXl;
  let driver: XlDriver;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-driver-'));
    xl = new FakeXl();
    driver = new XlDriver({ xlPath: 'unused', dataDir: dir, executor: xl, snapshotTtlMs: 60_000 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adopts running domains at start-up; Domain-0 is never a virtual system', async () => {
    xl.addDomain({ name: 'legacy', memMiB: 1024, maxMemMiB: 2048, vcpus: 2, maxVcpus: 4, weight: 300 });
    xl.addDomain({ name: '1234' }); // all-digit: cannot be addressed by name, ignored
    const report = await driver.init();
    expect(report.adopted).to.deep.equal(['legacy']);
    expect(report.ignored).to.deep.equal(['1234']);
    const list = await driver.list();
    expect(list.map((s) => s.name)).to.deep.equal(['legacy']);
    expect(list[0]).to.deep.include({ state: 'running', origin: 'adopted' });
    expect(list[0]!.config).to.include({ memoryMiB: 1024, maxMemoryMiB: 2048, vcpus: 2, maxVcpus: 4, cpuWeight: 300 });
  });

  it('marks stored systems that vanished while we were away', async () => {
    await driver.init();
    await driver.define(spec('ghost'));
    await driver.start('ghost');
    xl.doms.clear(); // host rebooted behind our back
    const again = new XlDriver({ xlPath: 'unused', dataDir: dir, executor: xl });
    const report = await again.init();
    expect(report.vanished).to.deep.equal(['ghost']);
    const ghost = await again.get('ghost');
    expect(ghost).to.deep.include({ state: 'defined', vanished: true });
  });

  it('an enumeration costs the same one xl call (list -v) for 10 or 100 systems, and none within the TTL', async () => {
    await driver.init();
    let k = 0;
    for (const n of [10, 100]) {
      // Half adopted from xl (created behind our back), a quarter defined and running, a quarter defined only.
      while (xl.doms.size < n / 2) xl.addDomain({ name: `d${xl.nextDomid}` });
      for (; (await driver.list()).length < n; k++) {
        await driver.define(spec(`s${k}`));
        if (k % 2 === 0) await driver.start(`s${k}`);
      }
      driver.invalidate();
      const before = xl.calls;
      const list = await driver.list();
      expect(list).to.have.length(n);
      expect(xl.calls - before).to.equal(1);
      expect(xl.log.at(-1)).to.deep.equal(['list', '-v']);
      const again = xl.calls;
      await driver.list();
      await driver.get(list.at(-1)!.name);
      expect(xl.calls).to.equal(again);
    }
  });

  it('adopts a domain created behind our back on first sight, with its configuration, then reads it with one call', async () => {
    await driver.init();
    await driver.define(spec('ours'));
    await driver.start('ours');
    const late = xl.addDomain({
      name: 'late', memMiB: 1024, maxMemMiB: 2048, vcpus: 2, maxVcpus: 4, weight: 300, cap: 50,
      disks: [{ vdev: 'xvda', target: '/srv/late.img' }], nics: [{ mac: '00:16:3e:12:34:56', bridge: 'xenbr1' }],
    });
    driver.invalidate();
    let before = xl.calls;
    const sys = await driver.get('late');
    // First sight: list -v shows an unknown domain, so list -l is read once for its configuration.
    expect(xl.log.slice(-2)).to.deep.equal([['list', '-v'], ['list', '-l']]);
    expect(xl.calls - before).to.equal(2);
    expect(sys).to.deep.include({ name: 'late', uuid: late.uuid, state: 'running', origin: 'adopted' });
    expect(sys.config).to.include({ memoryMiB: 1024, maxMemoryMiB: 2048, vcpus: 2, maxVcpus: 4, cpuWeight: 300, cpuCap: 50 });
    expect(sys.config.disks).to.deep.equal([{ target: '/srv/late.img', vdev: 'xvda', format: 'raw', readOnly: false, cdrom: false }]);
    expect(sys.config.nics).to.deep.equal([{ mac: '00:16:3e:12:34:56', bridge: 'xenbr1' }]);
    // ...and stored: from now on it is read like the systems we defined.
    const stored = JSON.parse(readFileSync(join(dir, 'definitions', 'late.json'), 'utf8')) as { origin: string; expected: string; config: { uuid: string } };
    expect(stored).to.deep.include({ origin: 'adopted', expected: 'running' });
    expect(stored.config.uuid).to.equal(late.uuid);
    driver.invalidate();
    before = xl.calls;
    const list = await driver.list();
    expect(xl.calls - before).to.equal(1);
    expect(list.map((s) => s.name).sort()).to.deep.equal(['late', 'ours']);
    expect(list.find((s) => s.name === 'late')!.config).to.include({ memoryMiB: 1024, vcpus: 2, cpuWeight: 300 });
    // It can be managed like any other system, and stays defined once stopped.
    await driver.pause('late');
    expect((await driver.get('late')).state).to.equal('paused');
    await driver.destroy('late');
    expect((await driver.get('late')).state).to.equal('defined');
  });

  it('asks xl for an unreadable domain\'s configuration once, not on every read', async () => {
    await driver.init();
    xl.addDomain({ name: 'late' });
    const realRun = xl.run.bind(xl);
    // xl list -l skips a domain whose configuration it cannot retrieve (exit 0, libxl error).
    xl.run = async (args, opts) => (args[0] === 'list' && args[1] === '-l'
      ? { stdout: '[\n\n]\n\n', stderr: 'libxl: error: libxl_domain.c:2335:retrieve_domain_configuration_lock_acquired: Domain 1:Fail to get domain configuration\n', exitCode: 0 }
      : realRun(args, opts));
    driver.invalidate();
    expect(await driver.list()).to.deep.equal([]);
    driver.invalidate();
    const before = xl.log.length;
    expect(await driver.list()).to.deep.equal([]);
    expect(xl.log.slice(before)).to.deep.equal([['list', '-v']]);
  });

  it('folds changes made behind our back into the definitions at start-up', async () => {
    await driver.init();
    await driver.define(spec('drift', { maxMemoryMiB: 1024 }));
    await driver.start('drift');
    const dom = [...xl.doms.values()].find((d) => d.name === 'drift')!;
    dom.memMiB = 768; // an admin's xl mem-set
    dom.weight = 512; // and sched-credit2 -w
    const again = new XlDriver({ xlPath: 'unused', dataDir: dir, executor: xl });
    await again.init();
    expect((await again.get('drift')).config).to.include({ memoryMiB: 768, cpuWeight: 512 });
    const stored = JSON.parse(readFileSync(join(dir, 'definitions', 'drift.json'), 'utf8')) as { config: { memoryMiB: number } };
    expect(stored.config.memoryMiB).to.equal(768);
  });

  it('defines with no xl call and reads a pause or unpause back without asking xl again', async () => {
    await driver.init();
    await driver.list();
    let before = xl.calls;
    await driver.define(spec('p1'));
    expect(xl.calls).to.equal(before);
    await driver.start('p1');
    await driver.list();
    before = xl.calls;
    await driver.pause('p1');
    expect((await driver.get('p1')).state).to.equal('paused');
    await driver.unpause('p1');
    expect((await driver.get('p1')).state).to.equal('running');
    expect(xl.log.slice(-2)).to.deep.equal([['pause', 'p1'], ['unpause', 'p1']]);
    expect(xl.calls - before).to.equal(2);
    // A refused change leaves the snapshot to be asked for again.
    await rejects(driver.unpause('p1'), 'invalid_state');
    xl.faults.set('pause', { stderr: 'libxl: error: libxl_domain.c:1:domain_pause: Domain 1:Pausing domain: Invalid argument\n', exitCode: 1 });
    await rejects(driver.pause('p1'), 'invalid_argument');
    before = xl.calls;
    expect((await driver.get('p1')).state).to.equal('running');
    expect(xl.calls - before).to.equal(1);
  });

  it('refuses a dangerous or all-digit name before anything runs', async () => {
    await driver.init();
    const before = xl.calls;
    await rejects(driver.define(spec('a;rm -rf /')), 'invalid_argument');
    await rejects(driver.define(spec('4242')), 'invalid_argument');
    await rejects(driver.define(spec('ok', { disks: [{ target: '/srv/x.img,target=/etc/shadow', vdev: 'xvda' }] })), 'invalid_argument');
    await rejects(driver.start('a;rm -rf /'), 'invalid_argument');
    expect(xl.calls).to.equal(before);
  });

  it('defines, starts, pauses, resumes, stops and deletes, checking the transition table', async () => {
    await driver.init();
    const sys = await driver.define(spec('web01', { nics: [{ bridge: 'xenbr0' }] }));
    expect(sys.state).to.equal('defined');
    expect(sys.config.nics[0]!.mac).to.match(/^00:16:3e:[0-7][0-9a-f]:/);
    await rejects(driver.define(spec('web01')), 'conflict');
    await rejects(driver.pause('web01'), 'invalid_state');
    await driver.start('web01');
    expect((await driver.get('web01')).state).to.equal('running');
    const cfg = readFileSync(join(dir, 'cfg', 'web01.cfg'), 'utf8');
    expect(cfg).to.contain(`uuid = "${sys.uuid}"`);
    await rejects(driver.start('web01'), 'invalid_state');
    await driver.pause('web01');
    expect((await driver.get('web01')).state).to.equal('paused');
    await rejects(driver.shutdown('web01'), 'invalid_state');
    await driver.unpause('web01');
    await driver.shutdown('web01');
    expect((await driver.get('web01')).state).to.equal('defined');
    await driver.undefine('web01');
    await rejects(driver.get('web01'), 'not_found');
  });

  it('a failing create leaves the definition intact and the error clear', async () => {
    await driver.init();
    await driver.define(spec('big'));
    const stored = readFileSync(join(dir, 'definitions', 'big.json'), 'utf8');
    xl.faults.set('create', { stderr: 'Parsing config from big.cfg\nfailed to free memory for the domain\n', exitCode: 3 });
    const err = await rejects(driver.start('big'), 'no_memory');
    expect(err.detail).to.contain('failed to free memory for the domain');
    expect(readFileSync(join(dir, 'definitions', 'big.json'), 'utf8')).to.equal(stored);
    expect((await driver.get('big')).state).to.equal('defined');
    await driver.start('big'); // and it works once the fault is gone
    expect((await driver.get('big')).state).to.equal('running');
  });

  it('follows a system across a reboot by uuid (new domid)', async () => {
    await driver.init();
    await driver.define(spec('r1'));
    await driver.start('r1');
    const before = (await driver.get('r1')).live!.domid;
    await driver.reboot('r1');
    const after = await driver.get('r1');
    expect(after.state).to.equal('running');
    expect(after.live!.domid).to.not.equal(before);
  });

  it('saves to disk and restores', async () => {
    await driver.init();
    await driver.define(spec('s1'));
    await driver.start('s1');
    await driver.save('s1');
    const saved = await driver.get('s1');
    expect(saved).to.deep.include({ state: 'suspended', hasSavedImage: true });
    expect(existsSync(join(dir, 'saves', 's1.save'))).to.equal(true);
    await rejects(driver.start('s1'), 'invalid_state');
    await driver.restore('s1');
    expect((await driver.get('s1')).state).to.equal('running');
    expect(existsSync(join(dir, 'saves', 's1.save'))).to.equal(false);
  });

  it('changes memory with explicit units, vCPUs and scheduler (credit2 or credit) live and persistently', async () => {
    await driver.init();
    await driver.define(spec('m1', { maxMemoryMiB: 1024 }));
    await driver.start('m1');
    await driver.modify('m1', { memoryMiB: 768, vcpus: 2, cpuWeight: 512, cpuCap: 150 });
    expect(xl.log).to.deep.include(['mem-set', 'm1', '768m']);
    expect(xl.log).to.deep.include(['vcpu-set', 'm1', '2']);
    expect(xl.log).to.deep.include(['sched-credit2', '-d', 'm1', '-w', '512', '-c', '150']);
    const s = await driver.get('m1');
    expect(s.config).to.include({ memoryMiB: 768, vcpus: 2, cpuWeight: 512, cpuCap: 150 });
    expect(s.live!.onlineVcpus).to.equal(2);
    await rejects(driver.modify('m1', { memoryMiB: 4096 }), 'invalid_argument');
    xl.scheduler = 'credit';
    const other = new XlDriver({ xlPath: 'unused', dataDir: dir, executor: xl });
    await other.init();
    await other.modify('m1', { cpuWeight: 100 });
    expect(xl.log).to.deep.include(['sched-credit', '-d', 'm1', '-w', '100', '-c', '150']);
  });

  it('attaches and detaches devices and changes a vif rate by re-attaching it', async () => {
    await driver.init();
    await driver.define(spec('n1'));
    await driver.start('n1');
    const nic = await driver.attachInterface('n1', { bridge: 'xenbr1', mac: '00:16:3e:00:00:01' });
    await rejects(driver.attachInterface('n1', { bridge: 'xenbr1', mac: '00:16:3e:00:00:01' }), 'conflict');
    await driver.setInterfaceRate('n1', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
    const tail = xl.log.slice(-2);
    expect(tail).to.deep.equal([['network-detach', 'n1', nic.mac], ['network-attach', 'n1', 'mac=00:16:3e:00:00:01', 'bridge=xenbr1', 'rate=1250000B/s@20000us']]);
    expect((await driver.get('n1')).config.nics[0]!.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
    await driver.attachDisk('n1', { target: '/srv/data.img', vdev: 'xvdb' });
    expect(xl.log.at(-1)).to.deep.equal(['block-attach', 'n1', 'format=raw, vdev=xvdb, access=rw, target=/srv/data.img']);
    expect((await driver.get('n1')).config.disks.map((d) => d.vdev)).to.deep.equal(['xvdb']);
    await driver.detachDisk('n1', 'xvdb');
    await rejects(driver.detachDisk('n1', 'xvdb'), 'not_found');
    await driver.detachInterface('n1', nic.mac);
    expect((await driver.get('n1')).config.nics).to.deep.equal([]);
  });

  it('50 concurrent state changes over 10 domains end consistent', async function () {
    this.timeout(30_000);
    await driver.init();
    xl.delayMs = 2;
    const locks = new KeyedLock();
    const names = [...Array(10).keys()].map((i) => `c${i}`);
    for (const n of names) await driver.define(spec(n));
    const ops = ['start', 'pause', 'unpause', 'destroy', 'start'] as const;
    const results = await Promise.allSettled(
      [...Array(50).keys()].map((i) => {
        const name = names[i % 10]!;
        const op = ops[(i * 7) % ops.length]!;
        // The driver takes no lock: its caller (virt) serialises the changes of a system.
        return locks.with(name, () => driver[op](name));
      }),
    );
    // Every failure is a clean refusal of an impossible transition, never anything else.
    for (const r of results) if (r.status === 'rejected') expect((r.reason as VirtError).kind).to.be.oneOf(['invalid_state']);
    driver.invalidate();
    const list = await driver.list();
    expect(list).to.have.length(10);
    for (const s of list) {
      const inXl = [...xl.doms.values()].filter((d) => d.name === s.name);
      expect(inXl.length).to.be.at.most(1);
      if (inXl.length) expect(s.state).to.equal(inXl[0]!.paused ? 'paused' : 'running');
      else expect(s.state).to.equal('defined');
    }
  });
});
