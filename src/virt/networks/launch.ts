/**
 * Whole-network state changes: every member driven towards the network's target through the
 * per-system machinery (state-change.ts: the member's lock, planning with the transition table,
 * admission of starts and restores), members of equal priority concurrently, higher priorities
 * first. The job holds the network's lock for its whole run (a second whole-network change is
 * refused busy) and reports progress as members reach the target. A member that fails does not
 * stop the others; every member's outcome is reported with the state it was read back in: the
 * job's result, or when a member failed, the job fails (its error names the members) and the
 * outcomes are kept for NetworkManager.outcomes(jobId).
 *
 * Paths (each arrow one per-system state request):
 *   running:   defined → running (start), paused → running (unpause), suspended → running (restore), crashed → defined → running
 *   paused:    defined → paused (created paused), running → paused, suspended → paused (restored paused), crashed → defined → paused
 *   suspended: running, paused → suspended (save), defined → paused → suspended, crashed → defined → paused → suspended
 *   stopped:   running → shut down (clean, then hard when it does not end in time), anything else → defined (hard)
 */
import { setMaxListeners } from 'node:events';
import { VirtError, toVirtError } from '../errors.js';
import type { Job } from '../jobs.js';
import { begin, perform } from '../state-change.js';
import type { SystemState, TargetState } from '../states.js';
import type { VirtualSystem } from '../types.js';
import { saveNetwork, systemsByName, type NetContext } from './context.js';
import { reconcileMembers } from './members.js';
import { REGISTRY_LOCK, networkLockKey } from './names.js';
import { need } from './structure.js';
import { networkState, targetOf } from './view.js';
import { NETWORK_TARGETS, type MemberOutcome, type NetworkTarget, type StoredNetwork } from './types.js';

export type NetworkStateChange = { kind: 'already'; network: string } | { kind: 'job'; job: Job<MemberOutcome[]> };

export interface NetworkStateOptions {
  /** How long a member's clean shutdown may take before it is powered off hard (default 30 s). */
  shutdownTimeoutMs?: number;
}

/** The per-system targets that take a member from `state` to the network target, in order. */
export function pathTo(state: SystemState, target: NetworkTarget): TargetState[] {
  const from = state === 'crashed' ? ['defined' as const] : [];
  const s = state === 'crashed' ? 'defined' : state;
  if (targetOf(s) === target) return from;
  switch (target) {
    case 'running':
      return [...from, 'running'];
    case 'paused':
      // From suspended: restored straight into paused (restore_paused), it never runs a single instruction.
      return [...from, 'paused'];
    case 'suspended':
      return [...from, ...(s === 'defined' ? ['paused' as const] : []), 'suspended'];
    case 'stopped':
      return state === 'running' ? ['shut_down'] : ['defined'];
  }
}

/** Members in launch order: groups of equal priority, highest first. */
export function priorityGroups(n: StoredNetwork): string[][] {
  const by = new Map<number, string[]>();
  for (const mb of n.members) {
    const group = by.get(mb.priority);
    if (group) group.push(mb.system);
    else by.set(mb.priority, [mb.system]);
  }
  return [...by.entries()].sort((a, b) => b[0] - a[0]).map(([, names]) => names);
}

async function recordRequested(ctx: NetContext, name: string, target: NetworkTarget): Promise<void> {
  await ctx.m.locks.with(REGISTRY_LOCK, async () => {
    const cur = ctx.nets.get(name);
    if (!cur || cur.requested === target) return;
    const next = { ...cur, requested: target };
    await saveNetwork(ctx, next);
  });
}

/**
 * `systems`: every system as just read by the caller (one read for the whole request); omitted,
 * they are read here.
 */
export async function requestNetworkState(
  ctx: NetContext, name: string, target: NetworkTarget, opts: NetworkStateOptions = {}, systems?: ReadonlyMap<string, VirtualSystem>,
): Promise<NetworkStateChange> {
  if (!NETWORK_TARGETS.includes(target)) throw new VirtError('invalid_argument', `unknown network state '${String(target)}'; one of ${NETWORK_TARGETS.join(', ')}`);
  const release = await ctx.m.locks.acquire(networkLockKey(String(name)), { mode: 'job', what: `a change of the whole network to ${target}` });
  let n: StoredNetwork;
  let states: Map<string, SystemState>;
  let recorded: Promise<void>;
  try {
    n = need(ctx, name);
    let all = systems ?? await systemsByName(ctx);
    if (n.members.some((mb) => !all.has(mb.system))) {
      // A member deleted or renamed behind the network's back (members.ts): brought in step first.
      const fresh = await systemsByName(ctx);
      all = fresh;
      await ctx.m.locks.with(REGISTRY_LOCK, () => reconcileMembers(ctx, fresh, name));
      n = need(ctx, name);
    }
    const missing = n.members.find((mb) => !all.has(mb.system));
    if (missing) throw new VirtError('not_found', `network '${name}': its member '${missing.system}' no longer exists`);
    states = new Map(n.members.map((mb) => [mb.system, all.get(mb.system)!.state]));
    if (networkState(n, all) === target) {
      await recordRequested(ctx, name, target);
      release();
      return { kind: 'already', network: name };
    }
    // Stored while the members are driven (it is what the network shows as requested, nothing
    // waits for it); the job ends only once it is stored.
    recorded = recordRequested(ctx, name, target);
    recorded.catch(() => undefined);
  } catch (e) {
    release();
    throw e;
  }
  const shutdownMs = opts.shutdownTimeoutMs ?? 30_000;
  const job = ctx.m.jobs.start<MemberOutcome[]>(`state change of network ${name} to ${target}`, name, async (jc) => {
    const paths = new Map(n.members.map((mb) => [mb.system, pathTo(states.get(mb.system)!, target)]));
    let total = Math.max(1, [...paths.values()].reduce((a, p) => a + p.length, 0));
    let done = 0;
    // A member's step under way that reports its fraction (a restore) counts for that fraction.
    const partial = new Map<string, number>();
    let shown = 0;
    const report = (): void => {
      shown = Math.max(shown, Math.min(99, ((done + [...partial.values()].reduce((a, f) => a + f, 0)) * 100) / total));
      jc.progress(shown);
    };
    jc.progress(1);
    // Every member's tool call listens to the job's one signal, all at once: not a leak.
    setMaxListeners(n.members.length + 10, jc.signal);
    const step = (): void => {
      done++;
      report();
    };
    const outcomes = new Map<string, MemberOutcome>();
    const drive = async (system: string): Promise<void> => {
      let error: string | undefined;
      let state: SystemState = states.get(system)!;
      try {
        // Changed directly (its own RequestStateChange) while a higher priority came up: driven
        // from the state it is in when its turn comes (a crashed router restarted meanwhile is
        // not powered off and started again).
        const now = (await ctx.m.driver.get(system)).state;
        if (now !== state) {
          state = now;
          const path = pathTo(now, target);
          total = Math.max(1, total + path.length - paths.get(system)!.length);
          paths.set(system, path);
        }
        for (const t of paths.get(system)!) {
          if (jc.signal.aborted) throw new VirtError('failed', 'cancelled');
          state = await toward(ctx, system, t, jc.signal, shutdownMs, (f) => { partial.set(system, f); report(); });
          partial.delete(system);
          step();
        }
      } catch (e) {
        partial.delete(system);
        error = toVirtError(e, `'${system}'`).message;
        // Never unknown: after a failure, what the member is in now, read back from a fresh picture;
        // when even that read fails, the last state it was seen in (the one before the failed step),
        // and the error says the state could not be read.
        ctx.m.driver.invalidate();
        const before = state;
        state = await ctx.m.driver.get(system).then((s) => s.state, (r: unknown) => {
          error = `${error}; its state could not be read back (${toVirtError(r, `'${system}'`).message}), it was last seen ${before.replace('_', ' ')}`;
          return before;
        });
      }
      const ok = error === undefined && targetOf(state) === target;
      outcomes.set(system, { system, ok, state, ...(ok ? {} : { error: error ?? `'${system}' is ${state.replace('_', ' ')}, not ${target}` }) });
    };
    // A stop goes the other way round: the routers that depend on a higher-priority one (its
    // edges) go down before it does, as they came up after it.
    const groups = priorityGroups(n);
    if (target === 'stopped') groups.reverse();
    for (const group of groups) await Promise.all(group.map(drive));
    const all = n.members.map((mb) => outcomes.get(mb.system)!);
    // Kept before anything else can fail the job: every member is reported whatever follows.
    ctx.outcomes.set(job.id, all);
    await recorded.catch((e: unknown) => {
      throw new VirtError('failed', `the members of network '${name}' were driven towards ${target} ` +
        `(${all.map((o) => `${o.system} ${o.state.replace('_', ' ')}`).join(', ')}), but the network's requested state could not be stored: ` +
        `${e instanceof Error ? e.message : String(e)}`);
    });
    const failed = all.filter((o) => !o.ok);
    if (failed.length > 0) {
      // The job fails (a client must see it did not reach the target), every member's outcome kept.
      throw new VirtError('failed', `${failed.length} of ${all.length} members of network '${name}' did not reach ${target}: ` +
        failed.map((o) => `${o.system} (${o.state.replace('_', ' ')}: ${o.error})`).join('; '));
    }
    return all;
  }, undefined, 'state change');
  job.done.then(release, release);
  return { kind: 'job', job };
}

/**
 * One per-system state request, run now under the member's lock; a clean stop that does not end
 * in time becomes a hard one. Returns the state the driver reads back (its own change: no call).
 */
async function toward(
  ctx: NetContext, system: string, target: TargetState, signal: AbortSignal, shutdownMs: number, progress?: (fraction: number) => void,
): Promise<SystemState> {
  const b = await begin(ctx.m, system, target, {}, 'change');
  if (b.kind === 'already') return b.system.state;
  if (target !== 'shut_down') return (await perform(ctx.m, b, signal, undefined, progress)).state;
  try {
    return (await perform(ctx.m, b, signal, shutdownMs)).state;
  } catch (e) {
    if (signal.aborted) throw e;
    ctx.m.log(`network stop: '${system}' did not shut down cleanly (${e instanceof Error ? e.message : String(e)}); powering it off`);
    const hard = await begin(ctx.m, system, 'defined', {}, 'change');
    return hard.kind === 'planned' ? (await perform(ctx.m, hard, signal, undefined)).state : hard.system.state;
  }
}
