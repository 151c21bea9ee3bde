/**
 * A network RASD names the virtual switch (bridge) its interface plugs into, by NetworkName, the
 * first Connection, or a NetworkPool/<bridge> PoolID (the pool the interface is allocated from,
 * DSP1041 §7.2). A switch the host does not have is refused before anything is
 * defined or plugged, naming the property the client used, so the client can correct it.
 */
import type { CimInstance } from '../../cim/index.js';
import type { VirtualSwitch } from '../../virt/index.js';
import { badParam } from '../shared/errors.js';
import { readString, readStrings } from '../shared/params.js';

/** Which property the bridge was read from (the same order as bridgeOf), and the value as sent. */
export function switchPropertyOf(inst: CimInstance, where: string): { property: string; value: string } {
  const name = readString(inst, 'NetworkName', where);
  if (name) return { property: 'NetworkName', value: name };
  const conn = readStrings(inst, 'Connection', where)[0];
  if (conn) return { property: 'Connection', value: conn };
  return { property: 'PoolID', value: readString(inst, 'PoolID', where) ?? '' };
}

export function refuseUnknownSwitch(inst: CimInstance, where: string, bridge: string, switches: readonly VirtualSwitch[]): void {
  if (switches.some((s) => s.name === bridge)) return;
  const { property, value } = switchPropertyOf(inst, where);
  const have = switches.map((s) => s.name).sort((a, b) => a.localeCompare(b));
  throw badParam(`${where}: ${property} "${value}" names the virtual switch (bridge) '${bridge}', which this host does not have; ` +
    `it has ${have.length > 0 ? have.join(', ') : 'none'}`);
}
