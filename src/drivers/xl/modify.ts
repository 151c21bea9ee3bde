/**
 * Resources and policies of a system: the definition always, the running domain where xl can
 * change it live. What the domain runs with is recorded (`running`) so that reads can tell a live
 * change from one that waits for the next start.
 */
import { VirtError } from '../../virt/errors.js';
import { applyPatch } from '../../virt/spec.js';
import { TRANSITIONAL_STATES } from '../../virt/states.js';
import type { OperationOptions } from '../../virt/driver.js';
import type { SystemPatch, VirtualSystem, VirtualSystemConfig } from '../../virt/types.js';
import { change, ensureDef, liveName } from './change.js';
import type { XlCore } from './core.js';
import { type RunningSettings, runningOf } from './definition-types.js';
import type { HostFactsSource } from './host-facts.js';
import { memArg } from './validate.js';
import { resolve, type Current } from './view.js';

export async function modify(core: XlCore, host: HostFactsSource, name: string, patch: SystemPatch, opts: OperationOptions = {}): Promise<VirtualSystem> {
  await change(core, name, async (cur) => {
    const state = cur.system.state;
    if (TRANSITIONAL_STATES.includes(state)) throw new VirtError('busy', `'${name}' is ${state}`);
    const def = await ensureDef(core, cur);
    const base = cur.system.config;
    const next = applyPatch(base, patch);
    const resourcesChanged = next.memoryMiB !== base.memoryMiB || next.maxMemoryMiB !== base.maxMemoryMiB || next.vcpus !== base.vcpus || next.maxVcpus !== base.maxVcpus;
    if (state === 'suspended' && resourcesChanged) {
      throw new VirtError('invalid_state', `'${name}' is suspended; its saved image fixes memory and vCPUs until it is restored`);
    }
    // The xl commands that ran, undone (last first) when a later one or storing the definition
    // fails: the call then changes nothing.
    const undo: string[][] = [];
    try {
      const running = cur.view ? await applyLive(core, host, cur, def.running ?? runningOf(base), next, opts, undo) : def.running;
      await core.store.patch(cur.name, running ? { config: next, running } : { config: next });
    } catch (err) {
      // Without the caller's cancel signal: the undo must run.
      for (const args of undo.reverse()) {
        await core.xl(args).catch((e: unknown) =>
          core.log('warn', `could not undo 'xl ${args.join(' ')}' after a failed change of '${name}': ${e instanceof Error ? e.message : String(e)}`));
      }
      throw err;
    }
  });
  return resolve(core, name, await core.cache.get()).system;
}

/**
 * Live part of modify: what xl can change on the running domain, from what it runs with now
 * (`was`); returns what it runs with afterwards. The rest stays a definition-only change for the
 * next start (the caller stores the definition either way):
 * - the memory maximum is fixed at boot for growth (a PV guest cannot use more than it booted with
 *   even if `xl mem-max` raises the limit): raising it is for the next start; lowering it is live
 *   (`mem-max`, after the target came down to fit);
 * - the memory target is live (`mem-set`) when it fits the running maximum, else next start;
 * - online vCPUs (`vcpu-set`, within the maximum fixed at definition) and weight/cap
 *   (`sched-credit[2]`) are live.
 * Each command that ran pushes onto `undo` the one that puts back what it changed.
 */
async function applyLive(
  core: XlCore, host: HostFactsSource, cur: Current, was: RunningSettings, next: VirtualSystemConfig, opts: OperationOptions, undo: string[][],
): Promise<RunningSettings> {
  const live = liveName(cur);
  const o = core.runOptions(opts);
  const now: RunningSettings = { ...was };
  // Known before any xl call: a scheduler without weight/cap refuses the change while nothing has changed yet.
  const sched = next.cpuWeight !== was.cpuWeight || next.cpuCap !== was.cpuCap
    ? schedCommand(cur.view?.config?.sched ?? (await host.scheduler()))
    : undefined;
  const maxAfter = Math.min(was.maxMemoryMiB, next.maxMemoryMiB);
  if (next.memoryMiB !== was.memoryMiB && next.memoryMiB <= maxAfter) {
    await core.xl(['mem-set', live, memArg(next.memoryMiB)], o);
    undo.push(['mem-set', live, memArg(was.memoryMiB)]);
    now.memoryMiB = next.memoryMiB;
  }
  if (maxAfter < was.maxMemoryMiB && now.memoryMiB <= maxAfter) {
    await core.xl(['mem-max', live, memArg(maxAfter)], o);
    undo.push(['mem-max', live, memArg(was.maxMemoryMiB)]);
    now.maxMemoryMiB = maxAfter;
  }
  const vcpusWere = cur.system.config.vcpus;
  if (next.vcpus !== vcpusWere) {
    await core.xl(['vcpu-set', live, String(next.vcpus)], o);
    undo.push(['vcpu-set', live, String(vcpusWere)]);
  }
  if (sched) {
    await core.xl([sched, '-d', live, '-w', String(next.cpuWeight), '-c', String(next.cpuCap)], o);
    undo.push([sched, '-d', live, '-w', String(was.cpuWeight), '-c', String(was.cpuCap)]);
    now.cpuWeight = next.cpuWeight;
    now.cpuCap = next.cpuCap;
  }
  return now;
}

/** credit vs credit2: the domain's pool's own scheduler, else the host default. */
function schedCommand(sched: string | undefined): string {
  if (sched === 'credit') return 'sched-credit';
  if (sched === 'credit2') return 'sched-credit2';
  throw new VirtError('invalid_state', `scheduler '${sched ?? 'unknown'}' has no weight/cap`);
}
