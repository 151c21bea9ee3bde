/**
 * Names in a network: the network's own (also a file name in the server's store), its links',
 * and the switches it creates. A switch is an interface of the host's control domain: its name
 * is at most 15 bytes (an interface name with its terminating NUL fills 16) of letters, digits,
 * '.', '_' or '-', starting with a letter or digit, so no tool can take it for an option.
 */
import { createHash } from 'node:crypto';
import { VirtError } from '../errors.js';

export const NAME_MAX = 64;
export const SWITCH_NAME_MAX_BYTES = 15;

function bad(msg: string): never {
  throw new VirtError('invalid_argument', msg);
}

/** A network's or a link's name: 1 to 64 of A-Z a-z 0-9 _ . -, not starting with '.', not all digits. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(value) || value.length > NAME_MAX || /^[0-9]+$/.test(value)) {
    bad(`${what} name ${JSON.stringify(value)} is not valid: 1 to ${NAME_MAX} letters, digits, '_', '.' or '-', not starting with '.', not all digits`);
  }
  return value;
}

export function checkSwitchName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value) || Buffer.byteLength(value) > SWITCH_NAME_MAX_BYTES) {
    bad(`${what} ${JSON.stringify(value)} is not a valid switch name: 1 to ${SWITCH_NAME_MAX_BYTES} letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return value;
}

/**
 * The switch generated for a link that names none: `vl` and 8 hex digits of a hash of the
 * network and link names (stable, 10 bytes), the next candidate when that one is taken.
 */
export function linkSwitchName(network: string, link: string, taken: ReadonlySet<string>): string {
  for (let i = 0; ; i++) {
    const h = createHash('sha256').update(`${network}\0${link}\0${i}`).digest('hex').slice(0, 8);
    const name = `vl${h}`;
    if (!taken.has(name)) return name;
  }
}

/** Lock keys: one for the set of networks (membership, reservations), one per network (its state changes). */
export const REGISTRY_LOCK = 'network:*';
export function networkLockKey(name: string): string {
  return `network:${name}`;
}
