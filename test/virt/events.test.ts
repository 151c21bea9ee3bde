import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { ModelEvents, type ModelEvent } from '../../src/virt/events.js';
import type { VirtualSystem } from '../../src/virt/types.js';
import { StubDriver } from './stub-driver.js';
import { requestStateJob } from '../support/virt-shortcuts.js';

describe('VirtManager events: one stream of system and job changes', () => {
  let d: StubDriver;
  let vm: VirtManager;
  let seen: ModelEvent[];
  const settle = async (): Promise<void> => {
    await vm.events.refresh();
  };
  beforeEach(async () => {
    d = new StubDriver();
    d.add({ name: 'old', boot: { kernel: '/k' } });
    vm = new VirtManager(d, { pollIntervalMs: 1 });
    await vm.init();
    seen = [];
    vm.events.subscribe((e) => seen.push(e));
  });

  it('does not report what existed at start-up, then reports a definition, state changes and a deletion in order', async () => {
    await vm.defineSystem({ name: 'a', type: 'pv', memoryMiB: 512, vcpus: 1, boot: { kernel: '/k' } });
    await settle();
    await vm.requestState('a', 'running');
    await settle();
    await vm.requestState('a', 'paused');
    await settle();
    await vm.deleteSystem('a');
    await settle();
    const sys = seen.filter((e) => e.type === 'system');
    expect(sys.map((e) => e.type === 'system' && [e.kind, e.name, e.previousState ?? null, e.state ?? null])).to.deep.equal([
      ['created', 'a', null, 'defined'],
      ['modified', 'a', 'defined', 'running'],
      ['modified', 'a', 'running', 'paused'],
      ['deleted', 'a', 'paused', null],
    ]);
    const mod = sys[1]!;
    expect(mod.type === 'system' && mod.previous?.state).to.equal('defined');
    expect(mod.type === 'system' && mod.current?.state).to.equal('running');
  });

  it('one comparison that finds a rename, a creation, a state change and a deletion reports each once, renames as modifications', async () => {
    d.add({ name: 'b', boot: { kernel: '/k' } });
    d.add({ name: 'gone', boot: { kernel: '/k' } });
    await settle();
    seen.length = 0;
    const uuidOfOld = (await d.get('old')).uuid;
    // All behind the model's back, then one comparison.
    await d.rename('old', 'new');
    await d.define({ name: 'c', type: 'pv', memoryMiB: 512, vcpus: 1, boot: { kernel: '/k' } });
    d.add({ name: 'b', boot: { kernel: '/k' } }, 'running');
    await d.undefine('gone');
    await settle();
    const sys = seen.filter((e) => e.type === 'system').map((e) => e.type === 'system' && [e.kind, e.name, e.previous?.name ?? null, e.state ?? null]);
    expect(sys).to.have.deep.members([
      ['modified', 'new', 'old', 'defined'],
      ['created', 'c', null, 'defined'],
      ['modified', 'b', 'b', 'running'],
      ['deleted', 'gone', 'gone', null],
    ]);
    expect(sys.at(-1)).to.deep.equal(['deleted', 'gone', 'gone', null]);
    const renamed = seen.find((e) => e.type === 'system' && e.name === 'new');
    expect(renamed?.type === 'system' && renamed.current?.uuid).to.equal(uuidOfOld);
    // Nothing more to report on the next comparison.
    seen.length = 0;
    await settle();
    expect(seen).to.deep.equal([]);
  });

  it('reports a change noticed behind our back and the loss of a system expected to run', async () => {
    await vm.requestState('old', 'running');
    await settle();
    seen.length = 0;
    const sys = d.systems.get('old')!;
    sys.state = 'defined';
    delete sys.live;
    d.emit({ name: 'old', from: 'running', to: 'defined', at: Date.now(), lost: 'vanished' });
    await settle();
    expect(seen.map((e) => e.type)).to.deep.equal(['lost', 'system']);
    const [lost, mod] = seen;
    expect(lost).to.include({ type: 'lost', name: 'old', reason: 'vanished', previousState: 'running' });
    expect(mod).to.include({ type: 'system', kind: 'modified', name: 'old', previousState: 'running', state: 'defined' });
  });

  it('reports every job change with its previous state and progress, and the system change it made', async () => {
    const job = await requestStateJob(vm, 'old', 'running');
    await job.done;
    await settle();
    const jobs = seen.flatMap((e) => (e.type === 'job' ? [[e.jobId, e.previousState ?? null, e.state, e.percentComplete]] : []));
    expect(jobs[0]).to.deep.equal([job.id, null, 'new', 0]);
    expect(jobs.at(-1)).to.deep.equal([job.id, 'running', 'completed', 100]);
    expect(seen.some((e) => e.type === 'system' && e.kind === 'modified' && e.state === 'running')).to.equal(true);
  });

  it('a failing consumer does not stop the others', async () => {
    vm.events.subscribe(() => {
      throw new Error('broken consumer');
    });
    await vm.defineSystem({ name: 'b', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/k' } });
    await settle();
    expect(seen.some((e) => e.type === 'system' && e.kind === 'created' && e.name === 'b')).to.equal(true);
  });
});

describe('ModelEvents: what the last picture keeps of each system', () => {
  const sys = (state: VirtualSystem['state'], memoryMiB = 256): VirtualSystem => ({
    name: 'r1', uuid: 'u-1', state, origin: 'defined',
    config: { name: 'r1', uuid: 'u-1', type: 'pv', memoryMiB, vcpus: 1, boot: { kernel: '/k' } } as VirtualSystem['config'],
  });
  const run = async (immutable: boolean, mutate: boolean) => {
    let now = [sys('running')];
    const ev = new ModelEvents(async () => now, { immutable });
    const seen: ModelEvent[] = [];
    ev.subscribe((e) => seen.push(e));
    await ev.baseline();
    const first = now[0]!;
    now = [sys('paused', 512)];
    if (mutate) {
      // A driver that reuses its old objects in place: the last picture must not change with them.
      first.state = 'crashed';
      first.config.memoryMiB = 1;
    }
    await ev.refresh();
    return { first, seen: seen.filter((e) => e.type === 'system') };
  };

  it('a driver that never changes its systems: keeps them as given, and reports what changed', async () => {
    const { first, seen } = await run(true, false);
    expect(seen).to.have.length(1);
    const e = seen[0]!;
    expect(e.type === 'system' && [e.kind, e.previousState, e.state]).to.deep.equal(['modified', 'running', 'paused']);
    expect(e.type === 'system' && e.previous).to.equal(first); // the driver's object, not a copy
  });

  it('a driver that may change its systems in place later: keeps copies, so the previous state reported is the one seen', async () => {
    const { first, seen } = await run(false, true);
    expect(seen).to.have.length(1);
    const e = seen[0]!;
    expect(e.type === 'system' && [e.kind, e.previousState, e.state, e.previous?.config.memoryMiB, e.current?.config.memoryMiB])
      .to.deep.equal(['modified', 'running', 'paused', 256, 512]);
    expect(e.type === 'system' && e.previous).to.not.equal(first);
  });
});
