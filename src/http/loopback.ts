/** Loopback names and addresses: where the server may listen without users or TLS, and what it may be called then. */
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The name in a Host header value, without its port, brackets or a trailing dot; lower case. */
function hostName(value: string): string {
  const v = value.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(v);
  if (bracketed) return bracketed[1]!;
  // More than one colon without brackets: an IPv6 address as it is (not valid in Host, but unambiguous).
  const name = (v.indexOf(':') === v.lastIndexOf(':') ? v.replace(/:\d*$/, '') : v);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Whether a request's Host names this machine as only it can be named: a loopback address,
 * `localhost` or a name under it (RFC 6761 §6.3), or the machine's own host name. A web page in a
 * browser on this machine can reach the loopback under a name of its own that it resolves to
 * 127.0.0.1 (DNS rebinding); its requests then carry that name. No Host (HTTP/1.0) passes.
 */
export function addressedToThisMachine(host: string | undefined): boolean {
  if (host === undefined) return true;
  const h = hostName(host);
  return isLoopback(h) || h.endsWith('.localhost') || h === hostname().toLowerCase();
}
