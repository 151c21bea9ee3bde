/**
 * A NIC is plugged into one of the host's virtual switches, or refused: the hypervisor would
 * accept the definition and fail only when the interface is plugged in (on Xen the vif hotplug
 * script, after the device is already recorded). Checked when a system is defined and when an
 * interface is added or moved to another switch.
 */
import { VirtError } from './errors.js';
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
    if (!(await m.driver.switches()).some((s) => s.name === name)) {
      throw new VirtError('not_found', `the host has no virtual switch '${name}'`);
    }
    const users = (await m.driver.list()).filter((s) => s.config.nics.some((n) => n.bridge === name)).map((s) => s.name);
    if (users.length > 0) {
      throw new VirtError('invalid_state',
        `the virtual switch '${name}' still has interfaces of ${users.sort((a, b) => a.localeCompare(b)).join(', ')}; remove or move them first`);
    }
    await m.driver.deleteSwitch(name);
    m.element({ element: 'switch', kind: 'deleted', name, previous: { name, up: true } });
  });
}
