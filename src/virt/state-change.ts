/**
 * A requested state, planned once (docs/state-model.md, "State requests"):
 *
 *   begin:   take the system's lock, look the system up once, answer "already there" (nothing to
 *            do), plan the one operation with the transition table (invalid_state / busy),
 *            admit it when it makes the system hold host resources, or builds its domain again
 *            from a definition that asks more than it holds (a reset; no_memory), record the
 *            request with the definition. Every refusal happens here, before anything starts.
 *   perform: run the planned operation with the job's cancel signal (the hypervisor tool is
 *            killed on cancel), settle or release the admission, wait for a clean shutdown to
 *            end, release the lock. An operation that failed or was cancelled takes its request
 *            back (the request the system had before is recorded again), a shutdown that only ran
 *            out of time keeps it: CIM_EnabledLogicalElement.RequestStateChange places the request
 *            in RequestedState on 0, 3 (timeout) or 4096 only, and a failure must not leave
 *            RequestedState showing a transition still pending.
 */
import type { StateChange, StateChangeOptions } from './changes.js';
import { VirtError } from './errors.js';
import type { Reservation } from './ledger.js';
import type { LockMode, Release } from './lock.js';
import type { Model } from './model.js';
import { ADMITTED_OPERATIONS, REBUILDING_OPERATIONS, TARGET_STATES, alreadyIn, planTransition, type Operation, type TargetState } from './states.js';
import type { VirtualSystem } from './types.js';

export interface Planned {
  kind: 'planned';
  system: VirtualSystem;
  operation: Operation;
  target: TargetState;
  /** The system's lock, held until perform() ends. */
  release: Release;
  reservation: Reservation | undefined;
}

export type Begun = { kind: 'already'; system: VirtualSystem } | Planned;

const words = (s: string): string => s.replace('_', ' ');

export async function begin(m: Model, name: string, target: TargetState, opts: StateChangeOptions, mode: LockMode): Promise<Begun> {
  if (!TARGET_STATES.includes(target)) throw new VirtError('invalid_argument', `unknown target state '${String(target)}'`);
  const release = await m.locks.acquire(name, { mode, what: `a state change to ${words(target)}` });
  try {
    const system = await m.driver.get(name);
    if (alreadyIn(system.state, target)) {
      if (system.requested === target) {
        release();
        return { kind: 'already', system };
      }
      await m.driver.setRequestedState(name, target);
      const after = await m.driver.get(name);
      release();
      return { kind: 'already', system: after };
    }
    const operation = planTransition(name, system.state, target);
    if (opts.operations && !opts.operations.includes(operation)) {
      throw new VirtError('invalid_state', `cannot go from ${words(system.state)} to ${words(target)} for '${name}' here (it would ${words(operation)})`);
    }
    const reservation = ADMITTED_OPERATIONS.includes(operation)
      ? await m.admission.admit(name, system.config, 'start')
      : REBUILDING_OPERATIONS.includes(operation) ? await m.admission.admit(name, system.config, 'growth') : undefined;
    try {
      await m.driver.setRequestedState(name, target);
    } catch (err) {
      reservation?.release();
      throw err;
    }
    return { kind: 'planned', system, operation, target, release, reservation };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * `progress`: the fraction done of an operation that reports it (a save or a restore: the memory
 * image written or read back), 0..1. `commit`: called once the change has taken effect (the
 * operation done; for a clean shutdown, the system off), after which a cancel can undo nothing:
 * a job then completes rather than end terminated with its change made.
 */
export async function perform(
  m: Model, p: Planned, signal: AbortSignal | undefined, timeoutMs: number | undefined, progress?: (fraction: number) => void,
  commit?: () => void,
): Promise<VirtualSystem> {
  const name = p.system.name;
  try {
    try {
      await run(m, name, p.operation, signal, progress);
    } catch (err) {
      // Out of time (return 3) keeps the request; any other failure, or a cancel, takes it back.
      if (signal?.aborted || !VirtError.is(err, 'timeout')) await takeBack(m, p);
      throw err;
    }
    // Done: a clean shutdown once the guest acknowledged only when nobody waits for its end.
    if (p.operation !== 'shutdown' || timeoutMs === 0) commit?.();
    if (p.reservation) {
      // The system now shows in the picture (the driver's reads reflect its own changes: after a
      // start or a restore it refreshes by itself; asking it again here would only make the
      // refresh under way out of date, and every member of a network launch wait for another).
      // If the host lock cannot be had, giving the room back is still right (the picture counts it).
      await p.reservation.settle().catch(() => p.reservation!.release());
    }
    if (p.operation === 'shutdown' && timeoutMs !== 0) {
      await waitFor(m, name, (s) => s.state === 'defined', timeoutMs ?? m.shutdownTimeoutMs, signal, 'to shut down');
      commit?.();
    }
    // The driver's reads reflect its own changes: this costs no call where it knows the outcome.
    return await m.driver.get(name);
  } finally {
    p.reservation?.release();
    p.release();
  }
}

/** Begin, then run the planned operation as a job (the job holds the lock). */
export async function requestStateChange(m: Model, name: string, target: TargetState, opts: StateChangeOptions = {}): Promise<StateChange> {
  const b = await begin(m, name, target, opts, 'job');
  if (b.kind === 'already') return b;
  let performed = false;
  const job = m.jobs.start(`state change of ${name} to ${target}`, name, (ctx) => {
    performed = true;
    ctx.progress(1);
    return perform(m, b, ctx.signal, opts.timeoutMs, (f) => ctx.progress(1 + f * 98), () => ctx.commit());
  }, undefined, 'state change');
  // A job cancelled before its body ran never reaches perform(): its end takes the request back
  // and releases what begin() took.
  const free = (): void => {
    b.reservation?.release();
    b.release();
  };
  job.done.then(free, () => {
    if (performed) free();
    else void takeBack(m, b).finally(free);
  });
  return { kind: 'job', operation: b.operation, job, system: b.system };
}

/** The request the system had before `p` recorded its own, recorded again (under the lock still held). */
async function takeBack(m: Model, p: Planned): Promise<void> {
  const before = p.system.requested;
  if (before === p.target) return;
  try {
    await m.driver.setRequestedState(p.system.name, before);
  } catch (err) {
    m.log(`the request of '${p.system.name}' (${words(p.target)}) could not be taken back after the change failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function run(m: Model, name: string, op: Operation, signal: AbortSignal | undefined, progress?: (fraction: number) => void): Promise<void> {
  const d = m.driver;
  const o = signal ? { signal } : {};
  const p = progress ? { progress } : {};
  switch (op) {
    case 'start':
      return d.start(name, o);
    case 'start_paused':
      return d.start(name, { ...o, paused: true });
    case 'restore':
      return d.restore(name, { ...o, ...p });
    case 'restore_paused':
      return d.restore(name, { ...o, ...p, paused: true });
    case 'save':
      return d.save(name, { ...o, ...p });
    case 'shutdown':
      return d.shutdown(name, o);
    case 'destroy':
      return d.destroy(name, o);
    case 'reboot':
      return d.reboot(name, o);
    case 'reset':
      return d.reset(name, o);
    case 'pause':
      return d.pause(name, o);
    case 'unpause':
      return d.unpause(name, o);
  }
}

async function waitFor(
  m: Model, name: string, done: (s: VirtualSystem) => boolean, timeoutMs: number, signal: AbortSignal | undefined, what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    m.driver.invalidate();
    const s = await m.driver.get(name);
    if (done(s)) return;
    if (signal?.aborted) throw new VirtError('failed', `stopped waiting for '${name}' ${what}: cancelled`);
    if (Date.now() >= deadline) throw new VirtError('timeout', `'${name}' did not finish ${what} within ${timeoutMs} ms (now ${words(s.state)})`);
    await sleep(Math.min(m.pollMs, Math.max(1, deadline - Date.now())), signal);
  }
}

/** A wait that ends at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
