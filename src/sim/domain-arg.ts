// <Domain> arguments (tools/xl/xl_utils.c find_domain; docs/xl-toolstack.md §3): all digits is a
// domid taken without checking it exists; anything else is an exact name.
import { err, Exit } from './io.js';
import type { Domain, HostState } from './host-state.js';

/** libxl_domain_qualifier_to_domid: domid, or null when the name is unknown (rc=-6). */
export function qualifierToDomid(s: HostState, arg: string): number | null {
  if (/^[0-9]+$/.test(arg)) return parseInt(arg, 10);
  const d = s.domains.find((x) => x.name === arg);
  return d ? d.domid : null;
}

/** find_domain(): unknown name → "<arg> is an invalid domain identifier (rc=-6)", exit 1. */
export function findDomain(s: HostState, arg: string): number {
  const id = qualifierToDomid(s, arg);
  if (id === null) {
    err(`${arg} is an invalid domain identifier (rc=-6)\n`);
    throw new Exit(1);
  }
  return id;
}

export function domainById(s: HostState, domid: number): Domain | undefined {
  return s.domains.find((d) => d.domid === domid);
}

/** libxl log prefix: "Domain N:" only for guest ids, never for domain 0 (docs/xl-toolstack.md §2). */
export function domPrefix(domid: number): string {
  return domid > 0 && domid < 32752 ? `Domain ${domid}:` : '';
}
