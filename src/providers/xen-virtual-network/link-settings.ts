/**
 * A link as a client gives it: an embedded Xen_VirtualLink (DefineNetwork Links[], AddLink
 * LinkSettings) with Name, the two EndpointSystems, optionally their EndpointAddresses (MACs of
 * existing interfaces; empty: one is added), SwitchName, Limit and Reservation in bit/s (0 or
 * NULL: none).
 */
import { type CimInstance, type CimValue, sameName } from '../../cim/index.js';
import type { LinkEnd, LinkSpec } from '../../virt/index.js';
import { badParam } from '../shared/errors.js';
import { readNumber, readString } from '../shared/params.js';
import { LINK_CLASS } from './names.js';

/** An indexed string array, NULL entries kept in place (the readers of params.ts drop them). */
function indexed(inst: CimInstance, name: string, where: string): (string | undefined)[] {
  const v: CimValue | undefined = inst.get(name);
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((e, i) => {
    if (e === null || e === undefined || e === '') return undefined;
    if (typeof e === 'string') return e;
    throw badParam(`${where}: ${name}[${i}] must be a string`);
  });
}

function bitsPerSecond(inst: CimInstance, name: string, where: string): number | undefined {
  const n = readNumber(inst, name, where);
  if (n !== undefined && n < 0) throw badParam(`${where}: ${name} ${n} must not be negative`);
  return n === 0 ? undefined : n;
}

export function parseLink(inst: CimInstance, where: string): LinkSpec {
  if (!sameName(inst.className, LINK_CLASS)) throw badParam(`${where} must be an embedded ${LINK_CLASS}, got ${inst.className}`);
  const name = readString(inst, 'Name', where) ?? readString(inst, 'ElementName', where);
  if (!name) throw badParam(`${where} needs Name: the link's name in its network`);
  const at = `${where} '${name}'`;
  const systems = indexed(inst, 'EndpointSystems', at);
  if (systems.length !== 2 || systems.some((s) => s === undefined)) {
    throw badParam(`${at}: EndpointSystems must name the two routers the link joins, got ${systems.length === 0 ? 'none' : JSON.stringify(systems)}`);
  }
  const macs = indexed(inst, 'EndpointAddresses', at);
  if (macs.length > 2) throw badParam(`${at}: EndpointAddresses has ${macs.length} entries; a link has two ends`);
  const ends = systems.map((system, i): LinkEnd => (macs[i] ? { system: system!, mac: macs[i]! } : { system: system! })) as [LinkEnd, LinkEnd];
  const spec: LinkSpec = { name, ends };
  const sw = readString(inst, 'SwitchName', at);
  if (sw) spec.switch = sw;
  const limit = bitsPerSecond(inst, 'Limit', at);
  const reservation = bitsPerSecond(inst, 'Reservation', at);
  if (limit !== undefined) spec.limitBitsPerSecond = limit;
  if (reservation !== undefined) spec.reservationBitsPerSecond = reservation;
  if (limit !== undefined && reservation !== undefined && reservation > limit) {
    throw badParam(`${at}: Reservation ${reservation} bit/s exceeds Limit ${limit} bit/s`);
  }
  return spec;
}
