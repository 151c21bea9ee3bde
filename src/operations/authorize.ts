/**
 * Authorization per operation: readers read, operators may also
 * call the methods their provider marks 'operator', admins may do everything. Every change is
 * audited whether it succeeds or not.
 */
import { cimError } from '../cim/index.js';
import { ROLE_RANK, type Principal, type Role } from './provider.js';
import type { AuditEntry } from './options.js';
import { asCimError } from './context.js';
import { boundedEntry } from './audit.js';

export function requireRole(principal: Principal, needed: Role, what: string): void {
  if (ROLE_RANK[principal.role] >= ROLE_RANK[needed]) return;
  throw cimError('ACCESS_DENIED', `${what} requires the ${needed} role; user "${principal.name}" has the ${principal.role} role`);
}

/** What is audited of a change besides its outcome. */
export type AuditSubject = Omit<AuditEntry, 'principal' | 'result' | 'returnValue' | 'job' | 'error'>;

/**
 * Runs a change and reports it to the audit sink with its outcome: `outcome` reads it from
 * the result (a method's return value), else 'ok'; a failure is 'error' with the error's text.
 */
export async function audited<T>(
  audit: ((e: AuditEntry) => void) | undefined,
  principal: Principal,
  subject: AuditSubject,
  fn: () => Promise<T>,
  outcome: (r: T) => Pick<AuditEntry, 'result' | 'returnValue' | 'job'> = () => ({ result: 'ok' }),
): Promise<T> {
  try {
    const r = await fn();
    audit?.(boundedEntry({ principal: principal.name, ...subject, ...outcome(r) }));
    return r;
  } catch (e) {
    const err = asCimError(e, subject.operation);
    audit?.(boundedEntry({ principal: principal.name, ...subject, result: 'error', error: err.message }));
    throw err;
  }
}
