/**
 * DefineNetwork: a network of routers (existing systems by reference, new ones by embedded
 * settings), shared switches and links with bandwidth, all or nothing. Everything a client can
 * get wrong is checked before anything changes, naming the parameter and element at fault; the
 * new routers are then defined, and the network after them: if the model refuses the network
 * (a router in another network, a reservation the uplink cannot carry...), the routers just
 * defined are destroyed again (and a shared switch made for their interfaces), so a refused call
 * leaves the host as it was. Before the first router is made the network's name is reserved with
 * the routers and switches it will make (NetworkManager.reserve): a crash midway removes them at
 * the next start.
 */
import { randomUUID } from 'node:crypto';
import { CimError, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import { NETWORK_PRIORITY_LIMIT, type NetworkMemberSpec, type NetworkSpec, checkNetworkName, checkSwitchName } from '../../virt/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { systemOfCsName } from '../shared/naming.js';
import { readInstances, readRefs, readString, readStrings } from '../shared/params.js';
import { findSystem } from '../shared/systems.js';
import { parseLink } from './link-settings.js';
import { findNetwork, networkModel } from './model.js';
import { networkName } from './names.js';
import { routerSpecs } from './router-settings.js';

/** An indexed sint32 array: entry i for element i of the array it goes with; NULL entries default. */
function priorities(params: NameMap<CimValue>, name: string, count: number, of: string): (number | undefined)[] {
  const v = params.get(name);
  const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
  if (list.length > count) throw badParam(`${name} has ${list.length} entries but ${of} has ${count}: one priority per router`);
  return list.map((e, i) => {
    if (e === null || e === undefined) return undefined;
    if (typeof e === 'number' && Number.isInteger(e) && Math.abs(e) <= NETWORK_PRIORITY_LIMIT) return e;
    throw badParam(`${name}[${i}] must be a whole number from -${NETWORK_PRIORITY_LIMIT} to ${NETWORK_PRIORITY_LIMIT}`);
  });
}

/** A model check run early, its refusal a CimError naming the parameter. */
function checked(check: () => void, where: string): void {
  try {
    check();
  } catch (e) {
    throw toCimError(e, where);
  }
}

function member(system: string, priority: number | undefined): NetworkMemberSpec {
  return priority === undefined ? { system } : { system, priority };
}

export async function defineNetwork(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const name = readString(params, 'NetworkName');
  if (!name) throw badParam('NetworkName (the name of the new network) is required');
  // What the model would refuse without looking at the host is refused here, before a router is defined.
  checked(() => checkNetworkName(name, 'network'), 'NetworkName');
  if (await findNetwork(deps, name)) throw badParam(`NetworkName: a virtual network named '${name}' already exists`);
  const refs = readRefs(params, 'Routers');
  const refPriorities = priorities(params, 'RouterPriorities', refs.length, 'Routers');
  const settings = readInstances(params, 'RouterSettings');
  const settingsPriorities = priorities(params, 'RouterSettingsPriorities', settings.length, 'RouterSettings');
  const switches = readStrings(params, 'Switches');
  switches.forEach((sw, i) => checked(() => checkSwitchName(sw, 'switch'), `Switches[${i}]`));
  const links = readInstances(params, 'Links').map((l, i) => parseLink(l, `Links[${i}]`));
  links.forEach((l, i) => checked(() => {
    checkNetworkName(l.name, 'link');
    if (l.switch !== undefined) checkSwitchName(l.switch, 'SwitchName');
  }, `Links[${i}]`));

  const members: NetworkMemberSpec[] = [];
  const where = new Map<string, string>();
  for (const [i, ref] of refs.entries()) {
    const system = systemOfCsName(ref);
    const sys = system === undefined ? undefined : await findSystem(deps, system);
    if (!sys) throw cimError('NOT_FOUND', `Routers[${i}]: ${ref.toString()} does not exist`);
    if (where.has(sys.name)) throw badParam(`Routers[${i}]: '${sys.name}' is already ${where.get(sys.name)}`);
    const other = networkModel(deps).networkOf(sys.name);
    if (other !== undefined) throw badParam(`Routers[${i}]: '${sys.name}' already belongs to the network '${other}'`);
    where.set(sys.name, `Routers[${i}]`);
    members.push(member(sys.name, refPriorities[i]));
  }
  const specs = await routerSpecs(deps, settings, readInstances(params, 'RouterResourceSettings'));
  for (const [i, spec] of specs.entries()) {
    if (where.has(spec.name)) throw badParam(`RouterSettings[${i}]: '${spec.name}' is already ${where.get(spec.name)}`);
    if (await findSystem(deps, spec.name)) throw badParam(`RouterSettings[${i}]: a virtual system named '${spec.name}' already exists (give it in Routers to use it)`);
    where.set(spec.name, `RouterSettings[${i}]`);
    members.push(member(spec.name, settingsPriorities[i]));
  }
  // A new router's interface goes on a switch the host has or one this network creates.
  const known = new Set([...(await deps.virt.switches()).map((sw) => sw.name), ...switches]);
  for (const [i, spec] of specs.entries()) {
    const nic = (spec.nics ?? []).find((n) => !known.has(n.bridge));
    if (nic) throw badParam(`RouterSettings[${i}] '${spec.name}': an interface is on switch '${nic.bridge}', which neither the host nor Switches has`);
  }
  const linkNames = new Set<string>();
  for (const [i, l] of links.entries()) {
    if (linkNames.has(l.name)) throw badParam(`Links[${i}]: link '${l.name}' is given twice`);
    linkNames.add(l.name);
    for (const end of l.ends) {
      if (!where.has(end.system)) throw badParam(`Links[${i}] '${l.name}': end '${end.system}' is not a router of the network (neither in Routers nor in RouterSettings)`);
    }
    if (l.ends[0].system === l.ends[1].system) throw badParam(`Links[${i}] '${l.name}': both ends are '${l.ends[0].system}'; a link joins two routers`);
  }

  const spec: NetworkSpec = { name, members, switches, links };
  // A new router's interface on a shared switch the host lacks needs the switch first (the
  // model refuses an interface on a bridge that does not exist); the network then finds it.
  const have = new Set((await deps.virt.switches()).map((sw) => sw.name));
  const toMake = switches.filter((x) => !have.has(x) && specs.some((r) => r.nics?.some((n) => n.bridge === x)));
  // New routers get their UUID here, so the name's reservation can name them before they exist:
  // a crash before the network is stored removes exactly them at the next start.
  for (const s of specs) s.uuid ??= randomUUID();
  const reserved = specs.length > 0 || toMake.length > 0;
  if (reserved) {
    try {
      await networkModel(deps).reserve(name, specs.map((s) => ({ name: s.name, uuid: s.uuid! })), toMake);
    } catch (e) {
      throw toCimError(e, `DefineNetwork '${name}'`);
    }
  }
  const defined: string[] = [];
  const made: string[] = [];
  try {
    for (const sw of toMake) {
      await deps.virt.defineSwitch(sw);
      made.push(sw);
    }
    for (const s of specs) {
      await deps.virt.defineSystem(s);
      defined.push(s.name);
    }
    const net = await networkModel(deps).define({ ...spec, ...(made.length ? { madeForIt: made } : {}), ...(reserved ? { reserved } : {}) });
    deps.log(`DefineNetwork: defined '${net.name}' (${net.members.length} routers${defined.length ? `, ${defined.length} new` : ''}, ${net.switches.length} switches, ${net.links.length} links)`);
    return { returnValue: 0, out: { ResultingNetwork: networkName(net.name) } };
  } catch (e) {
    // What could not be undone is named in the error too: the client must not believe nothing is left.
    const left: string[] = [];
    const undo = async (what: string, step: () => Promise<unknown>): Promise<void> => {
      await Promise.resolve().then(step).catch((u: unknown) => {
        const why = u instanceof Error ? u.message : String(u);
        deps.log(`DefineNetwork '${name}': undoing ${what} failed: ${why}`);
        left.push(`the new ${what} is still defined: removing it failed: ${why}`);
      });
    };
    for (const s of defined.reverse()) await undo(`router '${s}'`, () => deps.virt.deleteSystem(s));
    for (const sw of made.reverse()) await undo(`switch '${sw}'`, () => deps.virt.destroySwitch(sw));
    // Undone, or what is left is named in the error: the reservation goes either way (kept, it
    // would hold the name until the next start, which would then delete what the error names).
    if (reserved) await networkModel(deps).release(name).catch((u: unknown) => deps.log(`DefineNetwork '${name}': releasing the name failed: ${String(u)}`));
    const err = toCimError(e, `DefineNetwork '${name}'`);
    throw left.length === 0 ? err : new CimError(err.code, `${err.description}; ${left.join('; ')}`);
  }
}
