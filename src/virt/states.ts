/**
 * Virtual system states and the ONE table of allowed transitions.
 * Steady states: defined (off), running, paused, suspended (saved to disk), crashed.
 * Transitional states are shown while an operation is under way (by us or by the guest).
 */
import { VirtError } from './errors.js';

export type SystemState =
  | 'defined'
  | 'running'
  | 'paused'
  | 'suspended'
  | 'crashed'
  | 'starting'
  | 'stopping'
  | 'shutting_down'
  | 'rebooting'
  | 'suspending'
  | 'resuming'
  | 'migrating';

export const STEADY_STATES: readonly SystemState[] = ['defined', 'running', 'paused', 'suspended', 'crashed'];
export const TRANSITIONAL_STATES: readonly SystemState[] = [
  'starting', 'stopping', 'shutting_down', 'rebooting', 'suspending', 'resuming', 'migrating',
];

export type Operation =
  | 'start'
  | 'start_paused'
  | 'shutdown'
  | 'destroy'
  | 'reboot'
  | 'reset'
  | 'pause'
  | 'unpause'
  | 'save'
  | 'restore'
  | 'restore_paused';

interface TransitionRule {
  from: readonly SystemState[];
  /** Shown while the operation runs. */
  via: SystemState;
  /** Steady state once it has completed. */
  to: SystemState;
}

/** THE transition table. Everything that checks a state change reads it. */
export const TRANSITIONS: Readonly<Record<Operation, TransitionRule>> = {
  start: { from: ['defined'], via: 'starting', to: 'running' },
  start_paused: { from: ['defined'], via: 'starting', to: 'paused' },
  // A clean shutdown needs the guest's cooperation: a paused guest cannot acknowledge.
  shutdown: { from: ['running'], via: 'shutting_down', to: 'defined' },
  // Hard power-off works from anything that holds host resources; from suspended it discards the
  // image. Suspending too: a guest found suspended by a save it is not ours to wait for (another
  // toolstack's, or one killed midway) is powered off; our own save holds the system's lock.
  destroy: {
    from: ['running', 'paused', 'crashed', 'suspended', 'suspending', 'shutting_down', 'stopping', 'rebooting'],
    via: 'stopping',
    to: 'defined',
  },
  reboot: { from: ['running'], via: 'rebooting', to: 'running' },
  reset: { from: ['running', 'paused', 'crashed'], via: 'rebooting', to: 'running' },
  pause: { from: ['running'], via: 'running', to: 'paused' },
  unpause: { from: ['paused'], via: 'paused', to: 'running' },
  save: { from: ['running', 'paused'], via: 'suspending', to: 'suspended' },
  restore: { from: ['suspended'], via: 'resuming', to: 'running' },
  // A saved system brought back without running a single instruction: parked paused.
  restore_paused: { from: ['suspended'], via: 'resuming', to: 'paused' },
};

/** Operations that make a system hold host resources again: admission control runs first. */
export const ADMITTED_OPERATIONS: readonly Operation[] = ['start', 'start_paused', 'restore', 'restore_paused'];

/**
 * Operations that build an active system's domain again from its definition (a reset: power off,
 * create): what the definition asks beyond what the system holds now (memory past the maximum it
 * booted with, changed for the next start) is admitted first, as growth.
 */
export const REBUILDING_OPERATIONS: readonly Operation[] = ['reset'];

export function isAllowed(state: SystemState, op: Operation): boolean {
  return TRANSITIONS[op].from.includes(state);
}

/** Throws invalid_state (or busy while another operation is in flight) unless op is allowed. */
export function checkTransition(name: string, state: SystemState, op: Operation): void {
  if (isAllowed(state, op)) return;
  const kind = TRANSITIONAL_STATES.includes(state) ? 'busy' : 'invalid_state';
  throw new VirtError(kind, `cannot ${op.replace('_', ' ')} '${name}' while it is ${state.replace('_', ' ')}`);
}

export function allowedOperations(state: SystemState): Operation[] {
  return (Object.keys(TRANSITIONS) as Operation[]).filter((op) => isAllowed(state, op));
}

/** True when the system holds host memory and CPU. */
export function isActive(state: SystemState): boolean {
  return state !== 'defined' && state !== 'suspended';
}

/**
 * Targets a client can request (RequestStateChange-like). Each maps to one operation depending
 * on the current state; 'defined' is the hard stop, 'shut_down' the clean one.
 */
export type TargetState = 'running' | 'defined' | 'shut_down' | 'paused' | 'suspended' | 'reboot' | 'reset';
export const TARGET_STATES: readonly TargetState[] = [
  'running', 'defined', 'shut_down', 'paused', 'suspended', 'reboot', 'reset',
];

const TARGET_PLANS: Readonly<Record<TargetState, readonly Operation[]>> = {
  running: ['start', 'unpause', 'restore'],
  defined: ['destroy'],
  shut_down: ['shutdown'],
  paused: ['pause', 'start_paused', 'restore_paused'],
  suspended: ['save'],
  reboot: ['reboot'],
  reset: ['reset'],
};

/** The operation that takes `state` to `target`, or invalid_state / busy. */
export function planTransition(name: string, state: SystemState, target: TargetState): Operation {
  const ops = TARGET_PLANS[target];
  if (!ops) throw new VirtError('invalid_argument', `unknown target state '${String(target)}'`);
  const op = ops.find((o) => isAllowed(state, o));
  if (op) return op;
  const kind = TRANSITIONAL_STATES.includes(state) ? 'busy' : 'invalid_state';
  throw new VirtError(kind, `cannot go from ${state.replace('_', ' ')} to ${target.replace('_', ' ')} for '${name}'`);
}

/**
 * The steady state a target leaves the system in; a system already there needs nothing done
 * (requesting it is a success). Reboot and reset are actions, never "already done".
 */
const TARGET_REACHED: Readonly<Record<TargetState, SystemState | undefined>> = {
  running: 'running',
  defined: 'defined',
  shut_down: 'defined',
  paused: 'paused',
  suspended: 'suspended',
  reboot: undefined,
  reset: undefined,
};

export function alreadyIn(state: SystemState, target: TargetState): boolean {
  return TARGET_REACHED[target] === state;
}

/** Targets reachable from a state (for AvailableRequestedStates-like lists). */
export function availableTargets(state: SystemState): TargetState[] {
  return TARGET_STATES.filter((t) => TARGET_PLANS[t].some((op) => isAllowed(state, op)));
}

/**
 * The operation a request for `target` starts from `state` (restricted to `operations` when
 * given), or undefined when it starts none: already there, or refused. requestStateChange plans
 * the same way; lists of what may be requested derive from this.
 */
export function operationFor(state: SystemState, target: TargetState, operations?: readonly Operation[]): Operation | undefined {
  if (alreadyIn(state, target)) return undefined;
  const op = TARGET_PLANS[target].find((o) => isAllowed(state, o));
  return op !== undefined && (!operations || operations.includes(op)) ? op : undefined;
}
