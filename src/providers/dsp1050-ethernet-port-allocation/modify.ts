/**
 * ModifyResourceSettings of an Ethernet connection (DSP1050, through DSP1042 §8.2): the embedded
 * Xen_EthernetPortAllocationSettingData, NULL meaning "unchanged", may change
 * - the bandwidth: Limit, what the interface may send (Xen's vif rate), in AllocationUnits
 *   (default bit/second); 0 removes the limit. A rate change alone is applied to the running
 *   interface without unplugging it (the model's set_nic_rate). What it receives is bounded by
 *   its senders, not by a setting of its own: a ReceiveBandwidthLimit other than the one shown is
 *   refused;
 * - the switch: HostResource (the switch's WBEM URI), Connection or PoolID naming another switch
 *   the host has; the interface is moved (unplugged from the old switch, plugged into the new).
 * Its identity (Parent, Address) and ResourceType cannot change, and a Reservation is the link's
 * business: one other than what the connection has is refused, as is a new rate or switch for an
 * end of a link (its network changes the link as a whole). Anything refused changes nothing.
 */
import { type CimInstance, type CimInstanceName, cimError, parseInstancePath } from '../../cim/index.js';
import type { Rate, ResourceChange } from '../../virt/index.js';
import { toBytesPerSecond } from '../dsp1041-resource-allocation/index.js';
import { SWITCH_CLASS, hostSwitches, switchOfName } from '../dsp1097-virtual-ethernet-switch/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam } from '../shared/errors.js';
import { poolInstanceId, rasdId } from '../shared/naming.js';
import { readNumber, readString, readStrings } from '../shared/params.js';
import { allSystems } from '../shared/systems.js';
import { receiveLimit } from './epasd.js';
import { linkEnds } from './links.js';
import { ETHERNET_CONNECTION, epasdName, parseEpasdId } from './names.js';

export interface ConnectionChange {
  change: ResourceChange;
  /** The interface (MAC) it concerns. */
  mac: string;
  /** The connection's own name, for ResultingResourceSettings. */
  setting: CimInstanceName;
}

/** The switch the connection asks for, and the property it was read from; undefined when none is named. */
function askedSwitch(inst: CimInstance, where: string): { name: string; property: string; value: string } | undefined {
  const hr = readStrings(inst, 'HostResource', where)[0];
  if (hr) {
    let ref: CimInstanceName;
    try {
      ref = parseInstancePath(hr);
    } catch {
      throw badParam(`${where}: HostResource "${hr}" is not a WBEM URI of a ${SWITCH_CLASS}`);
    }
    const name = switchOfName(ref);
    if (name === undefined) throw badParam(`${where}: HostResource "${hr}" does not name a ${SWITCH_CLASS}`);
    return { name, property: 'HostResource', value: hr };
  }
  const conn = readStrings(inst, 'Connection', where)[0];
  if (conn) return { name: conn, property: 'Connection', value: conn };
  const pool = readString(inst, 'PoolID', where);
  if (pool) {
    const prefix = poolInstanceId('network', '');
    if (!pool.startsWith(prefix) || pool.length === prefix.length) throw badParam(`${where}: PoolID "${pool}" is not a network pool (expected ${prefix}<switch>)`);
    return { name: pool.slice(prefix.length), property: 'PoolID', value: pool };
  }
  return undefined;
}

/** A bandwidth in bit/second from a value in AllocationUnits (default bit/second); 0 = none. */
function bits(value: number, units: string | undefined, what: string): number {
  return value === 0 ? 0 : toBytesPerSecond(value, units, what) * 8;
}

/** Limit as a rate: undefined = not given, null = no limit. */
function askedRate(inst: CimInstance, where: string): Rate | null | undefined {
  const limit = readNumber(inst, 'Limit', where);
  if (limit === undefined) return undefined;
  if (limit === 0) return null;
  return { bytesPerSecond: toBytesPerSecond(limit, readString(inst, 'AllocationUnits', where) || undefined, `${where}: Limit`) };
}

/** ReceiveBandwidthLimit is shown, not set: one other than what is shown (NULL: none) is refused. */
function checkReceiveLimit(inst: CimInstance, where: string, shown: number | undefined): void {
  const rx = readNumber(inst, 'ReceiveBandwidthLimit', where);
  if (rx === undefined) return;
  const asked = bits(rx, readString(inst, 'AllocationUnits', where) || undefined, `${where}: ReceiveBandwidthLimit`);
  if (asked === (shown ?? 0)) return;
  throw badParam(`${where}: ReceiveBandwidthLimit cannot be set: Xen limits what an interface sends (Limit); ` +
    `what it receives is bounded by its senders (${shown === undefined ? 'none is known' : `the other end of its link, ${shown} bit/second`})`);
}

/**
 * The change a modified connection asks of the model, or undefined when `id` is not a
 * connection's InstanceID (the caller then treats the setting as a RASD).
 */
export async function connectionChange(deps: ProviderDeps, inst: CimInstance, where: string, id: string): Promise<ConnectionChange | undefined> {
  const parsed = parseEpasdId(id);
  if (!parsed) return undefined;
  const [systems, links] = await Promise.all([allSystems(deps), linkEnds(deps)]);
  const sys = systems.find((x) => x.name === parsed.system);
  const old = sys?.config.nics.find((n) => n.mac === parsed.mac);
  if (!sys || !old) throw cimError('NOT_FOUND', `${where}: no Ethernet connection has InstanceID "${id}"`);

  const rt = readNumber(inst, 'ResourceType', where);
  if (rt !== undefined && rt !== ETHERNET_CONNECTION) throw badParam(`${where}: ResourceType ${rt} is not ${ETHERNET_CONNECTION} (Ethernet Connection)`);
  const parent = readString(inst, 'Parent', where);
  if (parent !== undefined && parent !== rasdId(sys.name, old.mac)) {
    throw badParam(`${where}: Parent cannot change (${rasdId(sys.name, old.mac)} → ${parent}); remove the interface and add a new one`);
  }
  const address = readString(inst, 'Address', where);
  if (address !== undefined && address.toLowerCase() !== old.mac) throw badParam(`${where}: the MAC (Address) cannot change (${old.mac} → ${address})`);
  const onLink = links.of(sys.name, old.mac);
  const reserved = onLink?.reservation ?? 0;
  const units = readString(inst, 'AllocationUnits', where) || undefined;
  for (const p of ['Reservation', 'ReceiveBandwidthReservation']) {
    const asked = readNumber(inst, p, where);
    // In AllocationUnits, as Limit is (toBytesPerSecond of 8 units: the bits in one unit).
    if (asked !== undefined && (asked === 0 ? 0 : asked * toBytesPerSecond(8, units, `${where}: ${p}`)) !== reserved) {
      throw badParam(`${where}: ${p} ${asked}${units ? ` ${units}` : ''} cannot be set on the connection: it is what the link of the interface reserves (${reserved} bit/second); change the link's bandwidth instead`);
    }
  }

  const sw = askedSwitch(inst, where);
  if (sw && sw.name !== old.bridge) {
    const have = (await hostSwitches(deps)).map((s) => s.name).sort((a, b) => a.localeCompare(b));
    if (!have.includes(sw.name)) {
      throw badParam(`${where}: ${sw.property} "${sw.value}" names the virtual switch '${sw.name}', which this host does not have; it has ${have.length > 0 ? have.join(', ') : 'none'}`);
    }
  }
  checkReceiveLimit(inst, where, receiveLimit(systems, links, sys.name, old.mac));
  const rate = askedRate(inst, where);
  const rateChanged = rate !== undefined && (rate?.bytesPerSecond ?? 0) !== (old.rate?.bytesPerSecond ?? 0);
  if (onLink && (rateChanged || (sw && sw.name !== old.bridge))) {
    // Both ends of a link share its switch and its limit: changing one end alone would break the link.
    throw badParam(`${where}: the interface is an end of link '${onLink.link}' of the virtual network '${onLink.network}': ` +
      'change the link (its bandwidth with SetLinkBandwidth), not one of its ends');
  }
  const setting = epasdName(sys.name, old.mac);
  const { mac, ...rest } = old;
  if (sw && sw.name !== old.bridge) {
    const nic = { ...rest, bridge: sw.name };
    if (rate === null) delete nic.rate;
    else if (rate !== undefined) nic.rate = { ...(old.rate ?? {}), ...rate };
    // `base`: the model applies only what changed, onto the interface as it is when the change runs.
    return { change: { system: sys.name, action: 'replace_nic', mac, nic, base: rest }, mac, setting };
  }
  if (rateChanged) {
    return { change: { system: sys.name, action: 'set_nic_rate', mac, rate: rate ? { ...(old.rate ?? {}), ...rate } : null }, mac, setting };
  }
  // Sent back as read: nothing changes (the model recognises the same interface).
  return { change: { system: sys.name, action: 'replace_nic', mac, nic: rest, base: rest }, mac, setting };
}

/** Whether an input setting is an Ethernet connection (by class, or ResourceType 33). */
export function isConnectionSetting(inst: CimInstance): boolean {
  return /EthernetPortAllocationSettingData$/i.test(inst.className) || Number(inst.get('ResourceType')) === ETHERNET_CONNECTION;
}

/**
 * DefineSystem and AddResourceSettings create interfaces, and each interface comes with its
 * connection: a connection given on its own would otherwise be read as one more interface.
 */
export function refuseNewConnection(inst: CimInstance, where: string): void {
  if (!isConnectionSetting(inst)) return;
  throw badParam(`${where}: an Ethernet connection (ResourceType ${ETHERNET_CONNECTION}) comes with its interface: give the switch and Limit ` +
    'in the interface\'s RASD (ResourceType 10: NetworkName, Connection or PoolID), then change the connection with ModifyResourceSettings');
}
