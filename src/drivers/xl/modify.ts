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
    const running = cur.view ? await applyLive(core, host, cur, def.running ?? runningOf(base), next, opts) : def.running;
    await core.store.patch(cur.name, running ? { config: next, running } : { config: next });
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
 */
async function applyLive(core: XlCore, host: HostFactsSource, cur: Current, was: RunningSettings, next: VirtualSystemConfig, opts: OperationOptions): Promise<RunningSettings> {
  const live = liveName(cur);
  const o = core.runOptions(opts);
  const now: RunningSettings = { ...was };
  const maxAfter = Math.min(was.maxMemoryMiB, next.maxMemoryMiB);
  if (next.memoryMiB !== was.memoryMiB && next.memoryMiB <= maxAfter) {
    await core.xl(['mem-set', live, memArg(next.memoryMiB)], o);
    now.memoryMiB = next.memoryMiB;
  }
  if (maxAfter < was.maxMemoryMiB && now.memoryMiB <= maxAfter) {
    await core.xl(['mem-max', live, memArg(maxAfter)], o);
    now.maxMemoryMiB = maxAfter;
  }
  if (next.vcpus !== cur.system.config.vcpus) await core.xl(['vcpu-set', live, String(next.vcpus)], o);
  if (next.cpuWeight !== was.cpuWeight || next.cpuCap !== was.cpuCap) {
    const sched = cur.view?.config?.sched ?? (await host.scheduler());
    await core.xl([schedCommand(sched), '-d', live, '-w', String(next.cpuWeight), '-c', String(next.cpuCap)], o);
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
