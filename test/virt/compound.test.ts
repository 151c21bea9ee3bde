import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';
import { VirtManager } from '../../src/virt/manager.js';
import { KeyedLock } from '../../src/virt/lock.js';
import { StubDriver } from './stub-driver.js';
import { addDisk, addInterface, modifySystem, removeDisk, removeInterface, renameSystem, setInterfaceRate } from '../support/virt-shortcuts.js';
import { rejects } from '../support/virt-expect.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('virt compound changes (one lock, rollback)', () => {
  let d: StubDriver;
  let vm: VirtManager;
  let logs: string[];
  beforeEach(() => {
    d = new StubDriver();
    logs = [];
    vm = new VirtManager(d, { pollIntervalMs: 1, log: (l) => logs.push(l) });
  });

  it('runs a multi-step change under one lock: a concurrent start cannot slip in between its steps', async () => {
    d.add({ name: 'web' });
    const open = d.hold('attachDisk');
    const change = vm.changeResources([
      { system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } },
      { system: 'web', action: 'add_nic', nic: { bridge: 'br0' } },
    ]);
    await tick();
    const start = vm.requestState('web', 'running');
    await tick();
    expect(d.calls.filter((c) => !c.startsWith('get'))).to.deep.equal(['attachDisk web xvdb']);
    open();
    await Promise.all([change, start]);
    expect(d.calls.filter((c) => /^(attach|start)/.test(c))).to.deep.equal(['attachDisk web xvdb', 'attachInterface web (new)', 'start web']);
  });

  it('undoes the applied steps newest first when a later one fails, leaving nothing changed', async () => {
    const sys = d.add({ name: 'web', disks: [{ target: '/srv/a.img', vdev: 'xvda' }], nics: [{ bridge: 'br0', mac: '00:16:3e:00:00:aa' }] });
    const before = structuredClone(sys.config);
    d.failNext('attachInterface', new VirtError('failed', 'bridge br1 is gone'));
    const e = await rejects(vm.changeResources([
      { system: 'web', action: 'patch', patch: { cpuWeight: 512 } },
      { system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } },
      { system: 'web', action: 'replace_disk', vdev: 'xvda', disk: { target: '/srv/a2.img' } },
      { system: 'web', action: 'add_nic', nic: { bridge: 'br1' } },
    ]), 'failed', /adding an interface on br1 to 'web': bridge br1 is gone/);
    expect(e.message).to.not.match(/could not undo/);
    const mutating = d.calls.filter((c) => !c.startsWith('get'));
    expect(mutating).to.deep.equal([
      'modify web {"cpuWeight":512}',
      'attachDisk web xvdb',
      'detachDisk web xvda',
      'attachDisk web xvda',
      'attachInterface web (new)',
      // undo, newest first
      'detachDisk web xvda',
      'attachDisk web xvda',
      'detachDisk web xvdb',
      'modify web {"cpuWeight":256}',
    ]);
    expect(d.systems.get('web')!.config).to.deep.equal(before);
  });

  it('reports an undo that failed instead of swallowing it', async () => {
    d.add({ name: 'web' });
    d.failNext('attachInterface', new VirtError('failed', 'no such bridge'));
    d.failNext('detachDisk', new VirtError('failed', 'device busy'));
    const e = await rejects(vm.changeResources([
      { system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } },
      { system: 'web', action: 'add_nic', nic: { bridge: 'br1' } },
    ]), 'failed');
    expect(e.message).to.match(/no such bridge; could not undo 1 earlier step\(s\), the change is partly applied \(adding disk xvdb to 'web': device busy\)/);
    expect(logs.join('\n')).to.match(/could not undo "adding disk xvdb to 'web'"/);
  });

  it('refuses a bad request before anything runs: unknown device, duplicate, bad value, saved system', async () => {
    d.add({ name: 'web', disks: [{ target: '/srv/a.img', vdev: 'xvda' }] });
    d.add({ name: 'saved' }, 'suspended');
    await rejects(vm.changeResources([{ system: 'web', action: 'remove_disk', vdev: 'xvdz' }]), 'not_found', /no disk xvdz/);
    await rejects(vm.changeResources([
      { system: 'web', action: 'add_disk', disk: { target: '/srv/c.img', vdev: 'xvdc' } },
      { system: 'web', action: 'add_disk', disk: { target: '/srv/c2.img', vdev: 'xvdc' } },
    ]), 'conflict', /already has a disk xvdc/);
    await rejects(vm.changeResources([{ system: 'web', action: 'patch', patch: { vcpus: 9999 } }]), 'invalid_argument', /vcpus must be an integer from 1 to 512/);
    await rejects(vm.changeResources([{ system: 'web', action: 'patch', patch: { bogus: 1 } as never }]), 'invalid_argument', /not a resource setting/);
    await rejects(vm.changeResources([{ system: 'saved', action: 'patch', patch: { memoryMiB: 256 } }]), 'invalid_state', /suspended/);
    await rejects(vm.changeResources([{ system: 'ghost', action: 'remove_nic', mac: '00:16:3e:00:00:01' }]), 'not_found');
    expect(d.calls.filter((c) => !c.startsWith('get'))).to.deep.equal([]);
  });

  it('changes several systems in one call, taking their locks in name order (no deadlock in either order)', async () => {
    d.add({ name: 'a' });
    d.add({ name: 'b' });
    const open = d.hold('modify');
    const one = vm.changeResources([{ system: 'b', action: 'patch', patch: { cpuWeight: 100 } }, { system: 'a', action: 'patch', patch: { cpuWeight: 100 } }]);
    const two = vm.changeResources([{ system: 'a', action: 'patch', patch: { cpuCap: 50 } }, { system: 'b', action: 'patch', patch: { cpuCap: 50 } }]);
    await tick();
    open();
    const [r1, r2] = await Promise.all([one, two]);
    expect([...r1.systems.keys()].sort()).to.deep.equal(['a', 'b']);
    expect(r2.systems.get('b')!.config).to.include({ cpuWeight: 100, cpuCap: 50 });
    // The first call changed a then b (name order), the second waited for both.
    expect(d.calls.filter((c) => c.startsWith('modify')).map((c) => c.split(' ')[1])).to.deep.equal(['a', 'b', 'a', 'b']);
  });

  it('tells per setting whether the change took effect on the running system or waits for the next start', async () => {
    d.add({ name: 'run', maxMemoryMiB: 1024 }, 'running');
    d.add({ name: 'off' });
    const r = await vm.changeResources([
      { system: 'run', action: 'patch', patch: { memoryMiB: 768 } },
      { system: 'run', action: 'patch', patch: { cpuWeight: 128 } },
      { system: 'run', action: 'add_nic', nic: { bridge: 'br0', mac: '00:16:3e:00:00:77' } },
      { system: 'off', action: 'add_disk', disk: { target: '/srv/o.img', vdev: 'xvdb' } },
    ]);
    expect(r.outcomes.map((o) => [o.change.action, o.effect, o.device])).to.deep.equal([
      ['patch', 'live', undefined], ['patch', 'live', undefined], ['add_nic', 'live', '00:16:3e:00:00:77'], ['add_disk', 'next_start', 'xvdb'],
    ]);
    expect(r.outcomes[0]!.fields).to.deep.equal({ memoryMiB: 'live' });
    // Two patches of one system are one change.
    expect(d.calls.filter((c) => c.startsWith('modify'))).to.deep.equal(['modify run {"memoryMiB":768,"cpuWeight":128}']);
    // Memory beyond the maximum the system booted with: the definition has it, the running system not yet.
    const later = await vm.changeResources([{ system: 'run', action: 'patch', patch: { maxMemoryMiB: 2048, memoryMiB: 1536, cpuCap: 50 } }]);
    expect(later.outcomes[0]).to.deep.include({ effect: 'next_start', fields: { maxMemoryMiB: 'next_start', memoryMiB: 'next_start', cpuCap: 'live' } });
  });

  it('refuses growth of a running system beyond what admission can guarantee, with the figures, changing nothing', async () => {
    d.add({ name: 'big', memoryMiB: 1024, maxMemoryMiB: 16384 }, 'running');
    const cap = await vm.capacity();
    await rejects(vm.changeResources([{ system: 'big', action: 'patch', patch: { memoryReservationMiB: 1024 + cap.memory.availableMiB + 1 } }]),
      'no_memory', /needs \d+ MiB \(reservation \+ overhead\), \d+ MiB available/);
    expect(d.calls.some((c) => c.startsWith('modify'))).to.equal(false);
    expect((await vm.capacity()).memory.reservedMiB).to.equal(cap.memory.reservedMiB);
  });

  it('renames and changes policies in one call; a refused policy change undoes the rename', async () => {
    d.add({ name: 'old' });
    d.failNext('modify', new VirtError('failed', 'disk full'));
    await rejects(vm.modifySystemSettings('old', { name: 'new', patch: { autostart: true } }), 'failed', /disk full/);
    expect([...d.systems.keys()]).to.deep.equal(['old']);
    expect(d.calls.filter((c) => /^(rename|modify)/.test(c))).to.deep.equal(['rename old new', 'modify new {"autostart":true}', 'rename new old']);
    const sys = await vm.modifySystemSettings('old', { name: 'new', patch: { autostart: true, priority: 5, onCrash: 'preserve' } });
    expect(sys.name).to.equal('new');
    expect(sys.config).to.include({ autostart: true, priority: 5, onCrash: 'preserve' });
    d.add({ name: 'other' });
    await rejects(vm.modifySystemSettings('new', { name: 'other' }), 'conflict', /already exists/);
    await rejects(vm.modifySystemSettings('new', { name: '1234' }), 'invalid_argument', /all digits/);
    await rejects(vm.modifySystemSettings('new', { patch: { onCrash: 'explode' as never } }), 'invalid_argument', /onCrash/);
    await rejects(vm.modifySystemSettings('new', { patch: { memoryMiB: 1 } as never }), 'invalid_argument', /not a system setting/);
  });

  it('deletes a running system (hard stop, then its definition) under one lock', async () => {
    d.add({ name: 'web' }, 'running');
    const open = d.hold('destroy');
    const del = vm.deleteSystem('web');
    await tick();
    const change = vm.changeResources([{ system: 'web', action: 'patch', patch: { cpuWeight: 9 } }]);
    open();
    await del;
    await rejects(change, 'not_found');
    expect(d.calls.filter((c) => /^(destroy|undefine|modify)/.test(c))).to.deep.equal(['destroy web', 'undefine web']);
  });

  it('defines a system only if its guarantees could ever fit the host, saying the figures', async () => {
    const cap = await vm.capacity();
    await rejects(vm.defineSystem({ name: 'huge', type: 'pv', memoryMiB: cap.memory.capacityMiB + 1, vcpus: 1 }), 'no_memory',
      new RegExp(`^'huge' needs ${cap.memory.capacityMiB + 1} MiB guaranteed, the host can give at most ${cap.memory.capacityMiB} MiB to guests$`));
    await rejects(vm.defineSystem({ name: 'hog', type: 'pv', memoryMiB: 256, vcpus: 4, cpuReservationPercent: 400 }), 'no_memory', /needs 400% of a CPU guaranteed, the host can give at most 300%/);
    await rejects(vm.defineSystem({ name: 'bad', type: 'pv', memoryMiB: 0, vcpus: 1 }), 'invalid_argument');
    expect(d.calls.filter((c) => c.startsWith('define'))).to.deep.equal([]);
    expect((await vm.defineSystem({ name: 'ok', type: 'pv', memoryMiB: 256, vcpus: 1 })).state).to.equal('defined');
  });

  it('keeps the deprecated single-step methods working on top of the compound ones', async () => {
    d.add({ name: 'web' }, 'running');
    expect(await addDisk(vm, 'web', { target: '/srv/x.img', vdev: 'xvdx' })).to.deep.include({ vdev: 'xvdx', format: 'raw', readOnly: false });
    const nic = await addInterface(vm, 'web', { bridge: 'br0' });
    await setInterfaceRate(vm, 'web', nic.mac, { bytesPerSecond: 1000 });
    expect((await vm.getSystem('web')).config.nics[0]!.rate).to.deep.equal({ bytesPerSecond: 1000 });
    await removeInterface(vm, 'web', nic.mac);
    await removeDisk(vm, 'web', 'xvdx');
    expect((await modifySystem(vm, 'web', { cpuWeight: 7, autostart: true })).config).to.include({ cpuWeight: 7, autostart: true });
    expect((await renameSystem(vm, 'web', 'www')).name).to.equal('www');
  });
  it('a device change made on what a caller read applies only what it changed, onto the device as it is now', async () => {
    d.add({ name: 'web', disks: [{ target: '/srv/a.img', vdev: 'xvda' }], nics: [{ bridge: 'br0', mac: '00:16:3e:00:00:aa' }] });
    const read = structuredClone((await vm.getSystem('web')).config);
    const { vdev: _v, ...disk } = read.disks[0]!;
    const { mac: _m, ...nic } = read.nics[0]!;
    // Two clients read the same devices, each changes one field; the second comes after the first.
    await vm.changeResources([
      { system: 'web', action: 'replace_disk', vdev: 'xvda', disk: { ...disk, readOnly: true }, base: disk },
      { system: 'web', action: 'replace_nic', mac: '00:16:3e:00:00:aa', nic: { ...nic, rate: { bytesPerSecond: 1000 } }, base: nic },
    ]);
    await vm.changeResources([
      { system: 'web', action: 'replace_disk', vdev: 'xvda', disk: { ...disk, format: 'qcow2' }, base: disk },
      { system: 'web', action: 'replace_nic', mac: '00:16:3e:00:00:aa', nic: { ...nic, bridge: 'br1' }, base: nic },
    ]);
    const after = (await vm.getSystem('web')).config;
    expect(after.disks[0]).to.include({ target: '/srv/a.img', readOnly: true, format: 'qcow2' });
    expect(after.nics[0]).to.deep.include({ bridge: 'br1', rate: { bytesPerSecond: 1000, intervalUs: 50_000 } });
    // A field the caller dropped is dropped (the rate limit removed), the others stay as they are now.
    const now = structuredClone(after.nics[0]!);
    const { mac: _m2, ...nicNow } = now;
    const { rate: _r, ...noRate } = nicNow;
    await vm.changeResources([{ system: 'web', action: 'replace_nic', mac: now.mac, nic: noRate, base: nicNow }]);
    expect((await vm.getSystem('web')).config.nics[0]).to.deep.equal({ bridge: 'br1', mac: '00:16:3e:00:00:aa' });
  });
});

describe('virt: a resource change that has run long', () => {
  it('holds its system as a job from then on: a state change asked is refused busy at once, not queued behind it', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' });
    const open = d.hold('attachDisk');
    const change = vm.changeResources([{ system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } }], { longAfterMs: 20 });
    await tick(60);
    const t0 = Date.now();
    await rejects(vm.requestState('web', 'running'), 'busy', /a long change of resources is under way/);
    expect(Date.now() - t0).to.be.below(1000); // the lock timeout is 30 s
    open();
    await change;
    // Before that point (a change as quick as most), a state change waits its turn instead.
    const again = d.hold('attachDisk');
    const quick = vm.changeResources([{ system: 'web', action: 'add_disk', disk: { target: '/srv/c.img', vdev: 'xvdc' } }], { longAfterMs: 5_000 });
    await tick();
    const start = vm.requestState('web', 'running');
    await tick();
    again();
    await Promise.all([quick, start]);
    expect(d.systems.get('web')!.state).to.equal('running');
  });

  it('counts the time it waited for the lock in its budget (the call answered 4096 then: from then on it holds its system as a job)', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' });
    const openDisk = d.hold('attachDisk');
    const openNic = d.hold('attachInterface');
    const first = vm.changeResources([{ system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } }]);
    await tick();
    // Waits its turn past its budget: once it has the lock, it is the long change its caller was told of.
    const long = vm.changeResources([{ system: 'web', action: 'add_nic', nic: { bridge: 'xenbr0' } }], { longAfterMs: 40 });
    await tick(80);
    openDisk();
    await first;
    await tick();
    let outcome: string | undefined;
    const start = vm.requestState('web', 'running').then(() => { outcome = 'ran'; }, (e: unknown) => { outcome = (e as VirtError).kind; });
    await tick(15);
    expect(outcome).to.equal('busy');
    openNic();
    await Promise.all([long, start]);
  });

  it('a change already waiting when a resource change turns long is refused busy then, not at its lock timeout', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' });
    const openNic = d.hold('attachInterface');
    const long = vm.changeResources([{ system: 'web', action: 'add_nic', nic: { bridge: 'xenbr0' } }], { longAfterMs: 250 });
    await tick();
    let outcome: string | undefined;
    const start = vm.requestState('web', 'running').then(() => { outcome = 'ran'; }, (e: unknown) => { outcome = (e as VirtError).message; });
    await tick(10);
    expect(outcome, 'waits its turn while the change is a quick one').to.equal(undefined);
    await tick(350);
    expect(outcome).to.equal("'web' is busy: a long change of resources is under way");
    openNic();
    await Promise.all([long, start]);
    expect(d.systems.get('web')!.state).to.equal('defined');
  });

  it('a lock promoted while others wait refuses them all at once, and leaves the lock free after its holder', async () => {
    const locks = new KeyedLock(10_000);
    const held = await locks.acquire('web', { what: 'a quick change' });
    const waiting = [locks.acquire('web'), locks.acquire('web', { mode: 'job' })];
    held.asJob('a long change');
    for (const w of waiting) await rejects(w, 'busy', /a long change is under way/);
    held();
    expect(locks.isHeld('web')).to.equal(false);
    (await locks.acquire('web'))();
  });

  it('a change over several systems refused behind a promoted lock gives back the locks it already held', async () => {
    const locks = new KeyedLock(10_000);
    const long = await locks.acquire('web', { what: 'a quick change' });
    // db first (code-point order), then web: db is held while it waits for web.
    const both = locks.acquireAll(['web', 'db']);
    await tick();
    expect(locks.isHeld('db')).to.equal(true);
    let dbNext: string | undefined;
    const behindDb = locks.acquire('db').then((r) => { dbNext = 'granted'; r(); }, () => { dbNext = 'refused'; });
    long.asJob('a long change');
    await rejects(both, 'busy', /a long change is under way/);
    await behindDb;
    expect(dbNext, 'the lock the refused change held goes to the one waiting for it').to.equal('granted');
    expect(locks.isHeld('db')).to.equal(false);
    long();
    expect(locks.isHeld('web')).to.equal(false);
  });

  it('a change whose job is cancelled while it waits for the locks changes nothing when its turn comes', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' });
    const openNic = d.hold('attachInterface');
    const first = vm.changeResources([{ system: 'web', action: 'add_nic', nic: { bridge: 'xenbr0' } }]);
    await tick();
    const cancel = new AbortController();
    const second = vm.changeResources([{ system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } }], { signal: cancel.signal });
    await tick();
    cancel.abort(new VirtError('failed', 'job terminated'));
    openNic();
    await first;
    await rejects(second, 'failed', /cancelled/);
    expect(d.systems.get('web')!.config.disks.map((x) => x.vdev), 'the disk of the cancelled change').to.not.include('xvdb');
    // Its lock given back: the next change goes through.
    await vm.changeResources([{ system: 'web', action: 'add_disk', disk: { target: '/srv/c.img', vdev: 'xvdc' } }]);
  });

  it('an acquisition cancelled while it waits leaves the queue at once; those behind it keep their turn', async () => {
    const locks = new KeyedLock(10_000);
    const held = await locks.acquire('web');
    const cancel = new AbortController();
    const cancelled = locks.acquireAll(['db', 'web'], { signal: cancel.signal });
    const order: string[] = [];
    const after = locks.acquire('web').then((r) => { order.push('after'); r(); });
    await tick(1);
    expect(locks.isHeld('db'), 'db held while it waits for web').to.equal(true);
    cancel.abort();
    await rejects(cancelled, 'failed', /cancelled while it waited for 'web'/);
    expect(locks.isHeld('db'), 'db given back').to.equal(false);
    held();
    await after;
    expect(order).to.deep.equal(['after']);
    expect(locks.isHeld('web')).to.equal(false);
    await rejects(locks.acquire('web', { signal: cancel.signal }), 'failed', /cancelled/);
    expect(locks.isHeld('web'), 'an acquisition already cancelled takes nothing').to.equal(false);
  });

  it('a resource-change job cancelled too late to stop its last step completes, its change made (not terminated with the change in place)', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' });
    // A defined system's device change writes its definition: no tool call the cancel could kill.
    const openAttach = d.hold('attachDisk');
    const job = vm.jobs.start('AddResourceSettings of web', 'web', (ctx) => vm.changeResources(
      [{ system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } }],
      { signal: ctx.signal, commit: () => ctx.commit() },
    ), ['web'], 'resource change');
    await tick();
    job.cancel('terminated');
    openAttach();
    await job.done.catch(() => undefined);
    expect(d.systems.get('web')!.config.disks.map((x) => x.vdev)).to.include('xvdb');
    expect(job.state, 'the disk was added').to.equal('completed');
  });

  it('a resource-change job cancelled as its first step ends starts no further step and undoes that one', async () => {
    const d = new StubDriver();
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' });
    // The cancel comes as the first disk is attached (a defined system's step: nothing to kill).
    const attach = d.attachDisk.bind(d);
    let attached = 0;
    d.attachDisk = async (...args: Parameters<StubDriver['attachDisk']>) => {
      const r = await attach(...args);
      if (++attached === 1) job.cancel('terminated');
      return r;
    };
    const job = vm.jobs.start('AddResourceSettings of web', 'web', (ctx) => vm.changeResources([
      { system: 'web', action: 'add_disk', disk: { target: '/srv/b.img', vdev: 'xvdb' } },
      { system: 'web', action: 'add_disk', disk: { target: '/srv/c.img', vdev: 'xvdc' } },
    ], { signal: ctx.signal, commit: () => ctx.commit() }), ['web'], 'resource change');
    await job.done.catch(() => undefined);
    await tick();
    expect(d.calls.filter((c) => /^(attach|detach)Disk/.test(c))).to.deep.equal(['attachDisk web xvdb', 'detachDisk web xvdb']);
    expect(d.systems.get('web')!.config.disks.map((x) => x.vdev)).to.not.include.oneOf(['xvdb', 'xvdc']);
    expect(job.state).to.equal('terminated');
  });

  it('a lock promoted after its release leaves the next holder of that name as it is', async () => {
    const locks = new KeyedLock(1_000);
    const first = await locks.acquire('web');
    first();
    const second = await locks.acquire('web', { what: 'a quick change' });
    first.asJob('too late');
    expect(locks.heldAs('web')).to.equal('change');
    second.asJob();
    expect(locks.heldAs('web')).to.equal('job');
    await rejects(locks.acquire('web'), 'busy', /a quick change is under way/);
    second();
    expect(locks.isHeld('web')).to.equal(false);
  });
});
