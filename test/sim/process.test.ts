// bin/xl-sim as a process: what the in-process runs (every other test here) cannot show — the
// options taken from the environment, exit statuses, stdout and stderr written apart and byte
// for byte as captured in-process, a hang that keeps the process alive until killed, the state
// lock between real processes, and the xentop alias.
import { expect } from 'chai';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, newHost, readJson, sample, sampleHost, tempDir, writeJson, xl, xlProcess } from './helpers.js';

describe('xl-sim as a process (bin/xl-sim)', function () {
  this.timeout(30_000);
  after(() => cleanupTempDirs());

  it('writes stdout and stderr apart, with the exit status and the bytes the in-process run captures', async () => {
    const st = await sampleHost();
    for (const [name, args, code] of [
      ['list-l', ['list', '-l'], 0], ['unknown-option', ['list', '--bogus'], 2], ['create-dryrun-kitchen-sink', ['-N', 'create', 'kitchen.cfg'], 0],
      ['destroy-unknown-name', ['destroy', 'nosuch'], 1], ['config-update-missing-file', ['config-update', 'web01', '/nonexistent.cfg'], 253],
    ] as const) {
      const p = await xlProcess([...args], { state: st });
      expect(p, name).to.deep.equal(await xl([...args], { state: st }));
      expect(p.code, name).to.equal(code);
    }
    expect((await xlProcess(['list', '-l'], { state: st })).stdout).to.equal(sample('list-l.out'));
    const c = await xlProcess(['create', '-p', 'web01.cfg', 'name="web02"', 'uuid="11111111-2222-4333-8444-555555555555"'], { state: st });
    expect(c).to.deep.equal({ stdout: '', stderr: 'Parsing config from web01.cfg\n', code: 0 });
  });

  it('a hang fault keeps the process alive until the caller kills it; a slow one finishes late', async () => {
    const st = newHost();
    writeJson(join(st, 'faults.json'), { rules: [{ command: 'list', mode: 'hang' }, { command: 'info', mode: 'slow', delay_ms: 300 }] });
    const t0 = Date.now();
    const r = await xlProcess(['list'], { state: st, timeout: 1000 });
    expect(r).to.deep.include({ code: -1, stdout: '' });
    expect(Date.now() - t0).to.be.at.least(950);
    const t1 = Date.now();
    expect((await xlProcess(['info', 'host'], { state: st })).stdout).to.equal('xenhost01\n');
    expect(Date.now() - t1).to.be.at.least(300);
  });

  it('a caller killed while it waits for the lock leaves no file behind', async () => {
    const st = newHost();
    await xl(['list'], { state: st });
    // The lock is held by a live process (this one) for longer than the caller waits.
    writeFileSync(join(st, 'lock'), `${process.pid} ${Date.now()} held`);
    const r = await xlProcess(['pause', '0'], { state: st, timeout: 600 });
    expect(r.code).to.equal(-1);
    expect(readdirSync(st).sort()).to.deep.equal(['host.json', 'lock', 'state.json']);
  });

  it('breaking a dead holder\'s lock also removes the temp files it left; others\' stay', async () => {
    const st = newHost();
    await xl(['list'], { state: st });
    writeFileSync(join(st, 'lock'), '999999 0 dead');
    for (const n of ['state.json.tmp.999999.a1b2c3', 'lock.999999.d4e5f6', 'faults.json.tmp.999999.g7h8i9', 'state.json.tmp.1.other']) writeFileSync(join(st, n), '{');
    expect((await xlProcess(['pause', '0'], { state: st, timeout: 5000 })).code).to.equal(0);
    expect(readdirSync(st).sort()).to.deep.equal(['host.json', 'state.json', 'state.json.tmp.1.other']);
  });

  it('concurrent processes serialise on the state lock: distinct domids, every pause counted', async () => {
    const st = newHost();
    const names = Array.from({ length: 6 }, (_, i) => `vm${i}`);
    const rs = await Promise.all(names.map((n, i) =>
      xlProcess(['create', '-q', 'web01.cfg', `name="${n}"`, 'memory=256', 'maxmem=256', `uuid="00000000-0000-4000-8000-00000000000${i}"`], { state: st })));
    for (const r of rs) expect(r.code, r.stderr).to.equal(0);
    const s = readJson(join(st, 'state.json'));
    expect(s.domains.map((d: { domid: number }) => d.domid).sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    const ps = await Promise.all(Array.from({ length: 6 }, () => xlProcess(['pause', 'vm0'], { state: st })));
    for (const r of ps) expect(r.code).to.equal(0);
    expect(readJson(join(st, 'state.json')).domains.find((d: { name: string }) => d.name === 'vm0').pause_count).to.equal(6);
  });

  it('a link named xentop runs xentop\'s batch mode', async () => {
    const st = await sampleHost();
    const link = join(tempDir(), 'xentop');
    symlinkSync(join(process.cwd(), 'bin', 'xl-sim'), link);
    const r = await xlProcess(['-b', '-i', '1'], { state: st, exe: link });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal(sample('xentop-b-i1.out').split('\n')[0]);
    expect(r.stdout).to.match(/\n +web01 /);
  });

  it('XL_SIM_HOSTS names the migration target', async () => {
    const dir = tempDir();
    const a = newHost({ migration_mib_per_sec: 200_000 }, dir, 'a');
    const b = newHost({}, dir, 'b');
    const hostsFile = join(dir, 'hosts.json');
    writeJson(hostsFile, { beta: 'b' });
    await xl(['create', '-q', 'web01.cfg'], { state: a });
    const r = await xlProcess(['migrate', 'web01', 'beta'], { state: a, hostsFile });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/Migration successful\.\n$/);
    expect((await xl(['list', 'web01'], { state: b })).code).to.equal(0);
  });
});
