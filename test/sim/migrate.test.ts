// Migration between two simulated hosts (docs/xl-toolstack.md §7).
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, newHost, tempDir, writeJson, xl } from './helpers.js';

const OK = (n: number) => 'migration target: Ready to receive domain.\n' +
  `Saving to migration stream new xl format (info 0x3/0x0/${n})\n` +
  `Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/${n})\n` +
  ' Savefile contains xl domain config in JSON format\n' +
  'Parsing config from <saved>\n' +
  'migration target: Transfer complete, requesting permission to start domain.\n' +
  'migration sender: Target has acknowledged transfer.\n' +
  'migration sender: Giving target permission to start.\n' +
  'migration target: Got permission, starting domain.\n' +
  'migration target: Domain started successsfully.\n' +
  'migration sender: Target reports successful startup.\n' +
  'Migration successful.\n';

/** libxc's progress lines (the pre-copy iterations) removed: the rest is xl's exact text. */
const withoutProgress = (s: string) => s.replace(/^xc: Frames iteration .*\n/gm, '');
/** A fast link, so that these tests do not wait for 2 GiB to cross a modelled 10 GbE one. */
const FAST = { migration_mib_per_sec: 200_000 };

/** Sibling hosts `a` and `b` on the fast link, web01 running on `a`. */
async function twoHostsWithWeb01(): Promise<{ a: string; b: string }> {
  const base = tempDir();
  const a = newHost(FAST, base, 'a');
  const b = newHost(FAST, base, 'b');
  await xl(['list'], { state: b }); // make b a sim host
  await xl(['create', '-q', 'web01.cfg'], { state: a });
  return { a, b };
}

describe('xl-sim migrate', function () {
  this.timeout(30_000);
  after(() => cleanupTempDirs());

  it('moves a domain to a sibling host dir: new domid there, same uuid, gone from the source', async () => {
    const base = tempDir();
    const a = newHost(FAST, base, 'hostA');
    const b = newHost({}, base, 'hostB');
    await xl(['list'], { state: b }); // make hostB a sim host
    await xl(['create', '-q', 'win01.cfg'], { state: b }); // occupies domid 1 on B
    await xl(['create', '-q', 'web01.cfg'], { state: a });
    const r = await xl(['migrate', 'web01', 'hostB'], { state: a });
    expect(r.code).to.equal(0);
    expect(withoutProgress(r.stderr)).to.equal(OK(1679));
    expect(r.stderr).to.match(/Parsing config from <saved>\nxc: Frames iteration 0 of 5: 52429\/524288  10%\n/); // same config size as the sample's save file
    expect((await xl(['list'], { state: a })).stdout).to.not.contain('web01');
    const lb = JSON.parse((await xl(['list', '-l', 'web01'], { state: b })).stdout);
    expect(lb[0].domid).to.equal(2);
    expect(lb[0].config.c_info.uuid).to.equal('6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e10');
    expect((await xl(['list', 'web01'], { state: b })).stdout).to.match(/ -b---- /);
  });

  it('a final handshake broken after the permission to start: xl\'s warning, exit 1, the sender\'s copy left suspended as <name>--migratedaway; the target started its copy or destroyed it', async () => {
    for (const started of [true, false]) {
      const { a, b } = await twoHostsWithWeb01();
      writeJson(join(a, 'faults.json'), { rules: [{ command: 'migrate', mode: 'handshake', started }] });
      const r = await xl(['migrate', 'web01', 'b'], { state: a });
      expect(r.code).to.equal(1);
      expect(withoutProgress(r.stderr)).to.contain('migration sender: Giving target permission to start.\n')
        .and.match(/\*\* Migration failed during final handshake \*\*\nDomain state is now undefined !\nPlease CHECK AT BOTH ENDS for running instances, before renaming and\n resuming at most one instance\./);
      expect(r.stderr).to.not.contain('Migration successful');
      expect((await xl(['list', 'web01--migratedaway'], { state: a })).stdout).to.match(/web01--migratedaway\s+\d+\s+\d+\s+\d+\s+---ss-/);
      const there = (await xl(['list'], { state: b })).stdout;
      if (started) expect(there).to.match(/\nweb01\s+\d+\s+\d+\s+\d+\s+-b----/);
      else expect(there).to.not.contain('web01');
    }
  });

  it('uses the XL_SIM_HOSTS registry; -p leaves it paused; a name clash at the target fails and resumes', async () => {
    const dir = tempDir();
    const a = newHost(FAST, dir, 'a');
    const b = newHost({}, dir, 'b');
    const reg = join(dir, 'hosts.json');
    writeJson(reg, { alpha: a, beta: 'b' });
    await xl(['create', '-q', 'web01.cfg'], { state: a });
    let r = await xl(['migrate', '-p', 'web01', 'beta'], { state: a, hostsFile: reg });
    expect(r.code).to.equal(0);
    expect((await xl(['list', 'web01'], { state: b })).stdout).to.match(/ --p--- /); // a new domain that has not run yet
    await xl(['create', '-q', 'web01.cfg'], { state: a });
    r = await xl(['migrate', 'web01', 'beta'], { state: a, hostsFile: reg });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('migration target: Failure, destroying our copy.\n');
    expect(r.stderr).to.match(/Migration failed due to problems at target\.\n$/);
    expect((await xl(['list', 'web01'], { state: a })).code).to.equal(0);
    expect((await xl(['list'], { state: b })).stdout.match(/web01/g)).to.have.length(1);
  });

  it('unknown host and target out of memory', async () => {
    const { a, b } = await twoHostsWithWeb01();
    let r = await xl(['migrate', 'web01', 'nowhere'], { state: a });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^ssh: Could not resolve hostname nowhere: Name or service not known\r\n/);
    writeJson(join(b, 'faults.json'), { free_memory_mib: 10 });
    r = await xl(['migrate', 'web01', 'b'], { state: a });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('failed to free memory for the domain\nmigration target: Domain creation failed (code -3).\n');
    expect((await xl(['list', 'web01'], { state: a })).code).to.equal(0);
  });

  it('concurrent migrations in both directions do not deadlock', async () => {
    const base = tempDir();
    const a = newHost(FAST, base, 'a');
    const b = newHost(FAST, base, 'b');
    await xl(['create', '-q', 'web01.cfg', 'name="x1"', 'uuid="11111111-1111-4111-8111-111111111111"'], { state: a });
    await xl(['create', '-q', 'web01.cfg', 'name="y1"', 'uuid="22222222-2222-4222-8222-222222222222"'], { state: b });
    const [r1, r2] = await Promise.all([xl(['migrate', 'x1', 'b'], { state: a }), xl(['migrate', 'y1', 'a'], { state: b })]);
    expect(r1.code).to.equal(0);
    expect(r2.code).to.equal(0);
    expect((await xl(['list', 'y1'], { state: a })).code).to.equal(0);
    expect((await xl(['list', 'x1'], { state: b })).code).to.equal(0);
  });

  it('models the pre-copy and the downtime: figures in last-migration.json, a paused guest is down all along', async () => {
    const base = tempDir();
    // 2 GiB at 2048 MiB/s: about 1 s of pre-copy; 64 MiB/s dirtied meanwhile.
    const a = newHost({ migration_mib_per_sec: 2048, migration_dirty_mib_per_sec: 64, migration_resume_ms: 30 }, base, 'a');
    for (const h of ['b', 'c']) await xl(['list'], { state: newHost({}, base, h) }); // simulator hosts
    await xl(['create', '-q', 'web01.cfg'], { state: a });
    const t0 = Date.now();
    const r = await xl(['migrate', 'web01', 'b'], { state: a });
    const elapsed = Date.now() - t0;
    expect(r.code).to.equal(0);
    const live = JSON.parse(readFileSync(join(a, 'last-migration.json'), 'utf8'));
    expect(live).to.include({ domain: 'web01', destination: 'b', live: true, memory_kib: 2097152 });
    expect(live.precopy_ms).to.be.within(1000, 1100);
    // The last dirty pages (64 MiB/s over the previous iteration) plus the resume: tens of ms.
    expect(live.downtime_ms).to.be.within(30, 60);
    expect(elapsed).to.be.at.least(live.total_ms - 5);
    await xl(['create', '-q', 'web01.cfg', 'name="p1"', 'uuid="33333333-3333-4333-8333-333333333333"'], { state: a });
    await xl(['pause', 'p1'], { state: a });
    expect((await xl(['migrate', '-p', 'p1', 'c'], { state: a })).code).to.equal(0);
    const paused = JSON.parse(readFileSync(join(a, 'last-migration.json'), 'utf8'));
    expect(paused.live).to.equal(false);
    expect(paused.downtime_ms).to.be.at.least(paused.precopy_ms);
  });

  it('a crash fault kills the sender after the pre-copy: the domain runs at the sender only', async () => {
    const { a, b } = await twoHostsWithWeb01();
    writeJson(join(a, 'faults.json'), { rules: [{ command: 'migrate', mode: 'crash' }] });
    const r = await xl(['migrate', 'web01', 'b'], { state: a });
    expect(r.code).to.equal(139);
    expect(r.stderr).to.not.contain('Migration successful');
    expect((await xl(['list', 'web01'], { state: a })).stdout).to.match(/ -b---- /);
    expect((await xl(['list'], { state: b })).stdout).to.not.contain('web01');
  });

  it('killed between the two hosts\' writes: the sender\'s next call finishes the hand-over, the domain is on the target only', async () => {
    const { a, b } = await twoHostsWithWeb01();
    writeJson(join(a, 'faults.json'), { rules: [{ command: 'migrate', mode: 'crash', at: 'handover' }] });
    const r = await xl(['migrate', 'web01', 'b'], { state: a });
    expect(r.code).to.equal(139);
    // On disk the sender still holds the domain and the target already runs it: the record says which is true.
    expect(JSON.parse(readFileSync(join(a, 'state.json'), 'utf8')).domains.map((d: { name: string }) => d.name)).to.include('web01');
    expect(existsSync(join(a, 'handover.json'))).to.equal(true);
    expect((await xl(['list'], { state: a })).stdout).to.not.contain('web01');
    expect((await xl(['list', 'web01'], { state: b })).stdout).to.match(/ -b---- /);
    expect(existsSync(join(a, 'handover.json'))).to.equal(false);
    expect(JSON.parse(readFileSync(join(a, 'state.json'), 'utf8')).domains.map((d: { name: string }) => d.name)).to.not.include('web01');
  });

  it('killed between the two writes, then the domain ends at the target before the sender\'s next call: it does not come back at the sender', async () => {
    const { a, b } = await twoHostsWithWeb01();
    writeJson(join(a, 'faults.json'), { rules: [{ command: 'migrate', mode: 'crash', at: 'handover' }] });
    expect((await xl(['migrate', 'web01', 'b'], { state: a })).code).to.equal(139);
    // The target owns the domain now: it is destroyed there before the sender is called again.
    expect((await xl(['destroy', 'web01'], { state: b })).code).to.equal(0);
    expect((await xl(['list'], { state: a })).stdout).to.not.contain('web01');
    expect((await xl(['list'], { state: b })).stdout).to.not.contain('web01');
    expect(existsSync(join(a, 'handover.json'))).to.equal(false);
  });

  it('a target whose state cannot be written: the domain stays at the sender, even when the sender had other changes to write', async () => {
    const base = tempDir();
    const a = newHost({ migration_mib_per_sec: 4096, shutdown_seconds: 0.1 }, base, 'a');
    const b = newHost(FAST, base, 'b');
    // The target's state file cannot be replaced (a directory in its place): its write fails.
    mkdirSync(join(b, 'state.json', 'x'), { recursive: true });
    await xl(['create', '-q', 'web01.cfg'], { state: a });
    await xl(['create', '-q', 'web01.cfg', 'name="other"', 'memory=64', 'uuid="11111111-2222-4333-8444-555555555555"'], { state: a });
    // `other` goes down during the pre-copy: the sender has a change of its own at the hand-over.
    expect((await xl(['shutdown', 'other'], { state: a })).code).to.equal(0);
    const r = await xl(['migrate', 'web01', 'b'], { state: a });
    expect(r.code).to.equal(1);
    expect((await xl(['list', 'web01'], { state: a })).stdout).to.match(/^web01 /m);
    expect(existsSync(join(a, 'handover.json'))).to.equal(false);
  });

  it('a hand-over record whose target was never written leaves the domain at the sender', async () => {
    const { a, b } = await twoHostsWithWeb01();
    writeJson(join(a, 'handover.json'), { uuid: '6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e10', dest: b });
    expect((await xl(['list', 'web01'], { state: a })).stdout).to.match(/ -b---- /);
    expect((await xl(['list'], { state: b })).stdout).to.not.contain('web01');
    expect(existsSync(join(a, 'handover.json'))).to.equal(false);
  });
});
