/**
 * PercentComplete of the jobs that move a memory image, seen by a client polling the job over
 * CIM-XML: CreateSnapshot follows the image as the simulator writes it (its size against the
 * guest's memory), and so does RequestStateChange 6 (save); ApplySnapshot and RequestStateChange
 * from suspended follow it as xl reads it back (the file position of xl's descriptor on the
 * image). The simulated host is slowed so that a 256 MiB router takes about 0.8 s each way (a
 * snapshot method, told to wait 0.2 s instead of its 2 s, then answers 4096 with its job, so the
 * poller sees the last 0.6 s); the apply is tested with xl in this process and with bin/xl-sim
 * processes (the real backend's path: /proc of a child process).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { propValue } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { CS, call, getInstance, refKeys, refParam } from '../support/virt-client.js';

const HOST = 'xenhost-test';
const SNAPSHOTS = {
  className: 'Xen_VirtualSystemSnapshotService',
  keys: { CreationClassName: 'Xen_VirtualSystemSnapshotService', Name: 'SnapshotService', SystemCreationClassName: 'Xen_HostSystem', SystemName: HOST },
};

/** Polls the job over CIM-XML until it ends: its final JobState and the PercentComplete values seen on the way. */
async function follow(c: Parameters<typeof getInstance>[0], job: { className: string; keys: Record<string, string> }): Promise<{ state: string; seen: number[]; error?: string }> {
  const seen: number[] = [];
  for (const until = Date.now() + 30_000; Date.now() < until;) {
    const r = await getInstance(c, job.className, job.keys);
    if (!r.inst) throw new Error(`job vanished: ${JSON.stringify(r.error)}`);
    const pct = Number(propValue(r.inst, 'PercentComplete'));
    if (seen.at(-1) !== pct) seen.push(pct);
    const state = propValue(r.inst, 'JobState')!;
    if (state !== '2' && state !== '3' && state !== '4') return { state, seen, error: propValue(r.inst, 'ErrorDescription') ?? '' };
    await new Promise((res) => setTimeout(res, 40));
  }
  throw new Error(`job did not end; seen ${seen.join(' ')}`);
}

/** Several values strictly between the start and the end, increasing (not all near the end), then 100. */
function movesWithTheBytes(seen: number[]): void {
  const during = seen.filter((p) => p > 0 && p < 100);
  expect(during.length, `PercentComplete seen: ${seen.join(' ')}`).to.be.at.least(4);
  expect(during.every((p, i) => i === 0 || p > during[i - 1]!), seen.join(' ')).to.equal(true);
  expect(during.some((p) => p < 90), seen.join(' ')).to.equal(true);
  expect(seen.at(-1)).to.equal(100);
}

for (const xl of ['in-process', 'processes'] as const) {
  describe(`e2e: progress of jobs moving a memory image (xl ${xl})`, function () {
    this.timeout(90_000);
    let app: AppServer;
    const c = () => ({ port: app.port, user: 'admin', password: 'secret', namespace: 'root/virt' });

    before(async () => {
      app = await startAppServer({
        xl, users: [{ name: 'admin', password: 'secret', role: 'admin' }],
        // 256 MiB at 320 MiB/s: 0.8 s, past the snapshot methods' wait of 0.2 s (so they answer
        // 4096) by 0.6 s, some 15 polls (a save is only watched in this process).
        host: { shutdown_seconds: 0.2, save_mib_per_sec: xl === 'in-process' ? 320 : 65536, restore_mib_per_sec: 320 },
        snapshotWaitMs: 200,
      });
      mkdirSync(path.join(app.dataDir, 'images'), { recursive: true });
      const raw = path.join(app.dataDir, 'images', 'rt.img');
      writeFileSync(raw, 'A'.repeat(4096));
      await app.server.virt.defineSystem({ name: 'rt', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: raw, vdev: 'xvda' }] });
      await app.server.virt.requestState('rt', 'running');
    });
    after(async () => app?.close());
    afterEach(function () {
      if (this.currentTest?.state === 'failed') console.log(app.log.slice(-15).join('\n'));
    });

    if (xl === 'in-process') {
      it('CreateSnapshot: PercentComplete moves as the image is written', async () => {
        const r = await call(c(), SNAPSHOTS, 'CreateSnapshot', refParam('AffectedSystem', 'Xen_ComputerSystem', CS('rt').keys) +
          '<PARAMVALUE NAME="SnapshotType" PARAMTYPE="uint16"><VALUE>2</VALUE></PARAMVALUE>');
        expect(r.error).to.equal(undefined);
        expect(r.returnValue).to.equal(4096);
        const end = await follow(c(), refKeys(r.out.Job)!);
        expect(end.state, end.error).to.equal('7');
        movesWithTheBytes(end.seen);
      });

      it('RequestStateChange 6 then 2: PercentComplete moves as the image is written, then as it is read back', async () => {
        const save = await call(c(), { className: 'Xen_ComputerSystem', keys: CS('rt').keys }, 'RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>6</VALUE></PARAMVALUE>');
        expect(save.returnValue).to.equal(4096);
        const saved = await follow(c(), refKeys(save.out.Job)!);
        expect(saved.state, saved.error).to.equal('7');
        movesWithTheBytes(saved.seen);
        const r = await call(c(), { className: 'Xen_ComputerSystem', keys: CS('rt').keys }, 'RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>2</VALUE></PARAMVALUE>');
        expect(r.returnValue).to.equal(4096);
        const end = await follow(c(), refKeys(r.out.Job)!);
        expect(end.state, end.error).to.equal('7');
        movesWithTheBytes(end.seen);
      });
    }

    it('ApplySnapshot: PercentComplete moves as the memory image is read back; the router runs again', async () => {
      let snap = (await app.server.virt.snapshots!.listFor('rt')).find((s) => s.stateFile);
      if (!snap) {
        const made = await app.server.virt.snapshots!.create('rt', 'full');
        await made.job.done;
        snap = made.snapshot;
      }
      const r = await call(c(), SNAPSHOTS, 'ApplySnapshot', refParam('Snapshot', 'Xen_VirtualSystemSettingData', { InstanceID: `Xen:snapshot:${snap.id}` }));
      expect(r.error).to.equal(undefined);
      expect(r.returnValue).to.equal(4096);
      const end = await follow(c(), refKeys(r.out.Job)!);
      expect(end.state, end.error).to.equal('7');
      movesWithTheBytes(end.seen);
      // The picture follows within a refresh on a loaded machine (reads never wait for xl).
      let state = '';
      for (const until = Date.now() + 5_000; Date.now() < until && state !== 'running';) {
        state = (await app.server.virt.getSystem('rt')).state;
        if (state !== 'running') await new Promise((res) => setTimeout(res, 100));
      }
      expect(state).to.equal('running');
    });
  });
}
