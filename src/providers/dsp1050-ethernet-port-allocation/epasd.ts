/**
 * Xen_EthernetPortAllocationSettingData (DSP1050): for each interface of each system, what it
 * is connected to and with which bandwidth. ResourceType 33 (Ethernet Connection); Parent = the
 * interface's RASD; HostResource = the virtual switch (a WBEM URI, DSP0207) and PoolID its
 * network pool. Xen's vif rate limits what the interface sends: that is Limit, in bit/second.
 * What it receives is bounded only where one sender is known, the other end of its link:
 * ReceiveBandwidthLimit is that end's rate, NULL elsewhere. Reservation (and the receive one) =
 * what the link reserves, 0 for an interface on no link.
 */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { NicSpec, VirtualSystem } from '../../virt/index.js';
import { NETWORK_UNITS } from '../dsp1041-resource-allocation/index.js';
import { switchUri } from '../dsp1097-virtual-ethernet-switch/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { poolInstanceId, rasdId } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { SYSTEMS_PER_BATCH, allSystems } from '../shared/systems.js';
import { type LinkEnds, linkEnds } from './links.js';
import { EPASD_CLASS, ETHERNET_CONNECTION, epasdId, parseEpasdId } from './names.js';

export type Nic = NicSpec & { mac: string };

/** An interface's rate in bit/second, undefined when unlimited. */
export function rateBits(nic: Nic | undefined): number | undefined {
  return nic?.rate ? nic.rate.bytesPerSecond * 8 : undefined;
}

/** The systems of one read by name, made once per read: a walk per connection made a listing quadratic. */
const byName = new WeakMap<readonly VirtualSystem[], Map<string, VirtualSystem>>();

function systemNamed(systems: readonly VirtualSystem[], name: string): VirtualSystem | undefined {
  let index = byName.get(systems);
  if (!index) {
    index = new Map();
    for (const s of systems) if (!index.has(s.name)) index.set(s.name, s);
    byName.set(systems, index);
  }
  return index.get(name);
}

/** What bounds what the interface receives: the rate of the other end of its link. */
export function receiveLimit(systems: readonly VirtualSystem[], links: LinkEnds, system: string, mac: string): number | undefined {
  const end = links.of(system, mac);
  if (!end) return undefined;
  return rateBits(systemNamed(systems, end.peer.system)?.config.nics.find((n) => n.mac === end.peer.mac));
}

function epasdValues(systems: readonly VirtualSystem[], sys: VirtualSystem, nic: Nic, links: LinkEnds): Values {
  const reservation = links.of(sys.name, nic.mac)?.reservation ?? 0;
  return {
    InstanceID: epasdId(sys.name, nic.mac),
    ElementName: `${nic.mac} on ${nic.bridge}`,
    ResourceType: ETHERNET_CONNECTION,
    Parent: rasdId(sys.name, nic.mac),
    HostResource: [switchUri(nic.bridge)],
    Connection: [nic.bridge],
    PoolID: poolInstanceId('network', nic.bridge),
    Address: nic.mac,
    ConsumerVisibility: 3,
    AutomaticAllocation: true,
    AutomaticDeallocation: true,
    AllocationUnits: NETWORK_UNITS,
    Limit: rateBits(nic),
    ReceiveBandwidthLimit: receiveLimit(systems, links, sys.name, nic.mac),
    Reservation: reservation,
    ReceiveBandwidthReservation: reservation,
  };
}

/** Every connection of the systems, in the systems' interface order. */
export function connections(systems: readonly VirtualSystem[]): { sys: VirtualSystem; nic: Nic }[] {
  return systems.flatMap((sys) => sys.config.nics.map((nic) => ({ sys, nic })));
}

export function epasdSource(deps: ProviderDeps): ClassSource {
  // One snapshot of every system: a link's other end may be another system.
  const read = () => Promise.all([allSystems(deps), linkEnds(deps)]);
  const built = (ctx: ProviderContext, systems: VirtualSystem[], list: { sys: VirtualSystem; nic: Nic }[], links: LinkEnds): CimInstance[] =>
    list.map((c) => build(ctx, EPASD_CLASS, epasdValues(systems, c.sys, c.nic, links)));
  return {
    list: async (ctx) => {
      const [systems, links] = await read();
      return built(ctx, systems, connections(systems), links);
    },
    async *stream(ctx) {
      const [systems, links] = await read();
      for (let i = 0; i < systems.length; i += SYSTEMS_PER_BATCH) yield built(ctx, systems, connections(systems.slice(i, i + SYSTEMS_PER_BATCH)), links);
    },
    async get(ctx, name) {
      const parsed = parseEpasdId(name.keyString('InstanceID'));
      if (!parsed) return undefined;
      const [systems, links] = await read();
      const sys = systems.find((s) => s.name === parsed.system);
      const nic = sys?.config.nics.find((n) => n.mac === parsed.mac);
      return sys && nic ? built(ctx, systems, [{ sys, nic }], links)[0] : undefined;
    },
  };
}
