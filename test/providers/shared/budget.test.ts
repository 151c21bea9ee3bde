import { expect } from 'chai';
import { MAX_WAIT_MS, settleWithin } from '../../../src/providers/shared/budget.js';

describe('providers/shared: how long a method waits for its job (settleWithin)', () => {
  it('ends as pending when the request\'s signal aborts, long before the period', async () => {
    const never = new Promise<number>(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const t0 = Date.now();
    expect((await settleWithin(never, 60_000, ac.signal)).kind).to.equal('pending');
    expect(Date.now() - t0).to.be.below(1_000);
    // Already aborted: no wait at all.
    expect((await settleWithin(never, 60_000, ac.signal)).kind).to.equal('pending');
  });

  it('waits a period longer than a timer can hold for as long as one can, instead of not at all', async () => {
    const soon = new Promise<number>((resolve) => setTimeout(() => resolve(7), 50));
    const r = await settleWithin(soon, MAX_WAIT_MS * 100);
    expect(r).to.deep.equal({ kind: 'ok', value: 7 });
  });

  it('gives the outcome when the job ends within the period, a failure as an error', async () => {
    expect(await settleWithin(Promise.resolve(1), 1_000)).to.deep.equal({ kind: 'ok', value: 1 });
    const boom = new Error('boom');
    expect(await settleWithin(Promise.reject(boom), 1_000)).to.deep.equal({ kind: 'error', error: boom });
  });
});
