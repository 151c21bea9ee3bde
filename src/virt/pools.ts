/** Resource pools as the model shows them: what each pool can give, what is reserved from it, and by whom. */
import type { Capacity } from './capacity.js';
import { isActive } from './states.js';
import type { VirtualSwitch, VirtualSystem } from './types.js';

export type PoolKind = 'processor' | 'memory' | 'disk' | 'network';

export interface PoolAllocation {
  system: string;
  /** Device within the system (vdev, MAC) when the pool hands out devices. */
  device?: string;
  amount: number;
}

export interface Pool {
  id: string;
  kind: PoolKind;
  name: string;
  units: string;
  /** Undefined when the pool has no meaningful upper bound (disks, switches). */
  capacity?: number;
  reserved: number;
  available?: number;
  allocations: PoolAllocation[];
}

/** The pools of one picture: `cap` is that picture's capacity (admission's, pending reservations included). */
export function poolsOf(systems: readonly VirtualSystem[], cap: Capacity, switches: readonly VirtualSwitch[]): Pool[] {
  const active = systems.filter((s) => isActive(s.state));
  const disks = systems.flatMap((s) => s.config.disks.map((d) => ({ system: s.name, device: d.vdev, amount: 1 })));
  const pools: Pool[] = [
    {
      id: 'processor/0', kind: 'processor', name: 'processors', units: 'percent of one processor',
      capacity: cap.processor.capacityPercent, reserved: cap.processor.reservedPercent, available: cap.processor.availablePercent,
      allocations: active.map((s) => ({ system: s.name, amount: s.config.cpuReservationPercent })),
    },
    {
      id: 'memory/0', kind: 'memory', name: 'memory', units: 'MiB',
      capacity: cap.memory.capacityMiB, reserved: cap.memory.reservedMiB, available: cap.memory.availableMiB,
      allocations: active.map((s) => ({ system: s.name, amount: Math.max(s.config.memoryReservationMiB, s.live?.memoryMiB ?? s.config.memoryMiB) })),
    },
    { id: 'disk/0', kind: 'disk', name: 'disks', units: 'devices', reserved: disks.length, allocations: disks },
  ];
  // One pool per switch the host has, used or not; a NIC on a switch that has gone since (removed
  // behind our back) still shows in the pool of that name, so what it holds stays visible.
  const bridges = new Map<string, PoolAllocation[]>(switches.map((sw) => [sw.name, []]));
  for (const s of systems) {
    for (const n of s.config.nics) {
      const list = bridges.get(n.bridge) ?? [];
      list.push({ system: s.name, device: n.mac, amount: n.rate?.bytesPerSecond ?? 0 });
      bridges.set(n.bridge, list);
    }
  }
  for (const [bridge, allocations] of [...bridges].sort(([a], [b]) => a.localeCompare(b))) {
    pools.push({
      id: `network/${bridge}`, kind: 'network', name: bridge, units: 'bytes per second',
      reserved: allocations.reduce((t, a) => t + a.amount, 0), allocations,
    });
  }
  return pools;
}
