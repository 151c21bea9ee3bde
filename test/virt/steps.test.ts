/**
 * A compound change's steps (virt/steps.ts): undone newest first after a failure, and, once the
 * job's signal is aborted, no further step starts.
 */
import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';
import { isPartlyApplied, runSteps, type Step } from '../../src/virt/steps.js';

function recorder(): { log: string[]; step: (what: string, run?: () => void, undoFails?: boolean) => Step } {
  const log: string[] = [];
  return {
    log,
    step: (what, run, undoFails) => ({
      what,
      run: async () => { log.push(`run ${what}`); run?.(); },
      undo: async () => {
        log.push(`undo ${what}`);
        if (undoFails) throw new Error('it would not go');
      },
    }),
  };
}

describe('virt: the steps of a compound change', () => {
  it('a step that fails: the ones before are undone newest first, the error names the step', async () => {
    const { log, step } = recorder();
    const err = await runSteps('changing resources', [step('a'), step('b'), step('c', () => { throw new VirtError('failed', 'no room'); }), step('d')]).catch((e: unknown) => e as VirtError);
    expect(log).to.deep.equal(['run a', 'run b', 'run c', 'undo b', 'undo a']);
    expect(err).to.be.instanceOf(VirtError);
    expect((err as VirtError).message).to.equal('c: no room');
    expect(isPartlyApplied(err)).to.equal(false);
  });

  it('an undo that fails is in the error, which is marked partly applied', async () => {
    const { step } = recorder();
    const err = await runSteps('x', [step('a', undefined, true), step('b', () => { throw new VirtError('failed', 'broken'); })]).catch((e: unknown) => e as VirtError);
    expect((err as VirtError).message).to.equal('b: broken; could not undo 1 earlier step(s), the change is partly applied (a: it would not go)');
    expect(isPartlyApplied(err)).to.equal(true);
  });

  it('cancelled while a step runs that cannot be cut (a definition write): no further step starts, the ones made are undone', async () => {
    const { log, step } = recorder();
    const cancel = new AbortController();
    const err = await runSteps('changing resources', [step('a'), step('b', () => cancel.abort()), step('c')], undefined, cancel.signal).catch((e: unknown) => e as VirtError);
    expect(log).to.deep.equal(['run a', 'run b', 'undo b', 'undo a']);
    expect(err).to.be.instanceOf(VirtError);
    expect((err as VirtError).kind).to.equal('failed');
    expect((err as VirtError).message).to.equal('c: cancelled before it started');
  });

  it('already cancelled: nothing runs', async () => {
    const { log, step } = recorder();
    const cancel = new AbortController();
    cancel.abort();
    await runSteps('x', [step('a')], undefined, cancel.signal).catch(() => undefined);
    expect(log).to.deep.equal([]);
  });
});
