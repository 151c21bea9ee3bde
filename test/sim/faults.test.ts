// Fault injection through faults.json (src/sim/faults.ts).
import { expect } from 'chai';
import { join } from 'node:path';
import { cleanupTempDirs, newHost, readJson, writeJson, xl } from './helpers.js';

describe('xl-sim faults', function () {
  this.timeout(30_000);
  after(() => cleanupTempDirs());

  it('fail: xl\'s error text and status, count decremented and persisted, exhausted rules removed', async () => {
    const st = newHost();
    await xl(['list'], { state: st });
    writeJson(join(st, 'faults.json'), { rules: [{ command: 'create', mode: 'fail', count: 2 }] });
    let r = await xl(['create', 'web01.cfg'], { state: st });
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal('Parsing config from web01.cfg\nlibxl: error: libxl_create.c:1296:initiate_domain_create: Domain 1:cannot make domain: -3\n');
    expect(readJson(join(st, 'faults.json')).rules[0].count).to.equal(1);
    r = await xl(['create', 'web01.cfg'], { state: st });
    expect(r.code).to.equal(3);
    expect(readJson(join(st, 'faults.json')).rules).to.deep.equal([]);
    r = await xl(['create', 'web01.cfg'], { state: st });
    expect(r.code).to.equal(0);
  });

  it('fail with stderr/exit_code overrides, count -1 = forever, other commands unaffected', async () => {
    const st = newHost();
    writeJson(join(st, 'faults.json'), { rules: [{ command: 'info', mode: 'fail', count: -1, stderr: 'boom', exit_code: 7 }] });
    for (let i = 0; i < 2; i++) {
      const r = await xl(['info'], { state: st });
      expect(r).to.deep.include({ code: 7, stderr: 'boom\n', stdout: '' });
    }
    expect((await xl(['list'], { state: st })).code).to.equal(0);
  });

  it('hang: never returns (killed by the caller\'s timeout) and does not block other calls', async () => {
    const st = newHost();
    writeJson(join(st, 'faults.json'), { rules: [{ command: 'list', mode: 'hang' }] });
    const t0 = Date.now();
    const hung = xl(['list'], { state: st, timeout: 500 });
    await new Promise((res) => setTimeout(res, 100));
    const other = await xl(['info', 'host'], { state: st });
    expect(other.code).to.equal(0);
    expect(Date.now() - t0).to.be.lessThan(450);
    const r = await hung;
    expect(Date.now() - t0).to.be.at.least(490);
    expect(r.code).to.not.equal(0);
    expect(r.stdout).to.equal('');
    expect((await xl(['list'], { state: st })).code).to.equal(0); // rule consumed
  });

  it('slow: waits delay_ms then behaves normally', async () => {
    const st = newHost();
    writeJson(join(st, 'faults.json'), { rules: [{ command: 'list', mode: 'slow', delay_ms: 600 }] });
    const t0 = Date.now();
    const r = await xl(['list'], { state: st });
    expect(Date.now() - t0).to.be.greaterThan(550);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('Domain-0');
  });

  it('crash: the domain crashes at the next call and on_crash applies', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });  // on_crash=restart
    await xl(['create', '-q', 'win01.cfg'], { state: st });  // on_crash=preserve
    await xl(['create', '-q', 'web01.cfg', 'name="web02"', 'on_crash="destroy"'], { state: st });
    writeJson(join(st, 'faults.json'), { crash: ['web01', 'win01', 'web02', 'later'] });
    const l = (await xl(['list'], { state: st })).stdout;
    expect(l).to.match(/\nweb01 +4 /);          // restarted with a new domid
    expect(l).to.match(/\nwin01 +2 .* ---sc- /); // preserved, crashed
    expect(l).to.not.contain('web02');
    expect(readJson(join(st, 'faults.json')).crash).to.deep.equal(['later']);
  });

  it('unreadable_config: list -l leaves the domain out with libxl\'s error and still exits 0', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    await xl(['create', '-q', '-p', 'win01.cfg'], { state: st });
    writeJson(join(st, 'faults.json'), { unreadable_config: ['web01'] });
    const r = await xl(['list', '-l'], { state: st });
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('libxl: error: libxl_domain.c:2335:retrieve_domain_configuration_lock_acquired: Domain 1:Fail to get domain configuration\n');
    expect(JSON.parse(r.stdout).map((d: { domid: number }) => d.domid)).to.deep.equal([0, 2]);
    expect((await xl(['list', '-l', 'web01'], { state: st })).stdout).to.equal('[\n\n]\n\n');
    expect((await xl(['list'], { state: st })).stdout).to.contain('\nweb01 '); // only its configuration is lost
  });

  it('free_memory_mib: info reports it, create and mem-set fail with out-of-memory errors', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg', 'memory=512'], { state: st });
    writeJson(join(st, 'faults.json'), { free_memory_mib: 1000 });
    expect((await xl(['info', 'free_memory'], { state: st })).stdout).to.equal('1000\n');
    const r = await xl(['create', 'win01.cfg'], { state: st });
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal('Parsing config from win01.cfg\nfailed to free memory for the domain\n');
    const m = await xl(['mem-set', 'web01', '2048'], { state: st });
    expect(m.code).to.equal(1);
    expect(m.stderr).to.match(/^libxl: error: libxl_mem\.c:\d+:libxl_set_memory_target: Domain 1:.*\n\ncannot set domid 1 dynamic max memory to : 2048\n$/);
    expect((await xl(['mem-set', 'web01', '256'], { state: st })).code).to.equal(0);
  });
});
