// Many xl calls at once against one host must leave a consistent state (in-process calls
// interleave at every wait; the lock between real processes is in process.test.ts), and a
// lock left by a dead process must not block the host.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, newHost, readJson, xl } from './helpers.js';

describe('xl-sim concurrency', function () {
  this.timeout(60_000);
  after(() => cleanupTempDirs());

  it('20 concurrent creates get 20 distinct increasing domids and all land in the state', async () => {
    const st = newHost();
    const names = Array.from({ length: 20 }, (_, i) => `vm${String(i).padStart(2, '0')}`);
    const rs = await Promise.all(names.map((n) =>
      xl(['create', '-q', 'web01.cfg', `name="${n}"`, 'memory=256', 'maxmem=256', 'uuid=""'.replace('""', `"00000000-0000-4000-8000-0000000000${n.slice(2)}"`)], { state: st })));
    for (const r of rs) expect(r.code, r.stderr).to.equal(0);
    const s = readJson(join(st, 'state.json'));
    const ids = s.domains.filter((d: any) => d.domid !== 0).map((d: any) => d.domid);
    expect(ids).to.have.length(20);
    expect(new Set(ids).size).to.equal(20);
    expect([...ids].sort((a: number, b: number) => a - b)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(s.next_domid).to.equal(21);
  });

  it('concurrent pauses are all counted (reference counting survives races)', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    const rs = await Promise.all(Array.from({ length: 20 }, () => xl(['pause', 'web01'], { state: st })));
    for (const r of rs) expect(r.code).to.equal(0);
    const s = readJson(join(st, 'state.json'));
    expect(s.domains.find((d: any) => d.name === 'web01').pause_count).to.equal(20);
  });

  it('concurrent creates of the same name: exactly one wins', async () => {
    const st = newHost();
    const rs = await Promise.all(Array.from({ length: 8 }, () => xl(['create', '-q', 'web01.cfg'], { state: st })));
    expect(rs.filter((r) => r.code === 0)).to.have.length(1);
    expect(rs.filter((r) => r.code === 3)).to.have.length(7);
    const l = await xl(['list'], { state: st });
    expect(l.stdout.split('\n').filter((x) => x.startsWith('web01 '))).to.have.length(1);
  });

  it('a stale lock (dead pid) is recovered', async () => {
    const st = newHost();
    await xl(['list'], { state: st });
    writeFileSync(join(st, 'lock'), '999999 0 dead');
    const r = await xl(['list'], { state: st, timeout: 5000 });
    expect(r.code).to.equal(0);
  });
});
