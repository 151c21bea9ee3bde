/**
 * Realising planned links as steps with their undo (steps.ts): switches created first, then one
 * resource change over every system concerned (interfaces added on the link switches, rates set),
 * which is itself all-or-nothing under the systems' locks. A failure undoes what was done.
 */
import type { ResourceChange } from '../changes.js';
import { VirtError } from '../errors.js';
import type { Model } from '../model.js';
import { changeResources } from '../resources.js';
import type { Step } from '../steps.js';
import { defineSwitch, switchLockKey } from '../switches.js';
import { systemsByName, type NetContext } from './context.js';
import type { LinkPlan } from './plan.js';
import { switchesOf } from './view.js';

export interface Realised {
  switches: string[];
  interfaces: { system: string; mac: string }[];
}

/**
 * Remove a switch the network made, as destroySwitch does (switches.ts): refused busy while a
 * change is putting an interface on it, and checked unused under that guard, so an interface
 * added meanwhile (by a system outside the network) is never left on a bridge that is gone.
 */
export function removeSwitchStep(m: Model, name: string): Promise<void> {
  return m.locks.with(switchLockKey(name), async () => {
    const release = m.switchUse.remove(name);
    try {
      const users = (await m.driver.list()).filter((s) => s.config.nics.some((x) => x.bridge === name)).map((s) => s.name);
      if (users.length > 0) throw new VirtError('invalid_state', `the switch '${name}' has interfaces of ${users.join(', ')}`);
      await m.driver.deleteSwitch(name);
    } finally {
      release();
    }
    m.element({ element: 'switch', kind: 'deleted', name, previous: { name, up: true } });
  });
}

/** The steps; `out` receives what was created as the steps run (for the stored network's record). */
export function linkSteps(m: Model, plan: LinkPlan, sharedSwitches: readonly string[], out: Realised): Step[] {
  const steps: Step[] = [];
  for (const sw of [...sharedSwitches, ...plan.newSwitches]) {
    steps.push({
      what: `creating the switch '${sw}'`,
      run: async () => {
        await defineSwitch(m, sw);
        out.switches.push(sw);
      },
      undo: () => removeSwitchStep(m, sw),
    });
  }
  const changes: ResourceChange[] = [
    ...plan.adds.map((a): ResourceChange => ({ system: a.system, action: 'add_nic', nic: a.nic })),
    ...plan.rates.map((r): ResourceChange => ({ system: r.system, action: 'set_nic_rate', mac: r.mac, rate: r.rate })),
  ];
  if (changes.length > 0) {
    steps.push({
      what: 'adding the link interfaces',
      run: async () => {
        const r = await changeResources(m, changes);
        plan.adds.forEach((a, i) => {
          const mac = r.outcomes[i]?.device;
          if (!mac) throw new VirtError('failed', `the interface added to '${a.system}' for link '${plan.links[a.link]!.name}' has no MAC`);
          plan.links[a.link]!.ends[a.end].mac = mac;
          out.interfaces.push({ system: a.system, mac });
        });
      },
      undo: async () => {
        const back: ResourceChange[] = [
          ...plan.adds.flatMap((a): ResourceChange[] => {
            const mac = plan.links[a.link]!.ends[a.end].mac;
            return mac ? [{ system: a.system, action: 'remove_nic', mac }] : [];
          }),
          ...plan.rates.map((r): ResourceChange => ({ system: r.system, action: 'set_nic_rate', mac: r.mac, rate: r.old })),
        ];
        if (back.length > 0) await changeResources(m, back);
      },
    });
  }
  return steps;
}

/**
 * Undo what a network (or one of its links) created: its interfaces still there, then its
 * switches nobody else plugs into. A switch that cannot go is logged and left (it holds no
 * interface of ours any more); the interfaces are removed all-or-nothing.
 */
export async function removeCreated(ctx: NetContext, owner: string, interfaces: readonly { system: string; mac: string }[], switches: readonly string[], what: string): Promise<string[]> {
  const systems = await systemsByName(ctx);
  const present = interfaces.filter((i) => systems.get(i.system)?.config.nics.some((x) => x.mac === i.mac));
  if (present.length > 0) await changeResources(ctx.m, present.map((i): ResourceChange => ({ system: i.system, action: 'remove_nic', mac: i.mac })));
  const after = await ctx.m.driver.list();
  const have = new Set((await ctx.m.driver.switches()).map((s) => s.name));
  const left: string[] = [];
  for (const sw of switches) {
    if (!have.has(sw)) continue;
    const users = after.filter((s) => s.config.nics.some((x) => x.bridge === sw)).map((s) => s.name);
    if (users.length > 0) {
      left.push(sw);
      ctx.m.log(`${what}: the switch '${sw}' stays: interfaces of ${users.join(', ')} are on it`);
      continue;
    }
    // Another network names it (as a shared switch nobody plugs into yet): it is that one's now.
    const other = [...ctx.nets.values()].find((o) => o.name !== owner && switchesOf(o).includes(sw));
    if (other) {
      left.push(sw);
      ctx.m.log(`${what}: the switch '${sw}' stays: the network '${other.name}' uses it`);
      continue;
    }
    try {
      await removeSwitchStep(ctx.m, sw);
    } catch (e) {
      left.push(sw);
      ctx.m.log(`${what}: could not remove the switch '${sw}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return left;
}
