/**
 * A burst of tool calls (a whole network's launch) starts a few processes per event-loop turn, so
 * requests are answered between the starts instead of after all of them.
 */
import { expect } from 'chai';
import { XlRunner } from '../../../src/drivers/xl/runner.js';
import { SPAWNS_PER_TURN, spawnTurn } from '../../../src/drivers/xl/spawn-turns.js';
import { DiskSnapshots } from '../../../src/drivers/xl/disk-snapshots.js';
import { VirtError } from '../../../src/virt/errors.js';

/** A counter of the loop's check phases (setImmediate), from now until stop(). */
function turns(): { now: () => number; stop: () => void } {
  let n = 0;
  let on = true;
  const tick = (): void => {
    n++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => n, stop: () => { on = false; } };
}

function perTurn(at: number[]): number[] {
  const by = new Map<number, number>();
  for (const t of at) by.set(t, (by.get(t) ?? 0) + 1);
  return [...by.values()];
}

describe('xl runner: process starts spread over the event loop\'s turns', () => {
  it('grants the first starts at once and the rest a few per turn, in the order asked', async () => {
    const clock = turns();
    const order: number[] = [];
    const at: number[] = [];
    const asks = Array.from({ length: 3 * SPAWNS_PER_TURN + 1 }, (_, i) => {
      const turn = spawnTurn();
      if (turn === undefined) {
        order.push(i);
        at.push(clock.now());
        return Promise.resolve();
      }
      return turn.then(() => { order.push(i); at.push(clock.now()); });
    });
    expect(order).to.have.length(SPAWNS_PER_TURN);
    await Promise.all(asks);
    clock.stop();
    expect(order).to.deep.equal(asks.map((_, i) => i));
    const counts = perTurn(at);
    expect(Math.max(...counts)).to.equal(SPAWNS_PER_TURN);
    expect(counts).to.have.length(4);
  });

  it('starts 20 calls asked for together in turns of at most SPAWNS_PER_TURN, and every one runs', async () => {
    const runner = new XlRunner({ xlPath: '/bin/true', defaultTimeoutMs: 10_000 });
    const clock = turns();
    const at: number[] = [];
    let answered = 0;
    // A request arriving meanwhile (a timer standing for its I/O) is served before the last start.
    let servedAt: number | undefined;
    setTimeout(() => { servedAt = at.length; }, 0);
    const results = await Promise.all(Array.from({ length: 20 }, () => runner.run(['list'], { onSpawn: () => at.push(clock.now()) }).then((r) => { answered++; return r; })));
    clock.stop();
    expect(answered).to.equal(20);
    expect(results.every((r) => r.exitCode === 0)).to.equal(true);
    expect(at).to.have.length(20);
    expect(Math.max(...perTurn(at))).to.be.at.most(SPAWNS_PER_TURN);
    expect(servedAt).to.be.a('number').and.below(20);
  });

  /** This turn's starts taken: the next call waits for a later turn. */
  function fillTurn(): Promise<unknown> {
    return Promise.all(Array.from({ length: SPAWNS_PER_TURN }, () => spawnTurn()));
  }

  it('a call cancelled while it waits for its turn is not started (no xl forked only to be killed)', async () => {
    const runner = new XlRunner({ xlPath: '/bin/true', defaultTimeoutMs: 10_000 });
    const spawned: number[] = [];
    const cancel = new AbortController();
    const turns = fillTurn();
    const call = runner.run(['unpause', 'r1'], { signal: cancel.signal, onSpawn: (pid) => spawned.push(pid) }).then(() => undefined, (e: unknown) => e);
    cancel.abort(new VirtError('failed', 'job terminated'));
    const err = await call;
    await turns;
    expect(err).to.be.instanceOf(VirtError);
    expect((err as VirtError).message).to.equal('xl unpause was cancelled');
    expect(spawned, 'no process started').to.deep.equal([]);
    // Already cancelled when asked: not started either, and no turn waited for.
    const again = await runner.run(['unpause', 'r1'], { signal: cancel.signal, onSpawn: (pid) => spawned.push(pid) }).then(() => undefined, (e: unknown) => e);
    expect((again as VirtError).message).to.equal('xl unpause was cancelled');
    expect(spawned).to.deep.equal([]);
  });

  it('a qemu-img call cancelled before its turn answers cancelled, not with a failed start', async () => {
    // A program that cannot start: a start tried fails as such, not as cancelled.
    const disks = new DiskSnapshots('/nonexistent/qemu-img', undefined);
    const cancel = new AbortController();
    const turns = fillTurn();
    const capture = disks.capture([{ target: '/tmp/xen-wbem-no-such.qcow2', vdev: 'xvda', format: 'qcow2' }], '/tmp', 'xenwbem-0123456789ab', { signal: cancel.signal }, () => {});
    cancel.abort(new VirtError('failed', 'job terminated'));
    const err = await capture.then(() => undefined, (e: unknown) => e);
    await turns;
    expect(err).to.be.instanceOf(VirtError);
    expect((err as VirtError).message).to.equal('qemu-img snapshot was cancelled');
  });
});
