/**
 * A NIC is plugged into one of the host's virtual switches, or refused: the hypervisor would
 * accept the definition and fail only when the interface is plugged in (on Xen the vif hotplug
 * script, after the device is already recorded). Checked when a system is defined and when an
 * interface is added or moved to another switch.
 */
import { VirtError } from './errors.js';
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
