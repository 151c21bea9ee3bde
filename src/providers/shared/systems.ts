/**
 * Small helpers shared by the virtual-system providers (DSP1057): building instances against
 * their class, reading loosely typed client values, and one snapshot of the systems per request.
 */
import {
  type CimInstance, CimInstanceName, type CimValue, buildInstance, cimError,
} from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { VirtError, type VirtualSystem } from '../../virt/index.js';
import type { ProviderDeps } from './deps.js';
import { toCimError } from './errors.js';

import { jobName } from './naming.js';

export { JOB_CLASS } from './naming.js';

/** An instance of `className` built from plain values; path local (provider contract). */
export function build(ctx: ProviderContext, className: string, values: Record<string, CimValue | undefined>): CimInstance {
  return buildInstance(ctx.repository.requireClass(ctx.namespace, className), values);
}

/** Every system from ONE cached snapshot (DESIGN §3.5): never one xl call per instance. */
export async function allSystems(deps: ProviderDeps): Promise<VirtualSystem[]> {
  try {
    return await deps.virt.listSystems();
  } catch (e) {
    throw toCimError(e, 'listing virtual systems');
  }
}

/** One system, or undefined when there is none of that name. */
export async function findSystem(deps: ProviderDeps, name: string): Promise<VirtualSystem | undefined> {
  try {
    return await deps.virt.getSystem(name);
  } catch (e) {
    if (VirtError.is(e, 'not_found')) return undefined;
    throw toCimError(e, `reading virtual system '${name}'`);
  }
}

export function notFound(name: CimInstanceName): never {
  throw cimError('NOT_FOUND', `no such instance: ${name.toString()}`);
}

/** A reference to a Job instance (served by the jobs provider; InstanceID = job id). */
export function jobRef(id: string): CimInstanceName {
  return jobName(id);
}

// ---------------------------------------------------------------- loose value readers

/** A property or parameter value as a number (typed numbers, bigints or numeric text), else undefined. */
export function numberOf(v: CimValue | undefined, what: string): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  throw cimError('INVALID_PARAMETER', `${what}: expected a whole number, got ${JSON.stringify(String(v))}`);
}

export function stringOf(v: CimValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.length > 0 && v[0] !== null && v[0] !== undefined ? String(v[0]) : undefined;
  return typeof v === 'string' ? v : String(v);
}

export function booleanOf(v: CimValue | undefined, what: string): boolean | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^true$/i.test(v.trim())) return true;
    if (/^false$/i.test(v.trim())) return false;
  }
  throw cimError('INVALID_PARAMETER', `${what}: expected TRUE or FALSE, got ${JSON.stringify(String(v))}`);
}

export function stringArrayOf(v: CimValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.filter((e) => e !== null && e !== undefined).map((e) => String(e));
}
