/**
 * The virtual switches as DSP1097 shows them, from one read of the host: each switch with its
 * ports (the interfaces of systems whose domain exists, plugged into it) and the network pool
 * of its name (DSP1041's per-switch pool, which its connections are allocated from).
 */
import type { VirtualSwitch, VirtualSystem } from '../../virt/index.js';
import { type PoolModel, poolModels } from '../dsp1041-resource-allocation/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { toCimError } from '../shared/errors.js';
import { allSystems } from '../shared/systems.js';

export interface SwitchPort {
  system: VirtualSystem;
  mac: string;
  /** The interface's rate limit in bit/second, when it has one. */
  bitsPerSecond?: number;
}

export interface SwitchView {
  sw: VirtualSwitch;
  ports: SwitchPort[];
  pool?: PoolModel;
}

export async function hostSwitches(deps: Pick<ProviderDeps, 'virt'>): Promise<VirtualSwitch[]> {
  try {
    return await deps.virt.switches();
  } catch (e) {
    throw toCimError(e, 'listing virtual switches');
  }
}

/** Every switch (or only `only`) with its ports and pool. */
export async function switchViews(deps: Pick<ProviderDeps, 'virt'>, only?: string): Promise<SwitchView[]> {
  const [switches, systems, pools] = await Promise.all([hostSwitches(deps), allSystems(deps), poolModels(deps.virt)]);
  // Ports and pools by switch, from one pass each: a pass per switch made a host with a switch
  // per network link (hundreds) and as many systems quadratic.
  const ports = new Map<string, SwitchPort[]>();
  for (const s of systems) {
    if (!s.live) continue;
    for (const n of s.config.nics) {
      if (only !== undefined && n.bridge !== only) continue;
      const port: SwitchPort = { system: s, mac: n.mac, ...(n.rate ? { bitsPerSecond: n.rate.bytesPerSecond * 8 } : {}) };
      const list = ports.get(n.bridge);
      if (list) list.push(port);
      else ports.set(n.bridge, [port]);
    }
  }
  const poolOf = new Map<string, PoolModel>();
  for (const p of pools) if (p.kind === 'network' && p.bridge !== undefined && !poolOf.has(p.bridge)) poolOf.set(p.bridge, p);
  return switches.filter((sw) => only === undefined || sw.name === only).map((sw) => ({
    sw,
    ports: ports.get(sw.name) ?? [],
    pool: poolOf.get(sw.name),
  }));
}
