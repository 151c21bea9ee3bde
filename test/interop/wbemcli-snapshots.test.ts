/**
 * Snapshot a router, change it, roll it back — with the real sblim wbemcli, the commands the
 * README shows: cm CreateSnapshot, ain along Xen_SnapshotOfVirtualSystem and
 * Xen_MostCurrentSnapshotInBranch, cm ApplySnapshot, cm DestroySnapshot.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { qcow2, qcow2Holds } from '../support/qemu-img.js';
import { requireWbemcli, wbemcli } from '../support/wbemcli.js';

const HOST = 'xenhost-test';
const SVC = `Xen_VirtualSystemSnapshotService.CreationClassName="Xen_VirtualSystemSnapshotService",Name="SnapshotService",SystemCreationClassName="Xen_HostSystem",SystemName="${HOST}"`;
const VM = (name: string) => `Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="${name}"`;

describe('interop: sblim wbemcli snapshots a router, changes it and rolls it back', function () {
  this.timeout(120_000);
  let app: AppServer;
  let U: string;
  let disk: string;
  let conf: string;

  before(async () => {
    await requireWbemcli();
    // A loaded machine may take seconds: the answers asserted are the synchronous 0s.
    app = await startAppServer({ users: [{ name: 'root', password: 'secret', role: 'admin' }], hostName: HOST, snapshotWaitMs: 20_000 });
    U = `http://root:secret@127.0.0.1:${app.port}/root/virt`;
    const images = join(app.dataDir, 'images');
    mkdirSync(images, { recursive: true });
    disk = qcow2(images, 'router1', 0x41);
    conf = join(images, 'router1-conf.img');
    writeFileSync(conf, 'ospf cost 10\n'.padEnd(4096, ' '));
    await app.server.virt.defineSystem({
      name: 'router1', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: disk, vdev: 'xvda', format: 'qcow2' }, { target: conf, vdev: 'xvdb' }], nics: [{ bridge: 'xenbr0' }],
    });
    await app.server.virt.requestState('router1', 'running');
  });
  after(async () => app?.close());
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(app.log.slice(-15).join('\n'));
  });

  let snapshotId = '';

  it('cm CreateSnapshot (2: full) answers 0 with the snapshot; ain finds it from the router both ways', async () => {
    const r = await wbemcli('cm', `${U}:${SVC}`, `CreateSnapshot.AffectedSystem=${VM('router1')},SnapshotType=2`);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('CreateSnapshot: 0');
    const snaps = await wbemcli('ain', '-ac', 'Xen_SnapshotOfVirtualSystem', `${U}:${VM('router1')}`);
    expect(snaps.code, snaps.err).to.equal(0);
    const m = /InstanceID="(Xen:snapshot:[0-9a-f]{12})"/.exec(snaps.out);
    expect(m, snaps.out).to.not.equal(null);
    snapshotId = m![1]!;
    const current = await wbemcli('ain', '-ac', 'Xen_MostCurrentSnapshotInBranch', `${U}:${VM('router1')}`);
    expect(current.out).to.contain(snapshotId);
    const back = await wbemcli('ain', '-ac', 'Xen_SnapshotOfVirtualSystem', `${U}:Xen_VirtualSystemSettingData.InstanceID="${snapshotId}"`);
    expect(back.out).to.contain('Name="router1"');
    const vssd = await wbemcli('gi', '-nl', `${U}:Xen_VirtualSystemSettingData.InstanceID="${snapshotId}"`);
    expect(vssd.out).to.contain('-VirtualSystemIdentifier="router1"');
  });

  it('change the router, then cm ApplySnapshot rolls it back: disks, settings, running again', async () => {
    writeFileSync(conf, 'ospf cost 99\n'.padEnd(4096, ' '));
    const pause = await wbemcli('cm', `${U}:${VM('router1')}`, 'RequestStateChange.RequestedState=9');
    expect(pause.out).to.match(/RequestStateChange: (0|4096)/);
    const r = await wbemcli('cm', `${U}:${SVC}`, `ApplySnapshot.Snapshot=Xen_VirtualSystemSettingData.InstanceID="${snapshotId}"`);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('ApplySnapshot: 0');
    expect(readFileSync(conf, 'utf8')).to.match(/^ospf cost 10\n/);
    expect(qcow2Holds(disk, 0x41)).to.equal(true);
    const state = await wbemcli('gp', `${U}:${VM('router1')}`, 'EnabledState');
    expect(state.out.trim().split('\n').pop()!.trim()).to.equal('2');
  });

  it('cm DestroySnapshot removes it', async () => {
    const r = await wbemcli('cm', `${U}:${SVC}`, `DestroySnapshot.AffectedSnapshot=Xen_VirtualSystemSettingData.InstanceID="${snapshotId}"`);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain('DestroySnapshot: 0');
    const snaps = await wbemcli('ain', '-ac', 'Xen_SnapshotOfVirtualSystem', `${U}:${VM('router1')}`);
    expect(snaps.out).to.not.contain('Xen:snapshot:');
  });
});
