/**
 * Xen_VirtualNetwork (one per network; Name = the network name) and Xen_VirtualLink (one per
 * link; InstanceID `<network>/<link>`), both from one read of the networks and the systems.
 * A link is Enabled (2) while its switch is up and both routers run, Quiesce (9) while both have
 * a domain and one is paused, Disabled (3) otherwise: the state of the wire between them.
 */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import type { Link, NetworkSnapshot, VirtualNetwork } from '../../virt/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import type { ClassSource } from '../shared/provider.js';
import { allSystems } from '../shared/systems.js';
import { hostSwitches } from '../dsp1097-virtual-ethernet-switch/index.js';
import { allNetworks, findNetwork, networkModel } from './model.js';
import { networkStateView } from './network-state.js';
import { LINK_CLASS, NETWORK_CLASS, linkId, linkOfName, networkOfName } from './names.js';

type SystemMap = ReadonlyMap<string, VirtualSystem>;

async function systemMap(deps: ProviderDeps): Promise<SystemMap> {
  return new Map((await allSystems(deps)).map((s) => [s.name, s]));
}

/** What reservations are admitted against (net of overhead), once per request; undefined when the model cannot say. */
async function uplinkOf(deps: ProviderDeps): Promise<number | undefined> {
  try {
    return (await networkModel(deps).uplink()).uplinkBitsPerSecond;
  } catch {
    return undefined;
  }
}

function networkValues(net: VirtualNetwork, systems: SystemMap, uplink: number | undefined): Values {
  const reserved = net.links.reduce((sum, l) => sum + (l.reservationBitsPerSecond ?? 0), 0);
  return {
    CreationClassName: NETWORK_CLASS,
    Name: net.name,
    ElementName: net.name,
    Caption: 'Virtual Network',
    Description: `Virtual network of ${net.members.length} system(s), ${net.links.length} link(s)`,
    ...networkStateView(net, systems),
    EnabledDefault: 2,
    ReservableBandwidth: uplink,
    ReservedBandwidth: reserved,
  };
}

function linkState(l: Link, systems: SystemMap, down: ReadonlySet<string>): number {
  // A switch that is down carries nothing, whatever its routers do (the drawing shows the link down too).
  if (down.has(l.switch)) return 3;
  const ends = l.ends.map((e) => systems.get(e.system));
  if (ends.every((s) => s?.state === 'running')) return 2;
  if (ends.every((s) => s?.live !== undefined)) return 9;
  return 3;
}

function linkValues(network: string, l: Link, systems: SystemMap, down: ReadonlySet<string>): Values {
  return {
    InstanceID: linkId(network, l.name),
    Name: l.name,
    ElementName: l.name,
    Caption: 'Virtual Link',
    // 2 Bi-Directional; 2 No Lower-Level Composition: one bridge joins the two interfaces.
    Directionality: 2,
    AggregationBehavior: 2,
    EndpointSystems: l.ends.map((e) => e.system),
    EndpointAddresses: l.ends.map((e) => e.mac),
    SwitchName: l.switch,
    Limit: l.limitBitsPerSecond,
    Reservation: l.reservationBitsPerSecond,
    EnabledState: linkState(l, systems, down),
    RequestedState: 12,
    HealthState: 5,
    OperationalStatus: [2],
  };
}

export function networkInstance(ctx: Pick<ProviderContext, 'repository' | 'namespace'>, net: VirtualNetwork, systems: SystemMap, uplink: number | undefined): CimInstance {
  return build(ctx, NETWORK_CLASS, networkValues(net, systems, uplink));
}

/** A network as a lifecycle indication shows it: from the snapshot its change event carries. */
export function networkEventInstance(ctx: Pick<ProviderContext, 'repository' | 'namespace'>, snap: NetworkSnapshot): CimInstance {
  return networkInstance(ctx, snap.network, new Map(snap.systems.map((s) => [s.name, s])), snap.uplinkBitsPerSecond);
}

export function networkSource(deps: ProviderDeps): ClassSource {
  return {
    async list(ctx) {
      const [nets, systems, uplink] = await Promise.all([allNetworks(deps), systemMap(deps), uplinkOf(deps)]);
      return nets.map((n) => networkInstance(ctx, n, systems, uplink));
    },
    async get(ctx, name) {
      const network = networkOfName(name);
      const net = network === undefined ? undefined : await findNetwork(deps, network);
      return net ? networkInstance(ctx, net, await systemMap(deps), await uplinkOf(deps)) : undefined;
    },
  };
}

/** The host's switches that are down. */
async function downSwitches(deps: ProviderDeps): Promise<Set<string>> {
  return new Set((await hostSwitches(deps)).filter((sw) => !sw.up).map((sw) => sw.name));
}

export function linkSource(deps: ProviderDeps): ClassSource {
  return {
    async list(ctx) {
      const [nets, systems, down] = await Promise.all([allNetworks(deps), systemMap(deps), downSwitches(deps)]);
      return nets.flatMap((n) => n.links.map((l) => build(ctx, LINK_CLASS, linkValues(n.name, l, systems, down))));
    },
    async get(ctx, name) {
      const parsed = linkOfName(name);
      const net = parsed ? await findNetwork(deps, parsed.network) : undefined;
      const link = net?.links.find((l) => l.name === parsed!.link);
      if (!net || !link) return undefined;
      const [systems, down] = await Promise.all([systemMap(deps), downSwitches(deps)]);
      return build(ctx, LINK_CLASS, linkValues(net.name, link, systems, down));
    },
  };
}
