/**
 * What a listener destination may point at. The server itself POSTs every export to it, so it
 * is checked like a request the server makes on the creator's behalf: an http or https URL
 * without credentials (every user may read it), and, unless an administrator made it, not the
 * server's own host — loopback, link-local (where cloud metadata services answer) or the
 * unspecified address — where services trust whatever comes from the host itself. A name is
 * checked at each connection (delivery), as it may resolve to such an address at any time.
 */
import { BlockList, isIP } from 'node:net';
import { cimError } from '../../cim/index.js';
import type { Principal } from '../../operations/provider.js';

const SERVER_HOST = new BlockList();
SERVER_HOST.addSubnet('127.0.0.0', 8, 'ipv4');
SERVER_HOST.addSubnet('0.0.0.0', 8, 'ipv4');
SERVER_HOST.addSubnet('169.254.0.0', 16, 'ipv4');
SERVER_HOST.addAddress('::1', 'ipv6');
SERVER_HOST.addAddress('::', 'ipv6');
SERVER_HOST.addSubnet('fe80::', 10, 'ipv6');

/** Whether an IP address (IPv6 with or without brackets; IPv4-mapped too) is on the server's own host. */
export function onServerHost(address: string): boolean {
  const a = address.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(a);
  return family !== 0 && SERVER_HOST.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A URL without its user name and password: what is posted to and logged (a destination stored
 * before credentials were refused may still carry them; Node would send them as Basic
 * authentication, in clear over http, and a log line would show them).
 */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** The reason a host (a URL's hostname) may not be reached by a confined destination, or undefined. */
function serverHostReason(hostname: string): string | undefined {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (onServerHost(h)) return `${hostname} is on the server's own host`;
  // RFC 6761: localhost and its subdomains always name the loopback
  if (h === 'localhost' || h.endsWith('.localhost')) return `${hostname} names the server's own host`;
  return undefined;
}

/**
 * A refused Destination as an error may show it: without what sits between `//` and `@` (a user
 * name and password), since the error text is also written to the audit log.
 */
function shown(destination: string): string {
  return destination.replace(/\/\/[^/?#]*@/, '//');
}

/** A new listener destination's URL checked for its creator; throws the CIM error a client gets. */
export function checkDestination(destination: string, principal: Principal): URL {
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    throw cimError('INVALID_PARAMETER', `Destination is not a URL: ${shown(destination)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw cimError('INVALID_PARAMETER', `Destination must be an http or https URL: ${shown(destination)}`);
  // Node would send these to the listener as Basic authentication (in clear over http).
  if (url.username || url.password) throw cimError('INVALID_PARAMETER', 'Destination must not carry a user name or password: every user of the server can read it');
  const near = principal.role === 'admin' ? undefined : serverHostReason(url.hostname);
  if (near) throw cimError('ACCESS_DENIED', `only an administrator may aim a listener destination at the server's own host (${near})`);
  return url;
}
