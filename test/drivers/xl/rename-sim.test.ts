/**
 * Renaming virtual systems (VirtManager.renameSystem → XlDriver.rename) against xl-sim in-process: running,
 * paused, stopped and saved systems; refusals that change nothing; and the start-up reconcile of a
 * rename cut short (definition stored twice) or made behind our back (`xl rename`).
 */
import { expect } from 'chai';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { VirtManager } from '../../../src/virt/manager.js';
import type { VirtualSystemSpec } from '../../../src/virt/types.js';
import { createTestDriver, xlBehindTheBack } from '../../support/xl-backend.js';
import { modifySystem, renameSystem } from '../../support/virt-shortcuts.js';
import { rejects } from '../../support/virt-expect.js';

describe('xl driver: rename against xl-sim (in-process)', function () {
  this.timeout(30_000);
  let dir: string;
  let simState: string;
  let driver: XlDriver;
  let vm: VirtManager;

  const spec = (name: string): VirtualSystemSpec => {
    const disk = join(dir, `${name}.img`);
    writeFileSync(disk, '');
    return {
      name, type: 'pv', memoryMiB: 256, maxMemoryMiB: 512, vcpus: 1, maxVcpus: 2,
      boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda' }], nics: [{ bridge: 'xenbr0' }],
    };
  };
  const xlSim = async (...args: string[]): Promise<string> => (await xlBehindTheBack(dir, ...args)).stdout;
  const xlNames = async (): Promise<string[]> =>
    (await xlSim('list')).split('\n').slice(1).map((l) => l.split(/\s+/)[0]!).filter((n) => n && n !== 'Domain-0');
  const storedNames = (): string[] => driver.store.list().map((d) => d.config.name).sort();
  const fresh = async (): Promise<{ driver: XlDriver; vm: VirtManager; report: Awaited<ReturnType<VirtManager['init']>> }> => {
    const d = createTestDriver(dir, { commandTimeoutMs: 10_000 });
    const v = new VirtManager(d, { pollIntervalMs: 50 });
    return { driver: d, vm: v, report: await v.init() };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xl-rename-'));
    simState = join(dir, 'xl-sim');
    mkdirSync(simState, { recursive: true });
    writeFileSync(join(simState, 'host.json'), JSON.stringify({ shutdown_seconds: 0.2 }));
    ({ driver, vm } = await fresh());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('renames a stopped system: only the definition moves (same UUID, same config)', async () => {
    const before = await vm.defineSystem(spec('old1'));
    const after = await renameSystem(vm, 'old1', 'new1');
    expect(after).to.deep.include({ name: 'new1', uuid: before.uuid, state: 'defined' });
    expect(after.config).to.deep.equal({ ...before.config, name: 'new1' });
    expect(storedNames()).to.deep.equal(['new1']);
    expect(existsSync(join(dir, 'definitions', 'old1.json'))).to.equal(false);
    expect(JSON.parse(readFileSync(join(dir, 'definitions', 'new1.json'), 'utf8')).config.name).to.equal('new1');
    await rejects(vm.getSystem('old1'), 'not_found');
    // It starts under its new name.
    expect((await vm.requestState('new1', 'running')).state).to.equal('running');
    expect(await xlNames()).to.deep.equal(['new1']);
  });

  it('renames a running and a paused system with xl rename; the domain keeps running', async () => {
    const a = await vm.defineSystem(spec('run1'));
    await vm.requestState('run1', 'running');
    const domid = (await vm.getSystem('run1')).live!.domid;
    const r = await renameSystem(vm, 'run1', 'run2');
    expect(r).to.deep.include({ name: 'run2', uuid: a.uuid, state: 'running' });
    expect(r.live!.domid).to.equal(domid);
    expect(await xlNames()).to.deep.equal(['run2']);
    expect(storedNames()).to.deep.equal(['run2']);
    // Everything keeps working under the new name.
    expect((await vm.requestState('run2', 'paused')).state).to.equal('paused');
    const p = await renameSystem(vm, 'run2', 'run3');
    expect(p.state).to.equal('paused');
    expect(await xlNames()).to.deep.equal(['run3']);
    await modifySystem(vm, 'run3', { memoryMiB: 300 });
    expect((await vm.requestState('run3', 'defined')).state).to.equal('defined');
    // A restart after the rename creates the domain under the new name.
    expect((await vm.requestState('run3', 'running')).state).to.equal('running');
    expect(await xlNames()).to.deep.equal(['run3']);
    expect((await vm.listSystems()).map((s) => s.name)).to.deep.equal(['run3']);
  });

  it('renames a saved system: its image moves with it and restores under the new name', async () => {
    await vm.defineSystem(spec('sv'));
    await vm.requestState('sv', 'running');
    await vm.requestState('sv', 'suspended');
    const s = await renameSystem(vm, 'sv', 'sv2');
    expect(s).to.deep.include({ state: 'suspended', hasSavedImage: true });
    const def = driver.store.get('sv2')!;
    expect(def.savedImage).to.equal(join(dir, 'saves', 'sv2.save'));
    expect(existsSync(join(dir, 'saves', 'sv2.save'))).to.equal(true);
    expect(existsSync(join(dir, 'saves', 'sv.save'))).to.equal(false);
    expect((await vm.requestState('sv2', 'running')).state).to.equal('running');
    // xl runs it under its new name (not the one the image was saved under), and a restart keeps it.
    expect(await xlNames()).to.deep.equal(['sv2']);
    const again = await fresh();
    expect(again.report.renamed ?? []).to.deep.equal([]);
    expect((await again.vm.getSystem('sv2')).state).to.equal('running');
  });

  it('restores an adopted system with the configuration it was saved with (settings we do not write), under its current name', async () => {
    // Created by an administrator with a setting xl.cfg writing leaves out: its device model state
    // in the image needs it back (an HVM guest's video memory).
    const disk = join(dir, 'ad1.img');
    writeFileSync(disk, '');
    const cfg = join(dir, 'ad1.cfg');
    writeFileSync(cfg, `name = "ad1"\ntype = "hvm"\nmemory = 256\nvideoram = 16\ndisk = [ 'format=raw, vdev=hda, access=rw, target=${disk}' ]\n`);
    await xlSim('create', cfg);
    const again = await fresh();
    expect(again.report.adopted).to.deep.equal(['ad1']);
    await again.vm.requestState('ad1', 'suspended');
    await renameSystem(again.vm, 'ad1', 'ad2');
    expect((await again.vm.requestState('ad2', 'running')).state).to.equal('running');
    expect(await xlNames()).to.deep.equal(['ad2']);
    const [dom] = JSON.parse(await xlSim('list', '-l', 'ad2'));
    expect(dom.config.b_info.video_memkb).to.equal(16 * 1024);
  });

  it('restores a saved system as its definition describes it now: a disk attached while suspended is plugged', async () => {
    await vm.defineSystem(spec('sd'));
    await vm.requestState('sd', 'running');
    await vm.requestState('sd', 'suspended');
    const extra = join(dir, 'sd-data.img');
    writeFileSync(extra, '');
    await driver.attachDisk('sd', { target: extra, vdev: 'xvdb' });
    expect((await vm.requestState('sd', 'running')).state).to.equal('running');
    const [dom] = JSON.parse(await xlSim('list', '-l', 'sd'));
    expect(dom.config.disks.map((d: { vdev: string }) => d.vdev)).to.deep.equal(['xvda', 'xvdb']);
    // A restart folds in what xl runs: the disk stays in the definition.
    const again = await fresh();
    expect((await again.vm.getSystem('sd')).config.disks.map((d) => d.vdev)).to.deep.equal(['xvda', 'xvdb']);
  });

  it('a CPU weight changed while suspended is what the restored domain runs with, and can be changed back', async () => {
    await vm.defineSystem(spec('sw'));
    await vm.requestState('sw', 'running');
    await vm.requestState('sw', 'suspended');
    await modifySystem(vm, 'sw', { cpuWeight: 512 });
    expect((await vm.requestState('sw', 'running')).state).to.equal('running');
    const weight = async (): Promise<number> => JSON.parse(await xlSim('list', '-l', 'sw'))[0].config.b_info.sched_params.weight;
    expect(await weight()).to.equal(512);
    expect((await vm.getSystem('sw')).live!.cpuWeight).to.equal(512);
    await modifySystem(vm, 'sw', { cpuWeight: 256 });
    expect(await weight()).to.equal(256);
  });

  it('refuses an existing name, an invalid name and an unknown system, changing nothing', async () => {
    await vm.defineSystem(spec('a'));
    await vm.defineSystem(spec('b'));
    await vm.requestState('b', 'running');
    const snapshot = (): string => JSON.stringify([storedNames(), driver.store.list().map((d) => d.config.uuid).sort()]);
    const was = snapshot();
    await rejects(renameSystem(vm, 'a', 'b'), 'conflict', /already exists/);
    await rejects(renameSystem(vm, 'b', 'a'), 'conflict', /already exists/);
    for (const bad of ['12345', 'a;rm -rf /', '../x', 'a/b', '-x', '', 'x'.repeat(65), 'Domain-0']) {
      await rejects(renameSystem(vm, 'a', bad), 'invalid_argument');
    }
    await rejects(renameSystem(vm, 'ghost', 'ghost2'), 'not_found');
    expect(snapshot()).to.equal(was);
    expect(await xlNames()).to.deep.equal(['b']);
    // A domain created outside us also holds its name.
    const cfg = join(dir, 'outside.cfg');
    writeFileSync(cfg, 'name = "outside"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\n');
    await xlSim('create', cfg);
    driver.invalidate();
    await rejects(renameSystem(vm, 'a', 'outside'), 'conflict');
    // Renaming to its own name is no change.
    expect((await renameSystem(vm, 'a', 'a')).name).to.equal('a');
  });

  it('a rename racing a state change of the same system is serialised by the per-system lock', async () => {
    await vm.defineSystem(spec('race'));
    const [started, renamed] = await Promise.allSettled([vm.requestState('race', 'running'), renameSystem(vm, 'race', 'race2')]);
    expect(renamed.status).to.equal('fulfilled');
    // The start ran first (under 'race') or failed cleanly because the name was gone.
    if (started.status === 'fulfilled') expect(await xlNames()).to.deep.equal(['race2']);
    else expect((started.reason as VirtError).kind).to.equal('not_found');
    expect(storedNames()).to.deep.equal(['race2']);
  });

  it('start-up reconcile keeps one of a definition stored twice (rename cut short): the one xl runs, else the newer', async () => {
    const a = await vm.defineSystem(spec('stop1'));
    await vm.defineSystem(spec('live1'));
    await vm.requestState('live1', 'running');
    // Crash after the new file was written, before the old one was removed.
    const defs = join(dir, 'definitions');
    const stopped = JSON.parse(readFileSync(join(defs, 'stop1.json'), 'utf8'));
    stopped.config.name = 'stop2';
    stopped.updatedAt = new Date(Date.now() + 1000).toISOString();
    writeFileSync(join(defs, 'stop2.json'), JSON.stringify(stopped));
    // For the running one xl was renamed too... and the reverse: the newer file is not the live name.
    const live = JSON.parse(readFileSync(join(defs, 'live1.json'), 'utf8'));
    live.config.name = 'live2';
    live.updatedAt = new Date(Date.now() + 1000).toISOString();
    writeFileSync(join(defs, 'live2.json'), JSON.stringify(live));
    const again = await fresh();
    expect(again.report.duplicates).to.have.length(2);
    expect(again.report.duplicates!.join('\n')).to.match(/stop1 .*'stop2'/).and.to.match(/live2 .*'live1', the name xl runs it under/);
    expect((await again.vm.listSystems()).map((s) => s.name).sort()).to.deep.equal(['live1', 'stop2']);
    expect(existsSync(join(defs, 'stop1.json'))).to.equal(false);
    expect(existsSync(join(defs, 'live2.json'))).to.equal(false);
    expect((await again.vm.getSystem('stop2')).uuid).to.equal(a.uuid);
    expect(again.driver.store.findByUuid(a.uuid)!.config.name).to.equal('stop2');
  });

  it('a saved system\'s rename cut short: the rename\'s definition is kept even with the clock stepped back, and the other image link goes', async () => {
    await vm.defineSystem(spec('sva'));
    await vm.requestState('sva', 'running');
    await vm.requestState('sva', 'suspended');
    const defs = join(dir, 'definitions');
    const saves = join(dir, 'saves');
    const old = structuredClone(driver.store.get('sva')!);
    await driver.close();
    // What rename() leaves when killed after storing the new definition: the image linked under
    // the new name and both definitions. The clock was stepped back meanwhile (NTP at boot): the
    // rename's version is the later one (seq) although its time reads earlier.
    linkSync(join(saves, 'sva.save'), join(saves, 'svb.save'));
    const moved = { ...old, config: { ...old.config, name: 'svb' }, savedImage: join(saves, 'svb.save'), seq: old.seq! + 1, updatedAt: new Date(Date.parse(old.updatedAt) - 60_000).toISOString() };
    writeFileSync(join(defs, 'svb.json'), JSON.stringify(moved));
    const again = await fresh();
    expect(again.report.duplicates!.join('\n')).to.match(/sva .*'svb'/);
    expect((await again.vm.listSystems()).map((s) => s.name)).to.deep.equal(['svb']);
    expect(existsSync(join(saves, 'svb.save'))).to.equal(true);
    expect(existsSync(join(saves, 'sva.save'))).to.equal(false);
    expect((await again.vm.requestState('svb', 'running')).state).to.equal('running');
  });

  it('start-up reconcile follows a domain renamed behind our back (or a rename cut short after xl rename)', async () => {
    const a = await vm.defineSystem(spec('was'));
    await vm.requestState('was', 'running');
    await xlSim('rename', 'was', 'is');
    const again = await fresh();
    expect(again.report.renamed).to.deep.equal(['was -> is']);
    const s = await again.vm.getSystem('is');
    expect(s).to.deep.include({ uuid: a.uuid, state: 'running', origin: 'defined' });
    expect(again.driver.store.list().map((d) => d.config.name)).to.deep.equal(['is']);
    expect((await again.vm.requestState('is', 'defined')).state).to.equal('defined');
  });

  it('a completed rename survives a restart with nothing to reconcile', async () => {
    await vm.defineSystem(spec('keep'));
    await renameSystem(vm, 'keep', 'kept');
    const again = await fresh();
    expect(again.report.duplicates ?? []).to.deep.equal([]);
    expect((await again.vm.listSystems()).map((s) => s.name)).to.deep.equal(['kept']);
  });
});
