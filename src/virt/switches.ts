/**
 * A NIC is plugged into one of the host's virtual switches, or refused: the hypervisor would
 * accept the definition and fail only when the interface is plugged in (on Xen the vif hotplug
 * script, after the device is already recorded). Checked when a system is defined and when an
 * interface is added or moved to another switch.
 */
import { VirtError } from './errors.js';
import { once } from './lock.js';
import type { Model } from './model.js';
import type { VirtualSwitch } from './types.js';

/** The message names the missing switch and the ones that exist, so the client can correct the request. */
export function checkSwitchesExist(switches: readonly VirtualSwitch[], wanted: Iterable<string>): void {
  const have = new Set(switches.map((s) => s.name));
  for (const name of wanted) {
    if (have.has(name)) continue;
    const list = [...have].sort((a, b) => a.localeCompare(b));
    throw new VirtError('invalid_argument',
      `the host has no virtual switch (bridge) '${name}'; it has ${list.length > 0 ? list.join(', ') : 'none'}`);
  }
}

/**
 * Switches a change under way is putting interfaces on (a define, an interface added or moved),
 * and switches being removed. Each such change holds only its systems' locks and a removal only
 * the switch's, so without this a switch could go between an addition's check that it exists and
 * its attach (an interface left on a bridge that no longer exists): whichever comes second is
 * refused (busy) while the other runs. Several additions to one switch do not wait for each other.
 */
export class SwitchUse {
  private readonly adding = new Map<string, number>();
  private readonly removing = new Set<string>();

  /** Before an addition checks its switches: busy while one of them is being removed. Returns the release (idempotent). */
  use(bridges: Iterable<string>): () => void {
    const list = [...new Set(bridges)];
    for (const b of list) if (this.removing.has(b)) throw new VirtError('busy', `the virtual switch '${b}' is being removed`);
    for (const b of list) this.adding.set(b, (this.adding.get(b) ?? 0) + 1);
    return once(() => {
      for (const b of list) {
        const n = (this.adding.get(b) ?? 1) - 1;
        if (n <= 0) this.adding.delete(b);
        else this.adding.set(b, n);
      }
    });
  }

  /** Before a removal checks who uses the switch: busy while an addition to it runs. Returns the release (idempotent). */
  remove(name: string): () => void {
    if ((this.adding.get(name) ?? 0) > 0) throw new VirtError('busy', `an interface is being put on the virtual switch '${name}' by a change under way`);
    this.removing.add(name);
    return once(() => this.removing.delete(name));
  }
}

/** The lock of one switch: creating and removing it never race with each other. */
export function switchLockKey(name: string): string {
  return `switch:${name}`;
}

/** Create a switch the host does not have yet (DSP1097 §7: a switch exists with or without ports). */
export async function defineSwitch(m: Model, name: string): Promise<VirtualSwitch> {
  return m.locks.with(switchLockKey(name), async () => {
    if ((await m.driver.switches()).some((s) => s.name === name)) {
      throw new VirtError('conflict', `the host already has a virtual switch '${name}'`);
    }
    const sw = await m.driver.createSwitch(name);
    m.element({ element: 'switch', kind: 'created', name, current: sw });
    return sw;
  });
}

/**
 * Remove a switch no system uses: an interface defined on it, running or not, would be left with
 * nowhere to plug in at its next start, so the request names the systems instead.
 */
export async function destroySwitch(m: Model, name: string): Promise<void> {
  await m.locks.with(switchLockKey(name), async () => {
    const release = m.switchUse.remove(name);
    try {
      if (!(await m.driver.switches()).some((s) => s.name === name)) {
        throw new VirtError('not_found', `the host has no virtual switch '${name}'`);
      }
      const users = (await m.driver.list()).filter((s) => s.config.nics.some((n) => n.bridge === name)).map((s) => s.name);
      if (users.length > 0) {
        throw new VirtError('invalid_state',
          `the virtual switch '${name}' still has interfaces of ${users.sort((a, b) => a.localeCompare(b)).join(', ')}; remove or move them first`);
      }
      await m.driver.deleteSwitch(name);
    } finally {
      release();
    }
    m.element({ element: 'switch', kind: 'deleted', name, previous: { name, up: true } });
  });
}
