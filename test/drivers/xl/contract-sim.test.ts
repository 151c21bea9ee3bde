/**
 * The driver contract against xl-sim (the bundled simulator answering like xl 4.17), one fresh
 * simulated host per test. Needs `npx tsc` to have built dist/src/sim/main.js.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createXlDriver, detectXl } from '../../../src/drivers/xl/index.js';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtManager } from '../../../src/virt/manager.js';
import { VirtError } from '../../../src/virt/errors.js';
import type { VirtualSystemSpec } from '../../../src/virt/types.js';
import { REPO_ROOT } from './samples.js';

async function rejects(p: Promise<unknown>, kind: string): Promise<VirtError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a VirtError').to.be.instanceOf(VirtError);
  expect((e as VirtError).kind, (e as VirtError).message).to.equal(kind);
  return e as VirtError;
}

describe('xl driver contract against xl-sim', function () {
  this.timeout(30_000);
  let dir: string;
  let driver: XlDriver;
  let vm: VirtManager;
  let simState: string;

  const spec = (name: string, extra: Partial<VirtualSystemSpec> = {}): VirtualSystemSpec => {
    const disk = join(dir, `${name}.img`);
    writeFileSync(disk, '');
    return {
      name, type: 'pv', memoryMiB: 256, maxMemoryMiB: 512, vcpus: 1, maxVcpus: 2,
      boot: { kernel: '/boot/vmlinuz', cmdline: 'root=/dev/xvda1 console=hvc0' },
      disks: [{ target: disk, vdev: 'xvda' }], nics: [{ bridge: 'xenbr0' }], ...extra,
    };
  };
  const faults = (f: object): void => writeFileSync(join(simState, 'faults.json'), JSON.stringify(f));

  before(() => {
    expect(existsSync(join(REPO_ROOT, 'dist', 'src', 'sim', 'main.js')), 'xl-sim is not built').to.equal(true);
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-contract-'));
    simState = join(dir, 'xl-sim');
    mkdirSync(simState, { recursive: true });
    writeFileSync(join(simState, 'host.json'), JSON.stringify({ shutdown_seconds: 0.2 }));
    driver = createXlDriver({ dataDir: dir, commandTimeoutMs: 10_000 });
    vm = new VirtManager(driver, { pollIntervalMs: 50 });
    await vm.init();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses the simulator where no Xen host is present', () => {
    const choice = detectXl({ dataDir: dir, capabilitiesFile: join(dir, 'nope'), privcmdFile: join(dir, 'nope') });
    expect(choice.simulated).to.equal(true);
    expect(choice.xlPath).to.equal(join(REPO_ROOT, 'bin', 'xl-sim'));
    expect(choice.env).to.deep.equal({ XL_SIM_STATE: join(dir, 'xl-sim') });
  });

  it('detects a Xen control domain by its capabilities file and an xl binary', () => {
    const caps = join(dir, 'capabilities');
    writeFileSync(caps, 'control_d\n');
    const fakeXl = join(dir, 'xl');
    writeFileSync(fakeXl, '');
    const choice = detectXl({ dataDir: dir, capabilitiesFile: caps, privcmdFile: join(dir, 'nope'), searchPaths: [join(dir, 'missing'), fakeXl] });
    expect(choice).to.deep.include({ xlPath: fakeXl, simulated: false, env: {} });
  });

  it('runs the whole life cycle and reports Domain-0 as the host only', async () => {
    expect(await vm.listSystems()).to.deep.equal([]);
    const host = await vm.hostInfo();
    expect(host.processors).to.be.greaterThan(0);
    expect(host.memoryCapacityMiB).to.be.greaterThan(0);
    await vm.defineSystem(spec('web01'));
    let s = await vm.requestState('web01', 'running');
    expect(s.state).to.equal('running');
    expect(s.live!.domid).to.be.greaterThan(0);
    s = await vm.requestState('web01', 'paused');
    expect(s.state).to.equal('paused');
    s = await vm.requestState('web01', 'running');
    expect(s.state).to.equal('running');
    s = await vm.requestState('web01', 'shut_down', { timeoutMs: 10_000 });
    expect(s.state).to.equal('defined');
    await vm.requestState('web01', 'running');
    s = await vm.requestState('web01', 'defined');
    expect(s.state).to.equal('defined');
    await vm.deleteSystem('web01');
    await rejects(vm.getSystem('web01'), 'not_found');
  });

  it('follows a reboot (new domid, same uuid)', async () => {
    await vm.defineSystem(spec('rb'));
    const before = await vm.requestState('rb', 'running');
    await vm.requestState('rb', 'reboot');
    const deadline = Date.now() + 10_000;
    let after = await vm.getSystem('rb');
    while ((after.state !== 'running' || after.live?.domid === before.live!.domid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      driver.invalidate();
      after = await vm.getSystem('rb');
    }
    expect(after.state).to.equal('running');
    expect(after.uuid).to.equal(before.uuid);
    expect(after.live!.domid).to.not.equal(before.live!.domid);
  });

  it('saves to disk and restores as a job', async () => {
    await vm.defineSystem(spec('sv'));
    await vm.requestState('sv', 'running');
    const job = vm.requestStateJob('sv', 'suspended');
    const saved = await job.done;
    expect(saved.state).to.equal('suspended');
    expect(job.state).to.equal('completed');
    expect((await vm.requestStateJob('sv', 'running').done).state).to.equal('running');
  });

  it('changes memory, vCPUs and scheduler live; xl reports the new values', async () => {
    await vm.defineSystem(spec('res'));
    await vm.requestState('res', 'running');
    await vm.modifySystem('res', { memoryMiB: 384, vcpus: 2, cpuWeight: 512, cpuCap: 100 });
    driver.invalidate();
    const s = await vm.getSystem('res');
    expect(s.config).to.include({ memoryMiB: 384, vcpus: 2, cpuWeight: 512, cpuCap: 100 });
    expect(s.live!.onlineVcpus).to.equal(2);
    await rejects(vm.modifySystem('res', { vcpus: 3 }), 'invalid_argument');
  });

  it('attaches and detaches interfaces and disks, and changes a rate live', async () => {
    await vm.defineSystem(spec('dev'));
    await vm.requestState('dev', 'running');
    const nic = await vm.addInterface('dev', { bridge: 'xenbr1' });
    await vm.setInterfaceRate('dev', nic.mac, { bytesPerSecond: 1_250_000, intervalUs: 20_000 });
    driver.invalidate();
    let s = await vm.getSystem('dev');
    expect(s.config.nics.find((n) => n.mac === nic.mac)!.rate).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
    const extra = join(dir, 'extra.img');
    writeFileSync(extra, '');
    await vm.addDisk('dev', { target: extra, vdev: 'xvdb' });
    driver.invalidate();
    s = await vm.getSystem('dev');
    expect(s.config.disks.map((d) => d.vdev)).to.deep.equal(['xvda', 'xvdb']);
    await vm.removeDisk('dev', 'xvdb');
    await vm.removeInterface('dev', nic.mac);
    driver.invalidate();
    s = await vm.getSystem('dev');
    expect(s.config.disks.map((d) => d.vdev)).to.deep.equal(['xvda']);
    expect(s.config.nics.map((n) => n.mac)).to.not.include(nic.mac);
  });

  it('a failed create leaves the definition intact with xl\'s own text in the error', async () => {
    await vm.defineSystem(spec('flt'));
    const file = join(dir, 'definitions', 'flt.json');
    // The definition, without the record of the last request (kept with it since requests persist).
    const definition = (): unknown => {
      const { requested: _r, updatedAt: _u, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      return rest;
    };
    const stored = definition();
    faults({ rules: [{ command: 'create', mode: 'fail', count: 1, stderr: 'failed to free memory for the domain', exit_code: 3 }] });
    const e = await rejects(vm.requestState('flt', 'running'), 'no_memory');
    expect(e.detail).to.contain('failed to free memory');
    expect(definition()).to.deep.equal(stored);
    expect((await vm.getSystem('flt')).state).to.equal('defined');
    expect((await vm.requestState('flt', 'running')).state).to.equal('running');
  });

  it('kills a hanging xl after the timeout', async () => {
    const quick = createXlDriver({ dataDir: dir, commandTimeoutMs: 1500 });
    await quick.init();
    await quick.define(spec('hang'));
    faults({ rules: [{ command: 'pause', mode: 'hang', count: 1 }] });
    await quick.start('hang');
    const t0 = Date.now();
    await rejects(quick.pause('hang'), 'timeout');
    expect(Date.now() - t0).to.be.lessThan(5000);
  });

  it('shows a crashed system and resets it', async () => {
    await vm.defineSystem(spec('cr', { onCrash: 'preserve' }));
    await vm.requestState('cr', 'running');
    faults({ crash: ['cr'] });
    driver.invalidate();
    await driver.list(); // the sim applies the crash at its next call
    driver.invalidate();
    expect((await vm.getSystem('cr')).state).to.equal('crashed');
    expect((await vm.requestState('cr', 'reset')).state).to.equal('running');
  });

  it('enumerates 10 systems with one snapshot (one xl call)', async () => {
    for (let i = 0; i < 10; i++) {
      await vm.defineSystem(spec(`e${i}`));
      await driver.start(`e${i}`);
    }
    driver.invalidate();
    const before = driver.metrics().toolCalls;
    const list = await vm.listSystems();
    expect(list.filter((s) => s.state === 'running')).to.have.length(10);
    expect(driver.metrics().toolCalls - before).to.equal(1);
  });

  it('adopts a domain started with xl directly on first sight, with its configuration', async () => {
    const cfg = join(dir, 'outside.cfg');
    writeFileSync(cfg, [
      'name = "outside"', 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'memory = 384', 'maxmem = 512', 'vcpus = 2', 'maxvcpus = 3',
      `disk = [ 'format=raw, vdev=xvda, access=rw, target=${join(dir, 'outside.img')}' ]`,
      'vif = [ \'mac=00:16:3e:0a:0b:0c, bridge=xenbr1\' ]', '',
    ].join('\n'));
    await execa(join(REPO_ROOT, 'bin', 'xl-sim'), ['create', cfg], { env: { XL_SIM_STATE: simState } });
    driver.invalidate();
    const before = driver.metrics();
    const s = await vm.getSystem('outside');
    expect(driver.metrics().toolCalls - before.toolCalls).to.equal(2); // list -v, then list -l once
    expect(s).to.deep.include({ state: 'running', origin: 'adopted' });
    expect(s.config).to.include({ memoryMiB: 384, maxMemoryMiB: 512, vcpus: 2, maxVcpus: 3 });
    expect(s.config.nics.map((n) => [n.mac, n.bridge])).to.deep.equal([['00:16:3e:0a:0b:0c', 'xenbr1']]);
    expect(existsSync(join(dir, 'definitions', 'outside.json'))).to.equal(true);
    driver.invalidate();
    const mid = driver.metrics().toolCalls;
    expect((await vm.listSystems()).map((x) => x.name)).to.deep.equal(['outside']);
    expect(driver.metrics().toolCalls - mid).to.equal(1);
    expect((await vm.requestState('outside', 'defined')).state).to.equal('defined');
  });

  it('50 concurrent state changes over 10 domains end consistent', async function () {
    this.timeout(60_000);
    const names = [...Array(10).keys()].map((i) => `k${i}`);
    for (const n of names) await vm.defineSystem(spec(n));
    const ops = ['start', 'pause', 'unpause', 'destroy', 'start'] as const;
    const results = await Promise.allSettled([...Array(50).keys()].map((i) => driver[ops[(i * 3) % 5]!](names[i % 10]!)));
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as VirtError).kind).to.be.oneOf(['invalid_state', 'busy']);
    }
    driver.invalidate();
    const list = await vm.listSystems();
    expect(list.map((s) => s.name).sort()).to.deep.equal(names);
    // What we report agrees with a fresh look at the simulated host, and nothing is half-changed.
    const fresh = createXlDriver({ dataDir: dir });
    await fresh.init();
    for (const s of await fresh.list()) {
      expect(s.state).to.be.oneOf(['defined', 'running', 'paused']);
      expect(list.find((x) => x.name === s.name)!.state).to.equal(s.state);
    }
  });
});
