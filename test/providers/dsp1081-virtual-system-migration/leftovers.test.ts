/**
 * What would stay behind on the source host, naming a system that left it: its snapshots (kept
 * here, reachable by no client once it is gone, and its images' own snapshots in use there): such
 * a system is refused, with the reason, before anything moves; and its place in a virtual network
 * (a system of its name defined later would take it): it leaves the network once it has moved.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runXl } from '../../../src/sim/run-xl.js';
import { type Hosts, routerOnA, startHosts, toHost } from './hosts.js';

function reasons(rsp: unknown): string {
  return JSON.stringify(rsp);
}

describe('DSP1081: what a migration would leave behind is refused first', function () {
  this.timeout(60_000);
  let h: Hosts;
  beforeEach(async () => { h = await startHosts(); });
  afterEach(async () => { await h.close(); });

  it('a system with snapshots on this host: the check says why, the move is refused, its snapshots stay usable', async () => {
    await routerOnA(h, 'r1');
    const { job, snapshot } = await h.a.server.virt.snapshots!.create('r1', 'disk');
    await job.done;
    const c = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'r1', 'hostB');
    expect(reasons(c.rsp)).to.contain("'r1' has 1 snapshot on this host, which cannot move with it: destroy it first");
    const m = await toHost(h, 'MigrateVirtualSystemToHost', 'r1', 'hostB');
    expect(m.error?.description).to.contain("'r1' has 1 snapshot on this host");
    expect(h.a.server.virt.jobs.list().filter((j) => j.name.startsWith('migrate'))).to.have.length(0);
    expect((await h.a.server.virt.getSystem('r1')).state).to.equal('running');
    expect((await h.a.server.virt.snapshots!.listFor('r1')).map((s) => s.id)).to.deep.equal([snapshot.id]);
    // Once it has none, it moves.
    await (await h.a.server.virt.snapshots!.destroy(snapshot.id)).job.done;
    const ok = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'r1', 'hostB');
    expect(reasons(ok.rsp)).to.contain('"IsMigratable"').and.contain('TRUE');
  });

  it('a member of a virtual network leaves it once moved: a system of its name defined later is no member', async () => {
    await routerOnA(h, 'r1');
    await routerOnA(h, 'r2');
    await h.a.server.virt.networks.define({ name: 'lab', members: [{ system: 'r1' }, { system: 'r2' }] });
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'r1', 'hostB');
    expect(r.error, r.error?.description).to.equal(undefined);
    for (let i = 0; i < 400 && !h.a.server.virt.jobs.list().find((j) => j.name.startsWith('migrate r1'))?.finished; i++) await new Promise((res) => setTimeout(res, 25));
    expect(h.a.server.virt.jobs.list().find((j) => j.name.startsWith('migrate r1'))?.state).to.equal('completed');
    expect((await h.a.server.virt.networks.get('lab')).members.map((x) => x.system)).to.deep.equal(['r2']);
    await h.a.server.virt.defineSystem({ name: 'r1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/k' } });
    expect((await h.a.server.virt.networks.get('lab')).members.map((x) => x.system)).to.deep.equal(['r2']);
  });

  it('a member moved while the server was down (killed after xl migrate) leaves its network at the restart', async () => {
    await routerOnA(h, 'r1');
    await routerOnA(h, 'r2');
    await h.a.server.virt.networks.define({ name: 'lab', members: [{ system: 'r1' }, { system: 'r2' }] });
    const uuid = (await h.a.server.virt.getSystem('r1')).uuid;
    // What a server killed after its xl migrate leaves: the open record, the domain on hostB.
    await h.a.close();
    writeFileSync(join(h.a.dataDir, 'migrations', `${uuid}.json`),
      JSON.stringify({ uuid, name: 'r1', destination: 'hostB', startedAt: Date.now(), expiresAt: Date.now() + 60_000 }));
    await runXl(['migrate', 'r1', 'hostB'], { stateDir: join(h.a.dataDir, 'xl-sim'), hostsFile: join(h.a.dataDir, 'xl-sim-hosts.json') });
    await h.restartA();
    expect(await h.a.server.virt.listSystems().then((l) => l.map((x) => x.name))).to.deep.equal(['r2']);
    expect((await h.a.server.virt.networks.get('lab')).members.map((x) => x.system)).to.deep.equal(['r2']);
  });
});
