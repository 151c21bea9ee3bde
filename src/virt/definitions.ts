/**
 * Changes of what a system is: define (with the capacity check), its settings and name
 * (all-or-nothing), delete (stop, then remove the definition). Each under the system's lock;
 * a rename under the locks of both names (lock.ts rule 2).
 */
import { checkSwitchesExist } from './switches.js';
import { advertisedShortfall } from './capacity.js';
import { macClaim, uuidClaim } from './claims.js';
import { SETTINGS_FIELDS, type SettingsChange, type SettingsPatch } from './changes.js';
import { VirtError } from './errors.js';
import type { LockMode } from './lock.js';
import type { Model } from './model.js';
import { applyPatch, checkMacsFree, checkSystemName, normalizeSpec } from './spec.js';
import { TRANSITIONAL_STATES, isActive } from './states.js';
import { runSteps, type Step } from './steps.js';
import type { VirtualSystem, VirtualSystemConfig, VirtualSystemSpec } from './types.js';
import type { Capacity } from './capacity.js';

/**
 * Define a system: every rule of spec.ts, then "could its guaranteed memory and CPU ever fit this
 * host" (no_memory with the figures), then the driver's own checks (its tool's syntax, uniqueness).
 */
export async function defineSystem(m: Model, spec: VirtualSystemSpec, capacity: () => Promise<Capacity>): Promise<VirtualSystem> {
  const n = normalizeSpec(spec);
  return m.locks.with(n.name, async () => {
    const macs = n.nics.flatMap((x) => (x.mac ? [{ system: n.name, mac: x.mac }] : []));
    // Claimed before anything is read (claims.ts): a concurrent define or NIC addition of another
    // system that asks for the same MAC or UUID is refused instead of both taking it.
    const release = m.claims.claim([...macs.map((x) => macClaim(n.name, x.mac)), ...(n.uuid ? [uuidClaim(n.name, n.uuid)] : [])]);
    let unuse: (() => void) | undefined;
    try {
      // Its switches are not removed while it is defined on them (switches.ts).
      unuse = m.switchUse.use(n.nics.map((x) => x.bridge));
      const short = advertisedShortfall(await capacity(), n.name, n);
      if (short) throw new VirtError('no_memory', short);
      if (n.nics.length > 0) checkSwitchesExist(await m.driver.switches(), n.nics.map((x) => x.bridge));
      if (macs.length > 0) checkMacsFree(await m.driver.list(), macs);
      return await m.driver.define(spec);
    } finally {
      unuse?.();
      release();
    }
  }, { what: 'its definition' });
}

/** Remove a system; an active one is powered off first (hard), under one lock. */
export async function deleteSystem(m: Model, name: string, opts: { signal?: AbortSignal; mode?: LockMode } = {}): Promise<void> {
  await m.locks.with(name, async () => {
    const sys = await m.driver.get(name);
    opts.signal?.throwIfAborted();
    if (isActive(sys.state)) await m.driver.destroy(name, opts.signal ? { signal: opts.signal } : {});
    try {
      await m.driver.undefine(name);
    } catch (err) {
      if (!isActive(sys.state)) throw err;
      const e = err instanceof VirtError ? err : new VirtError('failed', String(err));
      throw new VirtError(e.kind, `'${name}' was powered off but its definition could not be removed: ${e.message}`, e.detail, { cause: err });
    }
  }, { what: 'its deletion', ...(opts.mode ? { mode: opts.mode } : {}) });
}

/**
 * Rename and/or change policies, all-or-nothing. Checked before anything changes: the name rules,
 * a free new name, a system not in transition, the patched definition. Then the name changes
 * (undo: the old name), then the policies (undo: the previous values).
 */
export async function modifySystemSettings(m: Model, name: string, change: SettingsChange): Promise<VirtualSystem> {
  if (!change || typeof change !== 'object') throw new VirtError('invalid_argument', 'a settings change is required');
  const newName = change.name !== undefined && change.name !== name ? checkSystemName(change.name) : undefined;
  const keys = newName === undefined ? [name] : [name, newName];
  return m.locks.withAll(keys, async () => {
    const sys = await m.driver.get(name);
    const patch = changedSettings(sys.config, change.patch ?? {});
    const steps: Step[] = [];
    if (newName !== undefined) {
      if (TRANSITIONAL_STATES.includes(sys.state)) throw new VirtError('busy', `'${name}' is ${sys.state.replace('_', ' ')}`);
      const taken = await m.driver.get(newName).then(() => true, (e: unknown) => (VirtError.is(e, 'not_found') ? false : Promise.reject(e)));
      if (taken) throw new VirtError('conflict', `a virtual system named '${newName}' already exists`);
      // First: the driver refuses a name its tool cannot take before anything else has changed.
      steps.push({
        what: `renaming '${name}' to '${newName}'`,
        run: async () => void (await m.driver.rename(name, newName)),
        undo: async () => void (await m.driver.rename(newName, name)),
      });
    }
    if (Object.keys(patch).length > 0) {
      applyPatch(sys.config, patch); // refuses a bad value before anything runs
      const previous: SettingsPatch = {};
      for (const k of Object.keys(patch) as (keyof SettingsPatch)[]) Object.assign(previous, { [k]: sys.config[k] });
      const target = newName ?? name;
      steps.push({
        what: `changing ${Object.keys(patch).join(', ')} of '${target}'`,
        run: async () => void (await m.driver.modify(target, patch)),
        undo: async () => void (await m.driver.modify(target, previous)),
      });
    }
    await runSteps(`changing the settings of '${name}'`, steps, m.log);
    return m.driver.get(newName ?? name);
  }, { what: 'a change of its settings' });
}

/** The policy fields that differ from the definition (unknown fields refused). */
function changedSettings(config: VirtualSystemConfig, patch: SettingsPatch): SettingsPatch {
  if (typeof patch !== 'object' || patch === null) throw new VirtError('invalid_argument', 'a settings patch must be an object');
  const out: SettingsPatch = {};
  for (const [k, v] of Object.entries(patch)) {
    if (!SETTINGS_FIELDS.includes(k as keyof SettingsPatch)) throw new VirtError('invalid_argument', `'${k}' is not a system setting`);
    if (v !== undefined && v !== config[k as keyof SettingsPatch]) Object.assign(out, { [k]: v });
  }
  return out;
}
