/**
 * Snapshots in the model over the xl driver and xl-sim, with real small qcow2 images (made and
 * read by qemu-img / qemu-io) and raw images in a temp dir: the tree (parents, branches, most
 * current), apply bringing back state, definition and disks, destroy re-parenting, limits.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../src/drivers/xl/xl-driver.js';
import { VirtManager, type VirtManagerOptions } from '../../src/virt/manager.js';
import type { SnapshotKind, SnapshotView } from '../../src/virt/snapshots/index.js';
import { createTestDriver } from '../support/xl-backend.js';
import { qcow2, qcow2Holds, qcow2Tags } from '../support/qemu-img.js';

describe('snapshots (virt over xl-sim, real qcow2 and raw images)', function () {
  this.timeout(30_000);
  let dir: string;
  let drivers: XlDriver[] = [];
  let vm: VirtManager;
  let disk: string;
  let raw: string;

  const open = async (opts: VirtManagerOptions = {}): Promise<VirtManager> => {
    const driver = createTestDriver(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100 });
    drivers.push(driver);
    const m = new VirtManager(driver, { pollIntervalMs: 20, ...opts });
    await m.init();
    return m;
  };
  const take = async (m: VirtManager, system: string, kind: SnapshotKind = 'full'): Promise<SnapshotView> => {
    const { job, snapshot } = await m.snapshots!.create(system, kind);
    await job.done;
    return (await m.snapshots!.get(snapshot.id))!;
  };
  const apply = async (m: VirtManager, id: string): Promise<void> => {
    await (await m.snapshots!.apply(id)).job.done;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virt-snap-'));
    disk = qcow2(dir, 'r1', 0x41);
    raw = join(dir, 'r1-data.img');
    writeFileSync(raw, 'A'.repeat(8192));
    vm = await open();
    await vm.defineSystem({
      name: 'r1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: disk, vdev: 'xvda', format: 'qcow2' }, { target: raw, vdev: 'xvdb' }],
    });
  });
  afterEach(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    drivers = [];
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('takes a full snapshot of a running system that keeps running: memory image, qcow2 internal snapshot, raw copy', async () => {
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    expect(s).to.include({ system: 'r1', kind: 'full', state: 'running', current: true, stateFile: 'memory.save' });
    expect(s.parent).to.equal(undefined);
    expect((await vm.getSystem('r1')).state).to.equal('running');
    const folder = join(dir, 'snapshots', s.systemUuid, s.id);
    expect(existsSync(join(folder, 'memory.save'))).to.equal(true);
    expect(readFileSync(join(folder, 'disk-xvdb.raw'), 'utf8')).to.equal('A'.repeat(8192));
    expect(qcow2Tags(disk)).to.deep.equal([`xenwbem-${s.id}`]);
    expect(s.disks.map((d) => d.method)).to.deep.equal(['internal', 'copy']);
    expect(s.bytes).to.be.greaterThan(8192);
  });

  it('applies a snapshot: state, definition and both disks come back; snapshotting again starts a branch', async () => {
    await vm.requestState('r1', 'running');
    const first = await take(vm, 'r1');
    // change the router: disks, definition, state
    writeFileSync(raw, 'B'.repeat(8192));
    execFileSync('qemu-io', ['-c', 'write -P 0x42 0 4k', disk], { stdio: 'ignore' });
    await vm.modifySystemSettings('r1', { patch: { priority: 7 } });
    await vm.requestState('r1', 'paused');
    const second = await take(vm, 'r1');
    expect(second.parent).to.equal(first.id);
    expect(second.state).to.equal('paused');

    await apply(vm, first.id);
    const sys = await vm.getSystem('r1');
    expect(sys.state).to.equal('running');
    expect(sys.config.priority).to.equal(0);
    expect(readFileSync(raw, 'utf8')).to.equal('A'.repeat(8192));
    expect(qcow2Holds(disk, 0x41)).to.equal(true);
    expect(qcow2Holds(disk, 0x42)).to.equal(false);
    expect((await vm.snapshots!.get(first.id))!.current).to.equal(true);

    const branch = await take(vm, 'r1', 'disk');
    expect(branch.parent).to.equal(first.id);
    expect(branch.kind).to.equal('disk');
    expect(branch.stateFile).to.equal(undefined);

    await apply(vm, second.id);
    const back = await vm.getSystem('r1');
    expect(back.state).to.equal('paused');
    expect(back.config.priority).to.equal(7);
    expect(readFileSync(raw, 'utf8')).to.equal('B'.repeat(8192));
    expect(qcow2Holds(disk, 0x42)).to.equal(true);
  });

  it('a snapshot of a stopped system applies to a stopped system; a disk snapshot of a running one boots it', async () => {
    const off = await take(vm, 'r1');
    expect(off.state).to.equal('stopped');
    expect(off.stateFile).to.equal(undefined);
    await vm.requestState('r1', 'running');
    const disksOnly = await take(vm, 'r1', 'disk');
    await apply(vm, off.id);
    expect((await vm.getSystem('r1')).state).to.equal('defined');
    await apply(vm, disksOnly.id);
    expect((await vm.getSystem('r1')).state).to.equal('running');
  });

  it('destroys a snapshot: its files and the qcow2 snapshot go, its children hang from its parent', async () => {
    const a = await take(vm, 'r1');
    const b = await take(vm, 'r1');
    const c = await take(vm, 'r1');
    expect([b.parent, c.parent]).to.deep.equal([a.id, b.id]);
    await (await vm.snapshots!.destroy(b.id)).job.done;
    const left = await vm.snapshots!.listFor('r1');
    expect(left.map((s) => s.id)).to.deep.equal([a.id, c.id]);
    expect(left[1]!.parent).to.equal(a.id);
    expect(left[1]!.current).to.equal(true);
    expect(existsSync(join(dir, 'snapshots', b.systemUuid, b.id))).to.equal(false);
    expect(qcow2Tags(disk)).to.deep.equal([`xenwbem-${a.id}`, `xenwbem-${c.id}`]);
    await (await vm.snapshots!.destroy(c.id)).job.done;
    expect((await vm.snapshots!.get(a.id))!.current).to.equal(true);
  });

  it('snapshots survive a restart and follow a rename', async () => {
    const a = await take(vm, 'r1');
    await vm.modifySystemSettings('r1', { name: 'r2' });
    const again = await open();
    const list = await again.snapshots!.listFor('r2');
    expect(list.map((s) => [s.id, s.system, s.systemName, s.current])).to.deep.equal([[a.id, 'r2', 'r1', true]]);
  });

  it('an apply that cannot succeed is refused before anything is stopped: a clear error, the router runs on, the snapshot can be destroyed', async () => {
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    rmSync(join(dir, 'snapshots', s.systemUuid, s.id, 'memory.save'));
    const err = await (await vm.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.match(/^the memory image of snapshot .* is missing/);
    expect((await vm.getSystem('r1')).state).to.equal('running');
    expect(JSON.parse(readFileSync(join(dir, 'snapshots', s.systemUuid, 'tree.json'), 'utf8')).pending).to.equal(undefined);
    await (await vm.snapshots!.destroy(s.id)).job.done;
    expect(await vm.snapshots!.listFor('r1')).to.deep.equal([]);
  });

  it('an apply is refused while another system uses a disk it would write back: that system keeps its data', async () => {
    const s = await take(vm, 'r1', 'disk');
    await drivers[0]!.detachDisk('r1', 'xvdb');
    const other = join(dir, 'r2.img');
    writeFileSync(other, '');
    await vm.defineSystem({ name: 'r2', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' }, disks: [{ target: other, vdev: 'xvda' }, { target: raw, vdev: 'xvdb' }] });
    await vm.requestState('r2', 'running');
    writeFileSync(raw, 'C'.repeat(8192));
    const err = await (await vm.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.equal(`snapshot ${s.id} would write disk ${raw} back, and 'r2' uses it now: take it from 'r2' first`);
    expect(readFileSync(raw, 'utf8')).to.equal('C'.repeat(8192));
    expect((await vm.getSystem('r2')).state).to.equal('running');
    expect((await vm.getSystem('r1')).config.disks.map((d) => d.target)).to.deep.equal([disk]);
  });

  it('an apply is refused while another system has an interface with a MAC it would put back: two guests never share one', async () => {
    await vm.changeResources([{ system: 'r1', action: 'add_nic', nic: { bridge: 'xenbr0', mac: '00:16:3e:12:34:56' } }]);
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    await vm.changeResources([{ system: 'r1', action: 'remove_nic', mac: '00:16:3e:12:34:56' }]);
    await vm.defineSystem({ name: 'r2', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' }, nics: [{ bridge: 'xenbr0', mac: '00:16:3E:12:34:56' }] });
    const err = await (await vm.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.equal(`snapshot ${s.id} would put back the interface 00:16:3e:12:34:56, and 'r2' has an interface with that MAC now: take it from 'r2' first`);
    expect((await vm.getSystem('r1')).state).to.equal('running');
    expect((await vm.getSystem('r1')).config.nics).to.deep.equal([]);
  });

  it('an apply is refused before anything stops when a switch its definition uses is gone: the router runs on', async () => {
    await vm.defineSwitch('br-snap');
    await vm.changeResources([{ system: 'r1', action: 'add_nic', nic: { bridge: 'br-snap' } }]);
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    await vm.changeResources([{ system: 'r1', action: 'remove_nic', mac: s.config.nics[0]!.mac! }]);
    await vm.destroySwitch('br-snap');
    const err = await (await vm.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.equal(`snapshot ${s.id} puts back an interface on the virtual switch 'br-snap', which this host no longer has: create it first`);
    expect((await vm.getSystem('r1')).state).to.equal('running');
  });

  it('an apply is refused before anything stops when a disk copy cannot be put back for want of space: the router runs on, its disks untouched', async () => {
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    writeFileSync(raw, 'B'.repeat(8192));
    execFileSync('qemu-io', ['-c', 'write -P 0x42 0 4k', disk], { stdio: 'ignore' });
    // The filesystem of the raw image has less room than its copy takes beside it.
    drivers[0]!.snapshots.disks.freeBytes = async () => 4096;
    const err = await (await vm.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.equal(`putting disk xvdb back needs 8 KiB beside ${raw}, and its filesystem has 4 KiB free: free some space first`);
    expect((await vm.getSystem('r1')).state).to.equal('running');
    expect(readFileSync(raw, 'utf8')).to.equal('B'.repeat(8192));
    expect(qcow2Holds(disk, 0x42)).to.equal(true);
  });

  it('an apply is refused before anything stops when a disk it writes back is now outside the allowed directories', async () => {
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    // The server restarted with image directories that no longer hold the raw disk.
    const images = join(dir, 'images');
    mkdirSync(images);
    const driver = createTestDriver(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100, paths: { imageDirs: [images, disk], bootDirs: ['/boot'] } });
    drivers.push(driver);
    const narrow = new VirtManager(driver, { pollIntervalMs: 20 });
    await narrow.init();
    const err = await (await narrow.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.match(/^disk ".*r1-data\.img" is outside the allowed directories/);
    expect((await narrow.getSystem('r1')).state).to.equal('running');
  });

  it('a snapshot is refused before anything is made when the snapshot directory has less room than it needs', async () => {
    await vm.requestState('r1', 'running');
    drivers[0]!.snapshots.disks.freeBytes = async () => 1024 * 1024;
    const err = await vm.snapshots!.create('r1', 'full').catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.match(/^a snapshot of 'r1' needs about \d+ MiB, and the snapshot directory has 1 MiB free: free some space first$/);
    expect(qcow2Tags(disk)).to.deep.equal([]);
    expect((await vm.getSystem('r1')).state).to.equal('running');
  });

  it('an apply that failed, and whose end could not be recorded (a full disk), is never finished by the next start', async () => {
    await vm.requestState('r1', 'running');
    const s = await take(vm, 'r1');
    writeFileSync(raw, 'B'.repeat(8192));
    // The apply fails after the stop, and recording its end fails once (ENOSPC), then works again.
    const disks = drivers[0]!.snapshots.disks;
    const revert = disks.revert.bind(disks);
    disks.revert = async () => { throw new Error('EIO: i/o error, read'); };
    const store = vm.snapshots!.store;
    const save = store.save.bind(store);
    let failed = 0;
    store.retryMs = 20;
    store.save = async (t) => {
      if (!t.pending && failed++ === 0) throw new Error('ENOSPC: no space left on device, write');
      return save(t);
    };
    const err = await (await vm.snapshots!.apply(s.id)).job.done.catch((e: unknown) => e as Error);
    expect(err).to.have.property('message').that.match(/was stopped to apply snapshot/);
    disks.revert = revert;
    // The record catches up once it can be written, and the system's snapshots are usable.
    for (let i = 0; i < 100 && JSON.parse(readFileSync(join(dir, 'snapshots', s.systemUuid, 'tree.json'), 'utf8')).pending; i++) await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(readFileSync(join(dir, 'snapshots', s.systemUuid, 'tree.json'), 'utf8')).pending).to.equal(undefined);
    await (await vm.snapshots!.create('r1', 'disk')).job.done;
    await vm.requestState('r1', 'running');
    const again = await open();
    expect(again.snapshotRecovery!.finished).to.deep.equal([]);
    expect(readFileSync(raw, 'utf8')).to.equal('B'.repeat(8192));
    expect((await again.getSystem('r1')).state).to.equal('running');
  });

  it('deleting a system removes its snapshots: folder and qcow2 snapshots', async () => {
    const a = await take(vm, 'r1');
    await vm.deleteSystem('r1');
    expect(existsSync(join(dir, 'snapshots', a.systemUuid))).to.equal(false);
    expect(qcow2Tags(disk)).to.deep.equal([]);
    expect(await vm.snapshots!.list()).to.deep.equal([]);
  });

  it('refuses before anything is made: a limit reached, a format it cannot keep, a missing disk, an unknown kind', async () => {
    const limited = await open({ snapshots: { limits: { maxPerSystem: 1, maxBytesPerSystem: 1024 ** 3 } } });
    await take(limited, 'r1');
    const e1 = await limited.snapshots!.create('r1', 'full').catch((e: unknown) => e as Error);
    expect(e1).to.have.property('message').that.match(/has 1 snapshots, the limit per system is 1: destroy one first/);
    const small = await open({ snapshots: { limits: { maxBytesPerSystem: 4096 } } });
    const e2 = await small.snapshots!.create('r1', 'disk').catch((e: unknown) => e as Error);
    expect(e2).to.have.property('message').that.match(/needs about 1 MiB.*allowed per system/);
    await vm.defineSystem({ name: 'v', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' }, disks: [{ target: join(dir, 'v.vhd'), vdev: 'xvda', format: 'vhd' }] });
    const e3 = await vm.snapshots!.create('v', 'disk').catch((e: unknown) => e as Error);
    expect(e3).to.have.property('message').that.match(/is vhd: snapshots keep raw and qcow2 images only/);
    await vm.defineSystem({ name: 'm', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' }, disks: [{ target: join(dir, 'gone.img'), vdev: 'xvda' }] });
    const e4 = await vm.snapshots!.create('m', 'disk').catch((e: unknown) => e as Error);
    expect(e4).to.have.property('message').that.match(/does not exist/);
    const e5 = await vm.snapshots!.create('r1', 'memory' as SnapshotKind).catch((e: unknown) => e as Error);
    expect(e5).to.have.property('kind', 'invalid_argument');
    expect(readdirSync(join(dir, 'snapshots')).length).to.equal(1);
  });
});
