/**
 * What would stay behind on the source host, naming a system that left it: its snapshots (kept
 * here, reachable by no client once it is gone, and its images' own snapshots in use there) and
 * its place in a virtual network (a system of its name defined later would take it). Such a
 * system is refused, with the reason, before anything moves.
 */
import { expect } from 'chai';
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

  it('a member of a virtual network: the check says why, the move is refused, the network keeps it', async () => {
    await routerOnA(h, 'r1');
    await routerOnA(h, 'r2');
    await h.a.server.virt.networks.define({ name: 'lab', members: [{ system: 'r1' }, { system: 'r2' }] });
    const why = "'r1' is a member of the virtual network 'lab' of this host, which it cannot leave: destroy the network first";
    const c = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'r1', 'hostB');
    expect(reasons(c.rsp)).to.contain(why);
    const m = await toHost(h, 'MigrateVirtualSystemToHost', 'r1', 'hostB');
    expect(m.error?.description).to.contain(why);
    expect((await h.a.server.virt.getSystem('r1')).state).to.equal('running');
    expect((await h.a.server.virt.networks.get('lab')).members.map((x) => x.system)).to.deep.equal(['r1', 'r2']);
    // Without its network it moves, and no system of its name defined here later joins one.
    await h.a.server.virt.networks.destroy('lab');
    const ok = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'r1', 'hostB');
    expect(reasons(ok.rsp)).to.contain('TRUE');
  });
});
