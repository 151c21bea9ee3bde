import { expect } from 'chai';
import { JobManager } from '../../src/virt/jobs.js';
import { KeyedLock } from '../../src/virt/lock.js';
import { VirtError } from '../../src/virt/errors.js';

describe('jobs', () => {
  it('runs to completion with progress, result and elapsed time', async () => {
    const jm = new JobManager();
    const seen: string[] = [];
    jm.onChange((j) => seen.push(`${j.state}:${j.percentComplete}`));
    const job = jm.start('work', 'sys', async (ctx) => {
      ctx.progress(50);
      await new Promise((r) => setTimeout(r, 20));
      return 42;
    });
    expect(job.state).to.equal('new');
    expect(await job.done).to.equal(42);
    expect(job).to.include({ state: 'completed', percentComplete: 100, result: 42 });
    expect(job.elapsedMs).to.be.at.least(15);
    expect(seen).to.include('running:50');
    expect(jm.get(job.id)).to.equal(job);
  });

  it('records a failure as a VirtError and supports cancellation', async () => {
    const jm = new JobManager();
    const failed = jm.start('bad', 'sys', async () => {
      throw new VirtError('no_memory', 'too big', 'xl text');
    });
    await failed.done.catch(() => {});
    expect(failed.state).to.equal('failed');
    expect(failed.error).to.include({ kind: 'no_memory', detail: 'xl text' });
    const long = jm.start('long', 'sys', (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
    await new Promise((r) => setTimeout(r, 5));
    expect(long.cancel()).to.equal(true);
    await long.done.catch(() => {});
    expect(long.state).to.equal('terminated');
    expect(long.cancel()).to.equal(false);
  });

  it('past its point of no return (commit) a job completes: a cancel is refused, and one that came too late does not make it terminated', async () => {
    const jm = new JobManager();
    let go!: () => void;
    const gate = new Promise<void>((r) => { go = r; });
    const late = jm.start('move', 'r1', async (ctx) => {
      await gate;
      ctx.commit();
      return 'moved';
    });
    await new Promise((r) => setImmediate(r));
    expect(late.cancel('terminated on request')).to.equal(true); // the body does not watch the signal
    go();
    expect(await late.done).to.equal('moved');
    expect(late.state).to.equal('completed');

    let go2!: () => void;
    const gate2 = new Promise<void>((r) => { go2 = r; });
    const committed = jm.start('move', 'r2', async (ctx) => {
      ctx.commit();
      await gate2;
      return 'moved';
    });
    await new Promise((r) => setImmediate(r));
    expect(committed.cancel('terminated on request')).to.equal(false);
    go2();
    expect(await committed.done).to.equal('moved');
    expect(committed.state).to.equal('completed');
  });

  it('a finished job is gone once its retention (TimeBeforeRemoval) has passed, for a lookup by id too', async () => {
    const jm = new JobManager(30);
    const job = jm.start('quick', 'sys', async () => 1);
    await job.done;
    expect(jm.get(job.id)).to.equal(job);
    await new Promise((r) => setTimeout(r, 60));
    expect(jm.get(job.id)).to.equal(undefined);
    expect(jm.list()).to.deep.equal([]);
  });
});

describe('keyed lock', () => {
  it('serialises per key and times out with busy', async () => {
    const lock = new KeyedLock(50);
    const order: number[] = [];
    const a = lock.with('k', async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push(1);
    });
    const b = lock.with('k', async () => {
      order.push(2);
    });
    const other = lock.with('other', async () => {
      order.push(0);
    });
    await Promise.all([a, b, other]);
    expect(order).to.deep.equal([0, 1, 2]);
    const hold = lock.with('k', () => new Promise((r) => setTimeout(r, 100)));
    const err = await lock.with('k', async () => 1, 20).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VirtError).with.property('kind', 'busy');
    await hold;
    expect(lock.isHeld('k')).to.equal(false);
  });

  it('refuses at once while a job holds or awaits a key; other changes wait their turn', async () => {
    const lock = new KeyedLock(1000);
    const releaseShort = await lock.acquire('k');
    const queued = lock.acquire('k', { mode: 'job', what: 'a state change to running' });
    // A job waits behind a short change, and from then on nothing else queues.
    const t0 = Date.now();
    const err = await lock.acquire('k').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VirtError).with.property('kind', 'busy');
    expect((err as VirtError).message).to.match(/a state change to running is under way/);
    expect(Date.now() - t0).to.be.lessThan(50);
    releaseShort();
    const releaseJob = await queued;
    expect(lock.heldAs('k')).to.equal('job');
    await lock.acquire('k', { mode: 'job' }).then(() => expect.fail('a second job must be refused'), (e: unknown) => expect(e).to.have.property('kind', 'busy'));
    releaseJob();
    expect(lock.isHeld('k')).to.equal(false);
  });

  it('takes several keys in one order whatever order they are asked in', async () => {
    const lock = new KeyedLock(1000);
    const order: string[] = [];
    const a = lock.withAll(['b', 'a', 'b'], async () => {
      order.push('first');
      await new Promise((r) => setTimeout(r, 10));
    });
    const b = lock.withAll(['a', 'b'], async () => {
      order.push('second');
    });
    await Promise.all([a, b]);
    expect(order).to.deep.equal(['first', 'second']);
    expect(KeyedLock.order(['web', 'Web', 'db', 'web'])).to.deep.equal(['Web', 'db', 'web']);
    expect(lock.isHeld('a') || lock.isHeld('b')).to.equal(false);
  });
});
