/**
 * Xen_EthernetPortAllocationSettingData (DSP1050 §7): for each interface of each system, what it
 * is connected to and with which bandwidth. ResourceType 33 (Ethernet Connection); Parent = the
 * interface's RASD; HostResource = the virtual switch (a WBEM URI, DSP0207) and PoolID its
 * network pool; Limit and ReceiveBandwidthLimit = the interface's rate in bit/second (Xen applies
 * one rate to the interface); Reservation = what the link the interface belongs to reserves, 0
 * when it belongs to none.
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
import { allSystems, findSystem } from '../shared/systems.js';
import { EPASD_CLASS, ETHERNET_CONNECTION, epasdId, parseEpasdId } from './names.js';
import { type Reservations, reservations } from './reservations.js';

export type Nic = NicSpec & { mac: string };

export function epasdValues(sys: VirtualSystem, nic: Nic, reserved: Reservations): Values {
  const limit = nic.rate ? nic.rate.bytesPerSecond * 8 : undefined;
  const reservation = reserved.of(sys.name, nic.mac);
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
    Limit: limit,
    ReceiveBandwidthLimit: limit,
    Reservation: reservation,
    ReceiveBandwidthReservation: reservation,
  };
}

/** Every connection of the systems, in the systems' interface order. */
export function connections(systems: readonly VirtualSystem[]): { sys: VirtualSystem; nic: Nic }[] {
  return systems.flatMap((sys) => sys.config.nics.map((nic) => ({ sys, nic })));
}

export function epasdSource(deps: ProviderDeps): ClassSource {
  const built = (ctx: ProviderContext, list: { sys: VirtualSystem; nic: Nic }[], r: Reservations): CimInstance[] =>
    list.map((c) => build(ctx, EPASD_CLASS, epasdValues(c.sys, c.nic, r)));
  return {
    list: async (ctx) => {
      const [systems, r] = await Promise.all([allSystems(deps), reservations(deps)]);
      return built(ctx, connections(systems), r);
    },
    async get(ctx, name) {
      const parsed = parseEpasdId(name.keyString('InstanceID'));
      const sys = parsed ? await findSystem(deps, parsed.system) : undefined;
      const nic = sys?.config.nics.find((n) => n.mac === parsed!.mac);
      return sys && nic ? built(ctx, [{ sys, nic }], await reservations(deps))[0] : undefined;
    },
  };
}
