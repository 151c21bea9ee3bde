/**
 * A virtual network's state as CIM shows it, with the codes of DSP1057 §7.1 for a virtual
 * system so a client reads a network as it reads its routers: launched 2 Enabled, parked paused
 * 9 Quiesce, parked saved 6 Enabled but Offline, stopped 3 Disabled. Members in different
 * states are 1 Other ("mixed", counted); a network without members is 5 Not Applicable.
 * HealthState is the whole network's: 20 Major Failure as soon as one router is lost (crashed
 * or gone from the hypervisor: the topology no longer works as defined), 5 OK otherwise.
 */
import type { SystemState, VirtualSystem } from '../../virt/index.js';
import type { NetworkState, NetworkTarget, VirtualNetwork } from '../../virt/index.js';

/** RequestStateChange codes ⇄ whole-network targets (the CIM_EnabledLogicalElement ValueMap). */
export const TARGET_OF_CODE: ReadonlyMap<number, NetworkTarget> = new Map<number, NetworkTarget>([
  [2, 'running'], [3, 'stopped'], [6, 'suspended'], [9, 'paused'],
]);

const CODE_OF_TARGET = new Map<NetworkTarget, number>([...TARGET_OF_CODE].map(([c, t]) => [t, c]));

export const NETWORK_STATES_SUPPORTED: readonly number[] = [...TARGET_OF_CODE.keys()].sort((a, b) => a - b);

/** In the RequestedState ValueMap but not a whole-network state: 1 Not Supported rather than 5. */
export function isKnownButUnsupported(code: number): boolean {
  return [4, 7, 8, 10, 11].includes(code) || (code >= 32768 && code <= 65535);
}

const ENABLED: Readonly<Record<NetworkState, number>> = { running: 2, paused: 9, suspended: 6, stopped: 3, mixed: 1, empty: 5 };
/** OperationalStatus as a virtual system in the same state shows it (2 OK, 15 Dormant, 10 Stopped). */
const OPERATIONAL: Readonly<Record<NetworkState, number[]>> = {
  running: [2], paused: [2, 15], suspended: [10], stopped: [15], mixed: [2], empty: [2],
};

function lost(s: VirtualSystem): boolean {
  return s.state === 'crashed' || s.vanished === true;
}

const TRANSITIONAL: ReadonlySet<SystemState> = new Set<SystemState>(['starting', 'stopping', 'shutting_down', 'rebooting', 'suspending', 'resuming']);

export interface NetworkStateView {
  EnabledState: number;
  OtherEnabledState: string | undefined;
  RequestedState: number;
  TransitioningToState: number;
  AvailableRequestedStates: number[];
  OperationalStatus: number[];
  HealthState: number;
}

export function networkStateView(net: VirtualNetwork, systems: ReadonlyMap<string, VirtualSystem>): NetworkStateView {
  const members = net.members.map((m) => systems.get(m.system)).filter((s): s is VirtualSystem => s !== undefined);
  const lostCount = members.filter(lost).length;
  const counts = new Map<string, number>();
  for (const s of members) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const requested = net.requested === undefined ? 12 : CODE_OF_TARGET.get(net.requested)!;
  const moving = members.some((s) => TRANSITIONAL.has(s.state)) && net.requested !== undefined && net.requested !== net.state;
  return {
    EnabledState: ENABLED[net.state],
    OtherEnabledState: net.state === 'mixed' ? `mixed: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}` : undefined,
    RequestedState: requested,
    TransitioningToState: moving ? requested : 12,
    AvailableRequestedStates: NETWORK_STATES_SUPPORTED.filter((c) => net.state === 'mixed' || TARGET_OF_CODE.get(c) !== net.state),
    OperationalStatus: lostCount > 0 ? (lostCount === members.length ? [6] : [3]) : OPERATIONAL[net.state],
    HealthState: lostCount > 0 ? 20 : 5,
  };
}
