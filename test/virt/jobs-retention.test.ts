import { expect } from 'chai';
import { JobManager } from '../../src/virt/jobs.js';

/**
 * Finished jobs are kept for their retention (TimeBeforeRemoval), but not without bound: every
 * state change is a job (a few KiB each, its result included), and a client driving many of them
 * within the retention would otherwise grow the server's memory, and every enumeration of jobs,
 * without limit. Beyond the cap the jobs that finished first go first; running jobs always stay.
 */
describe('virt: finished jobs are kept up to a bound', () => {
  it('keeps at most maxFinished finished jobs, dropping the oldest finished first, never a running one', async () => {
    const jm = new JobManager(60_000, 10);
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const running = jm.start('long', 'web', () => gate);
    const quick = Array.from({ length: 25 }, (_, i) => jm.start(`quick ${i}`, `s${i}`, async () => i));
    await Promise.all(quick.map((j) => j.done));
    const kept = jm.list();
    expect(kept.filter((j) => j.finished)).to.have.length(10);
    expect(kept.filter((j) => j.finished).map((j) => j.name)).to.deep.equal(quick.slice(15).map((j) => j.name));
    expect(jm.get(running.id), 'a running job is never dropped').to.equal(running);
    expect(jm.get(quick[0]!.id)).to.equal(undefined);
    open();
    await running.done;
    // The long job finished last: it is the newest finished one now.
    expect(jm.get(running.id)).to.equal(running);
    expect(jm.list().filter((j) => j.finished)).to.have.length(10);
    expect(jm.get(quick[15]!.id)).to.equal(undefined);
  });

  it('a removed job frees its place', async () => {
    const jm = new JobManager(60_000, 2);
    const a = jm.start('a', 'x', async () => 1);
    const b = jm.start('b', 'x', async () => 2);
    await Promise.all([a.done, b.done]);
    expect(jm.remove(a.id)).to.equal(true);
    const c = jm.start('c', 'x', async () => 3);
    await c.done;
    expect(jm.list().map((j) => j.name)).to.deep.equal(['b', 'c']);
  });
});
