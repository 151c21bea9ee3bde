/**
 * The resource pools as CIM sees them (DSP1041 §7.2), derived from one VirtManager snapshot.
 * Figures are the ADVERTISED ones of virt/capacity.ts (after the virtualization overhead, never
 * the raw physical ones); units are DSP0004 programmatic units.
 *
 * Deviation from VirtManager.pools(): a primordial `NetworkPool/0` (the host's networking as a
 * whole) is always present and each bridge pool is its child, as libvirt-cim does, so that a
 * host whose guests have no interface still has the primordial network pool DSP1041 requires.
 */
import type { Pool, PoolKind, VirtManager, VirtualSystem } from '../../virt/index.js';
import { MEM_DEVID, POOL_CLASS, PROC_DEVID, poolInstanceId } from '../shared/naming.js';
import { RESOURCE_TYPE } from './rasd-convert.js';
import { COUNT_UNITS, MEMORY_UNITS, NETWORK_UNITS, memoryOut } from './rasd-units.js';

/**
 * Pool AllocationUnits per kind (DSP0004 Annex C programmatic units), the RASDs' own units where
 * they allocate from the pool: processors counted whole, memory in KiB (MEMORY_UNITS), disks as devices,
 * network bandwidth (the interfaces' rate limits) in bit/second.
 */
const POOL_UNITS: Record<PoolKind, string> = {
  processor: COUNT_UNITS,
  memory: MEMORY_UNITS,
  disk: COUNT_UNITS,
  network: NETWORK_UNITS,
};

const PRIMORDIAL_NETWORK_POOL = poolInstanceId('network', '0');

export interface PoolModel {
  kind: PoolKind;
  /** InstanceID = PoolID (as libvirt-cim). */
  poolId: string;
  className: string;
  resourceType: number;
  primordial: boolean;
  elementName: string;
  units: string;
  capacity: number | undefined;
  reserved: number;
  /** PoolID of the parent pool (child network pools only). */
  parent?: string;
  /** The bridge a network pool stands for. */
  bridge?: string;
}

/** One allocation of a system's resource from a pool: what its RASD `<system>/<devid>` draws from. */
export interface AllocationModel {
  kind: PoolKind;
  poolId: string;
  system: string;
  /** devid of the defined RASD (naming.rasdId). */
  rasdDevid: string;
}

function splitPoolId(id: string): { kind: PoolKind; name: string } {
  const slash = id.indexOf('/');
  return { kind: id.slice(0, slash) as PoolKind, name: id.slice(slash + 1) };
}

/** Processors: advertised share in percent of one processor, expressed as whole processors. */
function processorFigures(p: Pool): { capacity: number; reserved: number } {
  const capacity = Math.floor((p.capacity ?? 0) / 100);
  return { capacity, reserved: Math.min(capacity, Math.ceil(p.reserved / 100)) };
}

function toPoolModels(pools: Pool[]): PoolModel[] {
  const out: PoolModel[] = [];
  const bridges: PoolModel[] = [];
  for (const p of pools) {
    const { kind, name } = splitPoolId(p.id);
    const base = {
      kind, poolId: poolInstanceId(kind, name), className: POOL_CLASS[kind], resourceType: RESOURCE_TYPE[kind],
      units: POOL_UNITS[kind],
    };
    switch (kind) {
      case 'processor':
        out.push({ ...base, primordial: true, elementName: 'Processors', ...processorFigures(p) });
        break;
      case 'memory':
        out.push({ ...base, primordial: true, elementName: 'Memory', capacity: p.capacity === undefined ? undefined : memoryOut(p.capacity), reserved: memoryOut(p.reserved) });
        break;
      case 'disk':
        out.push({ ...base, primordial: true, elementName: 'Disks', capacity: undefined, reserved: p.reserved });
        break;
      case 'network':
        bridges.push({
          // VirtManager counts bytes per second; the RASDs (and so the pool) bit/second.
          ...base, primordial: false, elementName: `Bridge ${name}`, capacity: undefined, reserved: p.reserved * 8,
          parent: PRIMORDIAL_NETWORK_POOL, bridge: name,
        });
        break;
    }
  }
  const named0 = bridges.find((b) => b.poolId === PRIMORDIAL_NETWORK_POOL);
  if (named0) {
    // A bridge literally named "0" would collide with the primordial pool: it becomes the primordial one.
    named0.primordial = true;
    delete named0.parent;
    for (const b of bridges) if (b !== named0) b.parent = named0.poolId;
  } else {
    out.push({
      kind: 'network', poolId: PRIMORDIAL_NETWORK_POOL, className: POOL_CLASS.network, resourceType: RESOURCE_TYPE.network,
      units: POOL_UNITS.network, primordial: true, elementName: 'Virtual networks', capacity: undefined,
      reserved: bridges.reduce((t, b) => t + b.reserved, 0),
    });
  }
  return [...out, ...bridges];
}

export async function poolModels(virt: VirtManager): Promise<PoolModel[]> {
  return toPoolModels(await virt.pools());
}

/**
 * What every system draws from which pool (DSP1041 §7.3/7.4): its processors and memory from
 * the single processor and memory pools, each disk from the disk pool, each interface from the
 * pool of its bridge. The logical devices that represent an allocation while a domain exists
 * draw from the pool of their RASD.
 */
export function allocations(systems: VirtualSystem[], pools: PoolModel[]): AllocationModel[] {
  // Looked up once: a host with a switch (and so a pool) per link has thousands of pools.
  const primordial = new Map<PoolKind, string>();
  const byBridge = new Map<string, string>();
  for (const p of pools) {
    if (p.primordial && !primordial.has(p.kind)) primordial.set(p.kind, p.poolId);
    if (p.kind === 'network' && p.bridge !== undefined && !byBridge.has(p.bridge)) byBridge.set(p.bridge, p.poolId);
  }
  const first = (kind: PoolKind) => primordial.get(kind) ?? poolInstanceId(kind, '0');
  const bridgePool = (bridge: string) => byBridge.get(bridge) ?? poolInstanceId('network', bridge);
  const out: AllocationModel[] = [];
  for (const s of systems) {
    const add = (kind: PoolKind, poolId: string, rasdDevid: string) => out.push({ kind, poolId, system: s.name, rasdDevid });
    add('processor', first('processor'), PROC_DEVID);
    add('memory', first('memory'), MEM_DEVID);
    for (const d of s.config.disks) add('disk', first('disk'), d.vdev);
    for (const nic of s.config.nics) add('network', bridgePool(nic.bridge), nic.mac);
  }
  return out;
}
