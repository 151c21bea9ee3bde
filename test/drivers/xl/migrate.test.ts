/**
 * The xl driver's migration (src/drivers/xl/migrate.ts): the command line, the progress, the
 * stored definition leaving on success and staying on failure, the records a restart reads.
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validHost } from '../../../src/drivers/xl/migrate.js';
import { VirtError } from '../../../src/virt/errors.js';
import { createTestBackend, xlBehindTheBack, type TestBackend } from '../../support/xl-backend.js';
import { runXl } from '../../../src/sim/run-xl.js';

describe('xl driver: migrate', function () {
  this.timeout(30_000);
  let base: string;
  let a: TestBackend;
  let b: TestBackend;

  beforeEach(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'xen-wbem-xlmig-'));
    for (const h of ['hostA', 'hostB']) {
      mkdirSync(path.join(base, h, 'xl-sim'), { recursive: true });
      writeFileSync(path.join(base, h, 'xl-sim', 'host.json'), JSON.stringify({ bridges: ['xenbr0'], migration_mib_per_sec: 1024, shutdown_seconds: 0.2 }));
    }
    const hostsFile = path.join(base, 'hosts.json');
    writeFileSync(hostsFile, JSON.stringify({ hostB: path.join(base, 'hostB', 'xl-sim') }));
    a = createTestBackend(path.join(base, 'hostA'), { hostsFile, migrationSsh: 'ssh -o BatchMode=yes' });
    b = createTestBackend(path.join(base, 'hostB'));
    await a.driver.init();
    await b.driver.init();
    await a.driver.define({ name: 'r1', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/k' }, nics: [{ bridge: 'xenbr0' }], priority: 3 });
    await a.driver.start('r1');
  });
  afterEach(async () => {
    await a.driver.close();
    await b.driver.close();
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('xl migrate -s <ssh> <domain> <host>, progress from libxc lines; the definition leaves; the destination adopts with the one handed over', async () => {
    const cfg = (await a.driver.get('r1')).config;
    await b.driver.expectIncoming({ config: cfg, requested: 'running', expiresAt: Date.now() + 60_000 });
    const progress: number[] = [];
    await a.driver.migrate('r1', { destination: 'hostB', live: true, onProgress: (p) => progress.push(p) });
    expect(a.xl.callsOf('migrate')).to.deep.equal([['migrate', '-s', 'ssh -o BatchMode=yes', 'r1', 'hostB']]);
    expect(progress.length).to.be.at.least(10);
    expect(progress).to.deep.equal([...progress].sort((x, y) => x - y));
    expect(progress[progress.length - 1]).to.be.within(90, 99);
    expect(await a.driver.list()).to.have.length(0);
    expect(readdirSync(path.join(base, 'hostA', 'migrations'))).to.deep.equal([]);
    b.driver.invalidate();
    const there = await b.driver.get('r1');
    expect(there.state).to.equal('running');
    expect(there.origin).to.equal('defined');
    expect(there.config.priority).to.equal(3);
    expect(there.requested).to.equal('running');
    expect(readdirSync(path.join(base, 'hostB', 'incoming'))).to.deep.equal([]);
  });

  it('a rate changed live on the source is the rate the interface has on the destination (not the one it was plugged with)', async () => {
    const mac = (await a.driver.get('r1')).config.nics[0]!.mac;
    await a.driver.setInterfaceRate('r1', mac, { bytesPerSecond: 1_250_000 });
    const cfg = (await a.driver.get('r1')).config;
    expect(cfg.nics[0]!.rate).to.deep.include({ bytesPerSecond: 1_250_000 });
    await b.driver.expectIncoming({ config: cfg, requested: 'running', expiresAt: Date.now() + 60_000 });
    await a.driver.migrate('r1', { destination: 'hostB', live: true });
    b.driver.invalidate();
    const domid = (await b.driver.get('r1')).live!.domid;
    // libxl's record, which xl migrate carries over, still says unlimited: the adoption sets the rate again.
    let rate = '';
    for (const until = Date.now() + 10_000; Date.now() < until && rate !== '62500,50000\n'; await new Promise((r) => setTimeout(r, 50))) {
      rate = (await xlBehindTheBack(path.join(base, 'hostB'), 'xenstore', 'read', `/local/domain/0/backend/vif/${domid}/0/rate`).catch(() => ({ stdout: '' }))).stdout;
    }
    expect(rate).to.equal('62500,50000\n');
  });

  it('non-live pauses first; a paused system travels with -p; a failure leaves it here, unpaused, with its definition', async () => {
    writeFileSync(path.join(base, 'hostA', 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'migrate', mode: 'fail' }] }));
    const err = await a.driver.migrate('r1', { destination: 'hostB', live: false }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VirtError);
    expect(a.xl.log.map((c) => c[0]).filter((c) => ['pause', 'migrate', 'unpause'].includes(c!))).to.deep.equal(['pause', 'migrate', 'unpause']);
    expect((await a.driver.get('r1')).state).to.equal('running');
    expect(existsSync(path.join(base, 'hostA', 'definitions', 'r1.json'))).to.equal(true);
    await a.driver.pause('r1');
    await a.driver.migrate('r1', { destination: 'hostB', live: true });
    expect(a.xl.callsOf('migrate').at(-1)).to.deep.equal(['migrate', '-s', 'ssh -o BatchMode=yes', '-p', 'r1', 'hostB']);
  });

  it('refuses a destination that is not a host name and a system that is not active, before xl runs', async () => {
    for (const bad of ['-oProxyCommand=x', 'a b', '', 'host;rm']) expect(() => validHost(bad)).to.throw(VirtError);
    expect(validHost('hostb.example.net')).to.equal('hostb.example.net');
    expect(validHost('fe80::1')).to.equal('fe80::1');
    const e1 = await a.driver.migrate('r1', { destination: '-oProxyCommand=x', live: true }).catch((e: VirtError) => e);
    expect(e1).to.have.property('kind', 'invalid_argument');
    await a.driver.destroy('r1');
    const e2 = await a.driver.migrate('r1', { destination: 'hostB', live: true }).catch((e: VirtError) => e);
    expect(e2).to.have.property('kind', 'invalid_state');
    expect(a.xl.callsOf('migrate')).to.have.length(0);
  });

  it('a restart after the server died mid-migration: the domain gone means moved (definition dropped), still here means kept', async () => {
    // What a server killed after writing its record and before knowing the outcome leaves behind.
    const uuid = (await a.driver.get('r1')).uuid;
    const rec = { uuid, name: 'r1', destination: 'hostB', startedAt: Date.now(), expiresAt: Date.now() + 60_000 };
    writeFileSync(path.join(base, 'hostA', 'migrations', `${uuid}.json`), JSON.stringify(rec));
    await a.driver.close();
    const again = createTestBackend(path.join(base, 'hostA'));
    const report = await again.driver.init();
    expect(report.moved ?? []).to.deep.equal([]);
    expect((await again.driver.get('r1')).state).to.equal('running');
    // The orphaned xl migrate finishes after the restart: moved, not lost.
    expect((await runXl(['migrate', 'r1', 'hostB'], { stateDir: path.join(base, 'hostA', 'xl-sim'), hostsFile: path.join(base, 'hosts.json') })).exitCode).to.equal(0);
    for (let i = 0; i < 40 && (await again.driver.list()).length > 0; i++) {
      again.driver.invalidate();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await again.driver.list()).to.have.length(0);
    expect(existsSync(path.join(base, 'hostA', 'definitions', 'r1.json'))).to.equal(false);
    await again.driver.close();
    a = createTestBackend(path.join(base, 'hostA'));
    await a.driver.init();
  });

  it('a hung xl migrate is killed at its deadline; the error shown to clients leaves out the operator\'s ssh command', async () => {
    await a.driver.close();
    a = createTestBackend(path.join(base, 'hostA'), { hostsFile: path.join(base, 'hosts.json'), migrationSsh: 'ssh -i /etc/secret/key', longTimeoutMs: 300 });
    await a.driver.init();
    writeFileSync(path.join(base, 'hostA', 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'migrate', mode: 'hang' }] }));
    const e = await a.driver.migrate('r1', { destination: 'hostB', live: true }).then(() => undefined, (x: VirtError) => x);
    expect(e?.kind).to.equal('timeout');
    expect(e?.detail).to.contain('xl migrate -s <ssh command> r1 hostB');
    expect(`${e?.message} ${e?.detail}`).to.not.contain('/etc/secret/key');
  });

  it('a record left by a server killed before xl migrate ran: changes are refused busy until its deadline, and then a shutdown, destroy or save of ours is no move', async () => {
    // Three systems, each with a record as a server killed before its `xl migrate` ran leaves it.
    for (const n of ['r2', 'r3']) {
      await a.driver.define({ name: n, type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/k' }, nics: [{ bridge: 'xenbr0' }] });
      await a.driver.start(n);
    }
    for (const n of ['r1', 'r2', 'r3']) {
      const uuid = (await a.driver.get(n)).uuid;
      writeFileSync(path.join(base, 'hostA', 'migrations', `${uuid}.json`),
        JSON.stringify({ uuid, name: n, destination: 'hostB', startedAt: Date.now(), expiresAt: Date.now() + 1500 }));
    }
    await a.driver.close();
    a = createTestBackend(path.join(base, 'hostA'));
    await a.driver.init();
    // Until the deadline of the `xl migrate` that may still run, no change of ours may race it.
    const early = await a.driver.shutdown('r1').then(() => undefined, (e: VirtError) => e);
    expect(early?.kind).to.equal('busy');
    await new Promise((r) => setTimeout(r, 1600));
    // Then the restarted server serves on: its clients stop, destroy and suspend the systems.
    await a.driver.shutdown('r1');
    await a.driver.destroy('r2');
    await a.driver.save('r3');
    // Until the guest has shut down, and a few pictures more.
    for (let i = 0, after = 0; i < 200 && after < 6; i++) {
      a.driver.invalidate();
      if (!(await a.driver.list()).some((s) => s.state === 'running' || s.state === 'shutting_down')) after++;
      await new Promise((r) => setTimeout(r, 30));
    }
    const states = Object.fromEntries((await a.driver.list()).map((s) => [s.name, s.state]));
    expect(states).to.deep.equal({ r1: 'defined', r2: 'defined', r3: 'suspended' });
    // And a restart now does not take them for moved either.
    await a.driver.close();
    a = createTestBackend(path.join(base, 'hostA'));
    const report = await a.driver.init();
    expect(report.moved ?? []).to.deep.equal([]);
    expect((await a.driver.list()).map((s) => s.name).sort()).to.deep.equal(['r1', 'r2', 'r3']);
  });

  it('a server killed during a non-live migration (after its xl pause): the restart resumes the system it paused', async () => {
    await a.driver.define({ name: 'r2', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/k' }, nics: [{ bridge: 'xenbr0' }] });
    await a.driver.start('r2');
    await a.driver.pause('r2'); // paused by its user: stays paused
    writeFileSync(path.join(base, 'hostA', 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'migrate', mode: 'hang', count: 2 }] }));
    const stop = new AbortController();
    const moves = [a.driver.migrate('r1', { destination: 'hostB', live: false, signal: stop.signal }).catch(() => {}),
      a.driver.migrate('r2', { destination: 'hostB', live: false, signal: stop.signal }).catch(() => {})];
    for (let i = 0; i < 100 && a.xl.callsOf('migrate').length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(a.xl.callsOf('migrate')).to.have.length(2);
    // kill -9 now: what is on disk is what the restarted server finds (xl migrate killed with it).
    const killed = path.join(base, 'hostA-killed');
    cpSync(path.join(base, 'hostA'), killed, { recursive: true });
    stop.abort();
    await Promise.all(moves);
    const again = createTestBackend(killed);
    try {
      await again.driver.init();
      expect((await again.driver.get('r1')).state).to.equal('running');
      expect((await again.driver.get('r2')).state).to.equal('paused');
    } finally {
      await again.driver.close();
    }
  });

  it('a definition handed over is left behind by a kill -9 after the adoption: it holds no name once the system is here', async () => {
    const cfg = (await a.driver.get('r1')).config;
    await b.driver.expectIncoming({ config: cfg, expiresAt: Date.now() + 60_000 });
    expect(await b.driver.define({ name: 'r1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/k' } }).catch((e: Error) => e.message))
      .to.match(/'r1' .* is arriving by migration/);
    await a.driver.migrate('r1', { destination: 'hostB', live: true });
    b.driver.invalidate();
    expect((await b.driver.get('r1')).origin).to.equal('defined');
    // What a kill -9 between the adoption's two writes leaves: the record, beside the adopted definition.
    const rec = path.join(base, 'hostB', 'incoming', `${cfg.uuid}.json`);
    writeFileSync(rec, JSON.stringify({ config: cfg, expiresAt: Date.now() + 60_000 }));
    await b.driver.close();
    b = createTestBackend(path.join(base, 'hostB'));
    await b.driver.init();
    await b.driver.rename('r1', 'r9');
    await b.driver.define({ name: 'r1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/k' } });
    expect((await b.driver.list()).map((s) => s.name).sort()).to.deep.equal(['r1', 'r9']);
  });

  it('the move done, a definition that cannot be removed here does not fail it: the record has it removed later', async () => {
    const uuid = (await a.driver.get('r1')).uuid;
    const store = a.driver.store as unknown as { remove: (name: string) => Promise<void> };
    const remove = store.remove.bind(store);
    let fail = true;
    store.remove = async (name) => {
      if (fail) throw new Error('EIO: i/o error, unlink');
      return remove(name);
    };
    await a.driver.migrate('r1', { destination: 'hostB', live: true });
    expect(await runXl(['list'], { stateDir: path.join(base, 'hostB', 'xl-sim') }).then((r) => r.stdout)).to.match(/^r1 /m);
    // The record stays open: the next pictures remove the definition once the store can.
    expect(existsSync(path.join(base, 'hostA', 'migrations', `${uuid}.json`))).to.equal(true);
    fail = false;
    for (let i = 0; i < 40 && existsSync(path.join(base, 'hostA', 'definitions', 'r1.json')); i++) {
      a.driver.invalidate();
      await a.driver.list();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(existsSync(path.join(base, 'hostA', 'definitions', 'r1.json'))).to.equal(false);
    expect(await a.driver.list()).to.have.length(0);
  });

  it('after a restart, a migration still run by the killed server\'s xl migrate: a second one, or any other change, is refused until it is over', async () => {
    const uuid = (await a.driver.get('r1')).uuid;
    // What the killed server left: its record, and its `xl migrate` still copying.
    writeFileSync(path.join(base, 'hostA', 'migrations', `${uuid}.json`),
      JSON.stringify({ uuid, name: 'r1', destination: 'hostB', startedAt: Date.now(), expiresAt: Date.now() + 60_000 }));
    await a.driver.close();
    a = createTestBackend(path.join(base, 'hostA'), { hostsFile: path.join(base, 'hosts.json') });
    await a.driver.init();
    const orphan = runXl(['migrate', 'r1', 'hostB'], { stateDir: path.join(base, 'hostA', 'xl-sim'), hostsFile: path.join(base, 'hosts.json') });
    const again = await a.driver.migrate('r1', { destination: 'hostB', live: true }).then(() => undefined, (e: VirtError) => e);
    // Nor may anything else change it meanwhile: a stop or save here would leave its definition beside it running there.
    for (const other of [() => a.driver.destroy('r1'), () => a.driver.pause('r1'), () => a.driver.save('r1')]) {
      const e = await other().then(() => undefined, (x: VirtError) => x);
      expect(e?.kind).to.equal('busy');
      expect(e?.message).to.match(/a migration of 'r1' to hostB started before this server restarted may still be running/);
    }
    expect((await orphan).exitCode).to.equal(0);
    expect(again?.kind).to.equal('busy');
    expect(again?.message).to.match(/a migration of 'r1' to hostB started before this server restarted may still be running/);
    for (let i = 0; i < 40 && (await a.driver.list()).length > 0; i++) {
      a.driver.invalidate();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await a.driver.list()).to.have.length(0);
  });

  it('a restart finds the domain already gone: the definition goes, reported as moved', async () => {
    const uuid = (await a.driver.get('r1')).uuid;
    writeFileSync(path.join(base, 'hostA', 'migrations', `${uuid}.json`),
      JSON.stringify({ uuid, name: 'r1', destination: 'hostB', startedAt: Date.now(), expiresAt: Date.now() + 60_000 }));
    await a.driver.close();
    expect((await runXl(['migrate', 'r1', 'hostB'], { stateDir: path.join(base, 'hostA', 'xl-sim'), hostsFile: path.join(base, 'hosts.json') })).exitCode).to.equal(0);
    a = createTestBackend(path.join(base, 'hostA'));
    const report = await a.driver.init();
    expect(report.moved).to.deep.equal(['r1 -> hostB']);
    expect(report.vanished).to.deep.equal([]);
    expect(await a.driver.list()).to.have.length(0);
  });

  it('a definition handed over whose disk or bootloader lies outside the allowed directories, or with a value xl must not get, is refused, as a define is: the adoption would bypass them', async () => {
    await b.driver.close();
    const images = path.join(base, 'hostB', 'images');
    mkdirSync(images, { recursive: true });
    b = createTestBackend(path.join(base, 'hostB'), { paths: { imageDirs: [images], bootDirs: ['/boot'] } });
    await b.driver.init();
    const cfg = (await a.driver.get('r1')).config;
    const uuid = cfg.uuid;
    for (const bad of [
      { ...cfg, disks: [{ target: '/etc/shadow', vdev: 'xvda' }] },
      { ...cfg, boot: { bootloader: '/tmp/run-me-as-root' } },
      { ...cfg, disks: [{ target: `${images}/r1.img,script=/tmp/x`, vdev: 'xvda' }] },
    ]) {
      const err = await b.driver.expectIncoming({ config: bad, expiresAt: Date.now() + 60_000 }).then(() => undefined, (e: Error) => e);
      expect(err, JSON.stringify(bad.disks)).to.be.instanceOf(VirtError);
      expect(err!.message).to.match(/is outside the allowed directories|invalid disk target/);
      expect(existsSync(path.join(base, 'hostB', 'incoming', `${uuid}.json`))).to.equal(false);
    }
    await b.driver.expectIncoming({ config: { ...cfg, disks: [{ target: path.join(images, 'r1.img'), vdev: 'xvda' }] }, expiresAt: Date.now() + 60_000 });
    expect(existsSync(path.join(base, 'hostB', 'incoming', `${uuid}.json`))).to.equal(true);
  });

  it('a second system of a name already on its way is refused: two arrivals never claim one name', async () => {
    const cfg = (await a.driver.get('r1')).config;
    await b.driver.expectIncoming({ config: cfg, expiresAt: Date.now() + 60_000 });
    const other = { ...cfg, uuid: '00000000-0000-4000-8000-0000000000aa', nics: [] };
    const err = await b.driver.expectIncoming({ config: other, expiresAt: Date.now() + 60_000 }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal(`a virtual system named 'r1' (UUID ${cfg.uuid}) is arriving by migration`);
    expect(existsSync(path.join(base, 'hostB', 'incoming', `${other.uuid}.json`))).to.equal(false);
    // The same system handed over again (a retry) is kept.
    await b.driver.expectIncoming({ config: cfg, expiresAt: Date.now() + 60_000 });
  });
});
