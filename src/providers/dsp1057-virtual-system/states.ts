/**
 * Virtual system states as CIM sees them (DSP1057 §7.1, §8.1):
 * EnabledState / OperationalStatus / HealthState / TransitioningToState from the virt state,
 * RequestStateChange codes ⇄ virt target states.
 */
import { CimDateTime } from '../../cim/index.js';
import { type Operation, type SystemState, type TargetState, operationFor } from '../../virt/index.js';

const ENABLED = {
  unknown: 0, enabled: 2, disabled: 3, shuttingDown: 4, notApplicable: 5, offline: 6, quiesce: 9, starting: 10,
} as const;

/** RequestedState / RequestStateChange codes (CIM_EnabledLogicalElement). */
const REQUESTED = {
  enabled: 2, disabled: 3, shutDown: 4, noChange: 5, offline: 6, test: 7, defer: 8, quiesce: 9, reboot: 10, reset: 11, notApplicable: 12,
} as const;

const OP = { ok: 2, error: 6, starting: 8, stopping: 9, stopped: 10, dormant: 15, relocating: 19 } as const;
const HEALTH = { ok: 5, major: 20 } as const;

interface StateView {
  enabled: number;
  operational: number[];
  health: number;
  /** TransitioningToState (RequestedState codes); 12 when not in transition. */
  transitioningTo: number;
}

/**
 * DSP1057 state model: Defined → 3, Active → 2, Paused → 9 Quiesce, Suspended (saved
 * to disk) → 6 Enabled but Offline; transitions show 10 Starting / 4 Shutting Down. A crashed
 * domain is off as far as the guest is concerned (3) but in error (as libvirt-cim shows it).
 */
const STATE_VIEW: Readonly<Record<SystemState, StateView>> = {
  defined: { enabled: ENABLED.disabled, operational: [OP.dormant], health: HEALTH.ok, transitioningTo: REQUESTED.notApplicable },
  running: { enabled: ENABLED.enabled, operational: [OP.ok], health: HEALTH.ok, transitioningTo: REQUESTED.notApplicable },
  paused: { enabled: ENABLED.quiesce, operational: [OP.ok, OP.dormant], health: HEALTH.ok, transitioningTo: REQUESTED.notApplicable },
  suspended: { enabled: ENABLED.offline, operational: [OP.stopped], health: HEALTH.ok, transitioningTo: REQUESTED.notApplicable },
  crashed: { enabled: ENABLED.disabled, operational: [OP.error], health: HEALTH.major, transitioningTo: REQUESTED.notApplicable },
  starting: { enabled: ENABLED.starting, operational: [OP.starting], health: HEALTH.ok, transitioningTo: REQUESTED.enabled },
  stopping: { enabled: ENABLED.shuttingDown, operational: [OP.stopping], health: HEALTH.ok, transitioningTo: REQUESTED.disabled },
  shutting_down: { enabled: ENABLED.shuttingDown, operational: [OP.stopping], health: HEALTH.ok, transitioningTo: REQUESTED.shutDown },
  rebooting: { enabled: ENABLED.starting, operational: [OP.starting], health: HEALTH.ok, transitioningTo: REQUESTED.reboot },
  suspending: { enabled: ENABLED.shuttingDown, operational: [OP.stopping], health: HEALTH.ok, transitioningTo: REQUESTED.offline },
  resuming: { enabled: ENABLED.starting, operational: [OP.starting], health: HEALTH.ok, transitioningTo: REQUESTED.enabled },
  migrating: { enabled: ENABLED.enabled, operational: [OP.ok, OP.relocating], health: HEALTH.ok, transitioningTo: REQUESTED.notApplicable },
};

/**
 * A lost system (DSP1057 §7.1 HealthState/OperationalStatus; CIM_ManagedSystemElement value maps):
 * crashed, or gone from the hypervisor although its definition says it should run. Both show
 * HealthState 20 Major Failure and OperationalStatus 6 Error, as libvirt-cim shows a crashed
 * domain: the guest does not work, yet a start recovers it from its intact definition (so not
 * 25 Critical / 30 Non-recoverable). Not 12 No Contact or 13 Lost Communication: those say the
 * element may still run out of reach, while the hypervisor answers that the domain is not there.
 */
const LOST: Pick<StateView, 'operational' | 'health'> = { operational: [OP.error], health: HEALTH.major };

/** The CIM view of a system: its state, or the lost view when it crashed or vanished. */
export function stateView(state: SystemState, vanished = false): StateView {
  const view = STATE_VIEW[state];
  return vanished || state === 'crashed' ? { ...view, ...LOST } : view;
}

interface CodeRule {
  target: TargetState;
  /** Where the code means less than the target: the only operations it may start. */
  operations?: readonly Operation[];
}

/**
 * THE table of RequestStateChange codes we implement, each to one virt target (the virt
 * transition table picks the operation). RequestedStatesSupported, AvailableRequestedStates and
 * what RequestStateChange accepts all derive from it.
 * DSP1057 §8.1: 9 Quiesce is a transition from Active to Paused only. The model can also start a
 * defined system paused (`start_paused`, for what must be set up before a guest runs), but that
 * is no Quiesce: from Defined, 9 is refused (4097) and not advertised.
 */
const CODES: ReadonlyMap<number, CodeRule> = new Map<number, CodeRule>([
  [REQUESTED.enabled, { target: 'running' }],
  [REQUESTED.disabled, { target: 'defined' }],
  [REQUESTED.shutDown, { target: 'shut_down' }],
  [REQUESTED.offline, { target: 'suspended' }],
  [REQUESTED.quiesce, { target: 'paused', operations: ['pause'] }],
  [REQUESTED.reboot, { target: 'reboot' }],
  [REQUESTED.reset, { target: 'reset' }],
]);

/** The rule of an implemented code, or undefined. */
export function codeRule(code: number): CodeRule | undefined {
  return CODES.get(code);
}

/** What Xen_EnabledLogicalElementCapabilities advertises: exactly the codes above. */
export const REQUESTED_STATES_SUPPORTED: readonly number[] = [...CODES.keys()].sort((a, b) => a - b);

/** AvailableRequestedStates: the codes that start an operation from `state` (not those already reached). */
export function availableRequestedStates(state: SystemState): number[] {
  return REQUESTED_STATES_SUPPORTED.filter((c) => {
    const r = CODES.get(c)!;
    return operationFor(state, r.target, r.operations) !== undefined;
  });
}

const CODE_OF_TARGET = new Map<TargetState, number>([...CODES].map(([c, r]) => [r.target, c]));

export function codeOfTarget(t: TargetState): number {
  return CODE_OF_TARGET.get(t)!;
}

/** In the ValueMap of RequestStateChange.RequestedState but not implemented → 1 Not Supported. */
export function isKnownButUnsupported(code: number): boolean {
  return code === REQUESTED.test || code === REQUESTED.defer || (code >= 32768 && code <= 65535);
}

/** RequestedState: the last target a client asked for (kept with the definition by the model), else 12 Not Applicable. */
export function requestedCode(t: TargetState | undefined): number {
  return t === undefined ? REQUESTED.notApplicable : codeOfTarget(t);
}

export function timeOf(ms: number | undefined): CimDateTime | undefined {
  return ms === undefined ? undefined : CimDateTime.fromDate(new Date(ms));
}
