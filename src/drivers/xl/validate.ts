/**
 * Every value that reaches xl (argument or xl.cfg text) passes one of these first.
 * The rules are deliberately narrower than xl's (which validates almost nothing):
 * a value that could be read as an option, a domid, a second cfg token or a shell word is refused.
 */
import { VirtError } from '../../virt/errors.js';

function refuse(what: string, value: unknown, why: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value) : String(value);
  throw new VirtError('invalid_argument', `invalid ${what} ${shown}: ${why}`);
}

/** [A-Za-z0-9_.-], ≤ 64, not all digits (would be a domid), no migration suffixes, no leading '-'. */
export function validName(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    refuse('name', name, 'use 1-64 of A-Z a-z 0-9 _ . - (not starting with - or .)');
  }
  if (/^[0-9]+$/.test(name)) refuse('name', name, 'an all-digit name would be taken for a domain id by xl');
  if (/--(incoming|migratedaway)$/.test(name)) refuse('name', name, 'suffix reserved for migration');
  if (name === 'Domain-0') refuse('name', name, 'reserved for the host');
  return name;
}

export function validUuid(uuid: unknown): string {
  if (typeof uuid !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
    refuse('UUID', uuid, 'expected 8-4-4-4-12 hex digits');
  }
  if (/^[0-]+$/.test(uuid)) refuse('UUID', uuid, 'the all-zero UUID belongs to the host');
  return uuid.toLowerCase();
}

/** Absolute host path without characters that are special in a disk spec or cfg string. */
export function validPath(path: unknown, what = 'path'): string {
  if (typeof path !== 'string' || path.length > 1024 || !/^\/[A-Za-z0-9_.\/+@:=-]*$/.test(path)) {
    refuse(what, path, 'must be an absolute path of A-Z a-z 0-9 _ . / + @ : = -');
  }
  if (path.split('/').includes('..')) refuse(what, path, "must not contain '..'");
  return path;
}

/** Unicast MAC in colon form, lowercase; not all zero (libxl takes that for "none" and plugs a random one). */
export function validMac(mac: unknown): string {
  if (typeof mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) refuse('MAC', mac, 'expected xx:xx:xx:xx:xx:xx');
  if (parseInt(mac.slice(0, 2), 16) & 1) refuse('MAC', mac, 'must be a unicast address');
  if (/^(00:){5}00$/.test(mac)) refuse('MAC', mac, 'the all-zero address is no address: xl would give the interface a random one');
  return mac.toLowerCase();
}

/** Linux interface name (IFNAMSIZ − 1 = 15). */
export function validBridge(bridge: unknown): string {
  if (typeof bridge !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(bridge)) {
    refuse('bridge', bridge, 'use 1-15 of A-Z a-z 0-9 _ . -');
  }
  return bridge;
}

/** Guest block device: xvd*, hd[a-d], sd* (xl-disk-configuration(5)). */
export function validVdev(vdev: unknown): string {
  if (typeof vdev !== 'string' || !/^(xvd[a-z]{1,2}|hd[a-d]|sd[a-z]{1,2})$/.test(vdev)) {
    refuse('device', vdev, 'expected xvdX, hdX (a-d) or sdX');
  }
  return vdev;
}

export function validInt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(what, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Space-separated IPv4/IPv6 addresses. */
export function validIpList(ip: unknown): string {
  if (typeof ip !== 'string' || ip.length > 512 || !/^[0-9A-Fa-f.:\/]+( [0-9A-Fa-f.:\/]+)*$/.test(ip)) {
    refuse('IP list', ip, 'expected space separated addresses');
  }
  return ip;
}

export function validModel(model: unknown): string {
  if (typeof model !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(model)) refuse('NIC model', model, 'use A-Z a-z 0-9 _ -');
  return model;
}

/** What a PV kernel is given of its command line: Xen's start_info holds MAX_GUEST_CMDLINE (1024) bytes, NUL included. */
const PV_CMDLINE_MAX = 1023;

/**
 * Kernel command line: printable, no quote or backslash (it goes inside a cfg string); at most
 * 2048 characters (Linux's own limit), 1023 for a PV guest, whose line Xen would silently cut.
 */
export function validCmdline(cmdline: unknown, pv = false): string {
  if (typeof cmdline !== 'string' || cmdline.length > 2048 || !/^[\x20-\x7e]*$/.test(cmdline) || /["'\\]/.test(cmdline)) {
    refuse('command line', cmdline, 'printable ASCII without quotes or backslashes');
  }
  if (pv && cmdline.length > PV_CMDLINE_MAX) {
    refuse('command line', cmdline, `a PV guest is given at most ${PV_CMDLINE_MAX} characters of it (Xen cuts the rest)`);
  }
  return cmdline;
}

/** Memory size argument for mem-set/mem-max: ALWAYS with a unit, since xl reads a bare number as MiB. */
export function memArg(mib: number): string {
  return `${validInt(mib, 'memory (MiB)', 1, 16 * 1024 * 1024)}m`;
}
