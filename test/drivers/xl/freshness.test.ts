/**
 * The picture of the host is kept current outside requests: reads run no xl, a hung `xl list -v`
 * leaves reads served from the last good picture (marked stale, logged once, and once again when
 * it recovers), and a read right after our own change reflects it.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestBackend, simStateDir, xlBehindTheBack, type TestBackend } from '../../support/xl-backend.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('xl driver: the picture of the host, kept current in the background', function () {
  this.timeout(20_000);
  let dir: string;
  let b: TestBackend;
  let logs: string[];

  const faults = (f: object): void => writeFileSync(join(simStateDir(dir), 'faults.json'), JSON.stringify(f));
  const open = async (opts: { refreshIntervalMs: number; staleAfterMs?: number; commandTimeoutMs?: number }): Promise<TestBackend> => {
    b = createTestBackend(dir, { ...opts, log: (level, m) => logs.push(`${level}: ${m}`) });
    await b.driver.init();
    return b;
  };
  const spec = (name: string) => ({ name, type: 'pv' as const, memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
  /** open() with one system defined and started, read back running (the picture after our change). */
  const openRunning = async (name: string, opts: Parameters<typeof open>[0]): Promise<TestBackend> => {
    const backend = await open(opts);
    await backend.driver.define(spec(name));
    await backend.driver.start(name);
    expect((await backend.driver.get(name)).state).to.equal('running');
    return backend;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-fresh-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    logs = [];
  });
  afterEach(async () => {
    await b?.driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('serves reads with no xl call once started, and notices a change behind our back without a read', async () => {
    const { driver, xl } = await open({ refreshIntervalMs: 100 });
    await driver.define(spec('a'));
    await driver.start('a');
    await driver.list();
    const before = xl.log.length;
    for (let i = 0; i < 20; i++) {
      await driver.list();
      await driver.get('a');
    }
    // Every call made meanwhile is the background's `xl list -v` (none ran inside a read).
    expect(xl.log.slice(before).every((a) => a[0] === 'list' && a[1] === '-v')).to.equal(true);
    await xlBehindTheBack(dir, 'pause', 'a');
    // The background's next listing shows it (a few 100 ms intervals; longer on a loaded machine),
    // and no read runs xl meanwhile.
    let state = (await driver.get('a')).state;
    for (const t0 = Date.now(); state !== 'paused' && Date.now() - t0 < 10_000;) {
      await sleep(50);
      const at = xl.log.length;
      state = (await driver.get('a')).state;
      expect(xl.log.length).to.equal(at);
    }
    expect(state).to.equal('paused');
  });

  it('never changes a system it returned (immutableSystems): a change gives a new object', async () => {
    const { driver } = await open({ refreshIntervalMs: 60_000 });
    expect(driver.immutableSystems).to.equal(true);
    await driver.define(spec('i'));
    await driver.start('i');
    const before = await driver.get('i');
    expect(Object.isFrozen(before) && Object.isFrozen(before.live)).to.equal(true);
    expect(() => { (before as { state: string }).state = 'paused'; }).to.throw(TypeError);
    await driver.pause('i');
    const after = await driver.get('i');
    expect([before.state, after.state]).to.deep.equal(['running', 'paused']);
  });

  it('a read right after our own change reflects it', async () => {
    const { driver } = await openRunning('b', { refreshIntervalMs: 60_000 });
    await driver.destroy('b');
    expect((await driver.get('b')).state).to.equal('defined');
  });

  it('keeps serving the last good picture during a hung xl list -v, marked stale, logged once, then recovers', async () => {
    const { driver } = await openRunning('c', { refreshIntervalMs: 50, staleAfterMs: 300, commandTimeoutMs: 1500 });
    expect(driver.freshness().stale).to.equal(false);
    faults({ rules: [{ command: 'list', mode: 'hang', count: 1 }] });
    await sleep(500); // the background's list hangs now
    const t0 = Date.now();
    const seen = await driver.get('c');
    const list = await driver.list();
    expect(Date.now() - t0).to.be.below(100);
    expect(seen.state).to.equal('running');
    expect(list.map((s) => s.name)).to.deep.equal(['c']);
    const f = driver.freshness();
    expect(f.stale).to.equal(true);
    expect(f.ageMs).to.be.at.least(300);
    // Killed at its deadline; the next refresh brings the picture back.
    for (let i = 0; i < 80 && driver.freshness().stale; i++) await sleep(50);
    expect(driver.freshness().stale).to.equal(false);
    expect(logs.filter((l) => l.includes('stale'))).to.have.length(1);
    expect(logs.filter((l) => l.includes('current again'))).to.have.length(1);
    expect(logs.some((l) => l.startsWith('warn: xl list -v hung: killed after 1500 ms'))).to.equal(true);
  });

  it('a read right after our own change waits at most its bound for a hung refresh, then serves the last picture', async () => {
    const { driver } = await openRunning('d', { refreshIntervalMs: 60_000, commandTimeoutMs: 3000 });
    faults({ rules: [{ command: 'list', mode: 'hang', count: 1 }] });
    driver.invalidate(); // as after a change of ours
    const t0 = Date.now();
    expect((await driver.get('d')).state).to.equal('running');
    expect(Date.now() - t0).to.be.within(1500, 2900); // the read wait (2 s), not the list's deadline
  });

  it('a listing taken for a metrics sample is listed after the call, and reads meanwhile do not wait for it', async () => {
    const { driver } = await openRunning('s', { refreshIntervalMs: 60_000, commandTimeoutMs: 1500 });
    faults({ rules: [{ command: 'list', mode: 'hang', count: 1 }] });
    const sample = driver.listFresh();
    sample.catch(() => undefined);
    // Where invalidate() makes a read wait up to its 2 s bound (the test above), these answer at once.
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) expect((await driver.get('s')).state).to.equal('running');
    expect((await driver.list()).map((s) => s.name)).to.deep.equal(['s']);
    expect(Date.now() - t0).to.be.below(500);
    await sample.then(() => expect.fail('the hung listing was answered'), (e: unknown) => expect(String(e)).to.match(/did not finish|hung|killed/));
    // A sample lists the host as it is now: a pause behind our back shows in the next one.
    await xlBehindTheBack(dir, 'pause', 's');
    const listed = await driver.listFresh();
    expect(listed.find((s) => s.name === 's')!.state).to.equal('paused');
    expect((await driver.get('s')).state).to.equal('paused');
  });

  it('a metrics sample taken while the refresh after our change runs does not hide that change from reads', async () => {
    const { driver } = await openRunning('r', { refreshIntervalMs: 60_000 });
    faults({ rules: [{ command: 'list', mode: 'slow', delay_ms: 1200, count: 5 }] });
    await driver.destroy('r'); // its refresh is listing (1.2 s)
    await sleep(100);
    driver.listFresh().catch(() => undefined); // the sampler's tick comes meanwhile
    const t0 = Date.now();
    expect((await driver.get('r')).state).to.equal('defined');
    expect(Date.now() - t0).to.be.below(1900); // the refresh after the destroy, not the sample's after it
  });

  it('a metrics sample after the stop runs no xl', async () => {
    const { driver, xl } = await open({ refreshIntervalMs: 60_000 });
    await driver.list();
    await driver.close();
    const n = xl.log.length;
    await driver.listFresh();
    expect(xl.log.slice(n)).to.deep.equal([]);
  });

  it('once the refresh after our change has failed, reads neither wait for xl nor run it (the back-off paces the retries)', async () => {
    const { driver } = await openRunning('f', { refreshIntervalMs: 60_000, commandTimeoutMs: 3000 });
    faults({ rules: [{ command: 'list', mode: 'hang', count: 100 }] });
    driver.invalidate(); // as after a change of ours; its refresh hangs to its deadline
    await driver.get('f'); // waits its bound
    for (let i = 0; i < 100 && driver.freshness().lastError === undefined; i++) await sleep(50); // killed at its deadline
    expect(driver.freshness().lastError).to.match(/did not finish/);
    const calls = driver.metrics().toolCalls;
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) expect((await driver.get('f')).state).to.equal('running');
    expect(Date.now() - t0).to.be.below(300);
    expect(driver.metrics().toolCalls).to.equal(calls);
    expect(driver.freshness().stale).to.equal(true);
  });

  it('a domain whose adoption the store refuses (a full disk) is not listed with xl list -l at every refresh', async () => {
    const { driver, xl } = await open({ refreshIntervalMs: 30 });
    const cfg = join(dir, 'outside.cfg');
    writeFileSync(cfg, 'name = "outside"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\n');
    const store = driver.store;
    const put = store.put.bind(store);
    store.put = (async () => { throw new Error('ENOSPC: no space left on device'); }) as typeof store.put;
    try {
      await xlBehindTheBack(dir, 'create', '-q', cfg);
      const lists = (): number => xl.log.filter((a) => a[0] === 'list' && a[1] === '-v').length;
      const from = lists();
      for (let i = 0; i < 200 && lists() - from < 15; i++) await sleep(20); // some fifteen refreshes
      const longs = xl.log.filter((a) => a[0] === 'list' && a[1] === '-l').length;
      expect(longs).to.be.within(1, 2);
      expect((await driver.get('outside')).state).to.equal('running'); // shown from its live configuration
      store.put = put; // the disk has room again: the next refresh adopts it, with no new listing of every domain
      for (let i = 0; i < 40 && !store.get('outside'); i++) await sleep(25);
      expect(store.get('outside')?.origin).to.equal('adopted');
      expect(xl.log.filter((a) => a[0] === 'list' && a[1] === '-l').length).to.equal(longs);
    } finally {
      store.put = put;
    }
  });
});
