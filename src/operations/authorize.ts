/**
 * Authorization per operation: readers read, operators may also
 * call the methods their provider marks 'operator', admins may do everything. Every change is
 * audited whether it succeeds or not.
 */
import { cimError } from '../cim/index.js';
import { ROLE_RANK, type Principal, type Role } from './provider.js';
import type { AuditEntry } from './options.js';
import { asCimError } from './context.js';

export function requireRole(principal: Principal, needed: Role, what: string): void {
  if (ROLE_RANK[principal.role] >= ROLE_RANK[needed]) return;
  throw cimError('ACCESS_DENIED', `${what} requires the ${needed} role; user "${principal.name}" has the ${principal.role} role`);
}

/** Runs a change and reports it to the audit sink: 'ok' or the error's text. */
export async function audited<T>(
  audit: ((e: AuditEntry) => void) | undefined,
  principal: Principal,
  operation: string,
  target: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    const r = await fn();
    audit?.({ principal: principal.name, operation, target, result: 'ok' });
    return r;
  } catch (e) {
    const err = asCimError(e, operation);
    audit?.({ principal: principal.name, operation, target, result: err.message });
    throw err;
  }
}
