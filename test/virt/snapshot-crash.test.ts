/**
 * A crash (kill -9) at every point of a snapshot operation leaves the old or the new state, never
 * a half-made snapshot, and start-up cleans up. The "process" stops at a crash point for good (the
 * hook never returns, as nothing runs after kill -9); a second server then starts on the same
 * data directory and simulated host.
 */
import { expect } from 'chai';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../src/drivers/xl/xl-driver.js';
import { VirtManager } from '../../src/virt/manager.js';
import type { CrashPoint } from '../../src/virt/snapshots/index.js';
import { createTestDriver } from '../support/xl-backend.js';
import { qcow2, qcow2Holds, qcow2Tags } from '../support/qemu-img.js';

describe('snapshots: a crash at any point leaves the old or the new state', function () {
  this.timeout(30_000);
  let dir: string;
  let drivers: XlDriver[] = [];
  let disk: string;
  let raw: string;

  const open = async (crashAt?: CrashPoint): Promise<VirtManager> => {
    const driver = createTestDriver(dir, { commandTimeoutMs: 10_000, snapshotTtlMs: 100 });
    drivers.push(driver);
    const reached: { point?: CrashPoint } = {};
    const m = new VirtManager(driver, {
      pollIntervalMs: 20,
      snapshots: crashAt ? { at: (p) => (p === crashAt ? (reached.point = p, new Promise<void>(() => {})) : Promise.resolve()) } : {},
    });
    await m.init();
    (m as unknown as { crashed: typeof reached }).crashed = reached;
    return m;
  };
  const crashed = (m: VirtManager): CrashPoint | undefined => (m as unknown as { crashed: { point?: CrashPoint } }).crashed.point;
  const waitCrash = async (m: VirtManager): Promise<void> => {
    for (let i = 0; i < 200 && !crashed(m); i++) await new Promise((r) => setTimeout(r, 10));
    expect(crashed(m), 'the crash point was reached').to.not.equal(undefined);
  };
  /** What must hold of every system folder after start-up: nothing but the tree and the snapshots it names. */
  const clean = (uuid: string, ids: string[]): void => {
    const entries = readdirSync(join(dir, 'snapshots', uuid)).sort();
    expect(entries).to.deep.equal(['tree.json', ...ids].sort());
    expect(JSON.parse(readFileSync(join(dir, 'snapshots', uuid, 'tree.json'), 'utf8')).pending).to.equal(undefined);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virt-snap-crash-'));
    disk = qcow2(dir, 'r1', 0x41);
    raw = join(dir, 'r1.img');
    writeFileSync(raw, 'A'.repeat(4096));
    const m = await open();
    await m.defineSystem({
      name: 'r1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: disk, vdev: 'xvda', format: 'qcow2' }, { target: raw, vdev: 'xvdb' }],
    });
    await m.requestState('r1', 'running');
  });
  afterEach(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    drivers = [];
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  for (const point of ['create:intent', 'create:captured', 'create:committed-folder'] as CrashPoint[]) {
    it(`a create cut at ${point} is undone at start-up: no snapshot, no folder, no qcow2 snapshot`, async () => {
      const before = await open();
      const kept = (await (await before.snapshots!.create('r1', 'full')).job.done) as { id: string; systemUuid: string };
      const m = await open(point);
      await m.snapshots!.create('r1', 'full');
      await waitCrash(m);
      const after = await open();
      expect((await after.snapshots!.listFor('r1')).map((s) => s.id)).to.deep.equal([kept.id]);
      expect(after.snapshotRecovery!.undone).to.have.length(1);
      expect(qcow2Tags(disk)).to.deep.equal([`xenwbem-${kept.id}`]);
      clean(kept.systemUuid, [kept.id]);
      expect((await after.getSystem('r1')).state).to.equal('running');
    });
  }

  for (const point of ['apply:intent', 'apply:stopped', 'apply:disks', 'apply:definition', 'apply:resumed'] as CrashPoint[]) {
    it(`an apply cut at ${point} is finished at start-up: state, definition and disks of the snapshot`, async () => {
      const before = await open();
      const snap = (await (await before.snapshots!.create('r1', 'full')).job.done) as { id: string; systemUuid: string };
      writeFileSync(raw, 'B'.repeat(4096));
      execFileSync('qemu-io', ['-c', 'write -P 0x42 0 4k', disk], { stdio: 'ignore' });
      await before.modifySystemSettings('r1', { patch: { priority: 9 } });
      await before.requestState('r1', 'paused');
      const m = await open(point);
      await m.snapshots!.apply(snap.id);
      await waitCrash(m);
      const after = await open();
      const sys = await after.getSystem('r1');
      expect([sys.state, sys.config.priority]).to.deep.equal(['running', 0]);
      expect(readFileSync(raw, 'utf8')).to.equal('A'.repeat(4096));
      expect(qcow2Holds(disk, 0x41)).to.equal(true);
      expect((await after.snapshots!.get(snap.id))!.current).to.equal(true);
      clean(snap.systemUuid, [snap.id]);
    });
  }

  for (const point of ['destroy:intent', 'destroy:disks', 'destroy:recorded'] as CrashPoint[]) {
    it(`a destroy cut at ${point} is finished at start-up: the snapshot and its files are gone`, async () => {
      const before = await open();
      const a = (await (await before.snapshots!.create('r1', 'disk')).job.done) as { id: string; systemUuid: string };
      const b = (await (await before.snapshots!.create('r1', 'disk')).job.done) as { id: string };
      const m = await open(point);
      await m.snapshots!.destroy(a.id);
      await waitCrash(m);
      const after = await open();
      const left = await after.snapshots!.listFor('r1');
      expect(left.map((s) => [s.id, s.parent])).to.deep.equal([[b.id, undefined]]);
      expect(qcow2Tags(disk)).to.deep.equal([`xenwbem-${b.id}`]);
      clean(a.systemUuid, [b.id]);
    });
  }

  it('start-up removes temp files and folders no tree names, and sets aside an unreadable tree', async () => {
    const m = await open();
    const s = (await (await m.snapshots!.create('r1', 'disk')).job.done) as { id: string; systemUuid: string };
    const folder = join(dir, 'snapshots', s.systemUuid);
    writeFileSync(join(folder, '.tree.json.1234.abcd.tmp'), '{');
    mkdirSync(join(folder, '.0123456789ab.partial'));
    mkdirSync(join(folder, 'ba9876543210'));
    const other = join(dir, 'snapshots', '00000000-0000-4000-8000-000000000001');
    mkdirSync(other);
    writeFileSync(join(other, 'tree.json'), 'not json');
    const after = await open();
    expect(after.snapshotRecovery!.removed).to.have.length(3);
    expect(after.snapshotRecovery!.quarantined).to.deep.equal(['00000000-0000-4000-8000-000000000001']);
    clean(s.systemUuid, [s.id]);
    expect(existsSync(join(other, 'tree.json'))).to.equal(false);
  });
  it('a tree that cannot be read is set aside and its images are kept, at this start and the next', async () => {
    const m = await open();
    const snap = (await (await m.snapshots!.create('r1', 'full')).job.done) as { id: string; systemUuid: string };
    const folder = join(dir, 'snapshots', snap.systemUuid);
    writeFileSync(join(folder, 'tree.json'), '{"version":1,"systemUu');
    for (let start = 0; start < 2; start++) {
      const again = await open();
      expect(again.snapshotRecovery!.removed).to.deep.equal([]);
      expect(readdirSync(folder)).to.include(snap.id);
      expect(qcow2Tags(disk)).to.deep.equal([`xenwbem-${snap.id}`]);
    }
    expect(readdirSync(folder).some((f) => f.startsWith('tree.json.corrupt-'))).to.equal(true);
  });
  it('a destroy that start-up cannot finish (its disk held open) is dropped and its snapshot marked broken; the system stays usable', async () => {
    const before = await open();
    const snap = (await (await before.snapshots!.create('r1', 'full')).job.done) as { id: string };
    const m = await open('destroy:intent');
    await m.snapshots!.destroy(snap.id);
    await waitCrash(m);
    // Another program holds the qcow2 image open (its write lock): the disk's snapshot cannot go now.
    const holder = spawn('qemu-io', ['-c', 'sleep 20000', disk], { stdio: 'ignore' });
    try {
      // Wait until it holds the lock (another qemu-img is then refused).
      const locked = () => spawnSync('qemu-img', ['snapshot', '-l', disk]).status !== 0;
      for (let i = 0; i < 200 && !locked(); i++) await new Promise((res) => setTimeout(res, 50));
      expect(locked(), 'qemu-io holds the image').to.equal(true);
      const after = await open();
      expect(after.snapshotRecovery!.failed).to.have.length(1);
      const listed = (await after.snapshots!.listFor('r1')).find((x) => x.id === snap.id);
      expect(listed?.broken).to.equal(true);
      const err = await (await after.snapshots!.apply(snap.id)).job.done.then(() => undefined, (e: Error) => e);
      expect(err?.message).to.match(/partly destroyed and cannot be applied/);
      expect((await after.getSystem('r1')).state).to.equal('running');
    } finally {
      holder.kill('SIGKILL');
    }
    // Once the disk is free, destroying it again ends it.
    await new Promise((res) => setTimeout(res, 100));
    const later = await open();
    await (await later.snapshots!.destroy(snap.id)).job.done;
    expect(await later.snapshots!.listFor('r1')).to.deep.equal([]);
  });
});
