/**
 * Parsing of textual object paths: DSP0207 WBEM URIs (`//host/root/virt:Class.k="v"`), the
 * untyped local form real clients put in the CIMObject header (`root/virt:Class.k="v"`), and
 * bare `Class.k="v"` paths. Values in quotes are strings; TRUE/FALSE booleans; others numbers.
 */
import { CimInstanceName, type KeyBinding, type KeyValue } from './instance-name.js';
import { cimError } from './errors.js';

export interface ParsedObjectPath {
  host?: string;
  namespace?: string;
  className: string;
  /** Undefined for a class path (no '.' part). */
  keybindings?: KeyBinding[];
}

export function parseObjectPath(text: string): ParsedObjectPath {
  let rest = text.trim();
  let host: string | undefined;
  rest = rest.replace(/^(https?|wbem|cimxml\.wbem)s?:/i, '');
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const colon = rest.indexOf(':', 2);
    // A host ends at the first '/' (namespace follows) or at ':' when it is a class directly.
    const end = slash === -1 ? colon : slash;
    if (end === -1) throw bad(text, 'missing class name');
    host = rest.slice(2, end);
    rest = rest.slice(end + (slash === -1 ? 0 : 1));
  } else if (rest.startsWith('/')) {
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  const dot = findUnquoted(rest, '.');
  const head = dot === -1 ? rest : rest.slice(0, dot);
  const colon = head.lastIndexOf(':');
  if (colon !== -1) {
    namespace = head.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const dot2 = findUnquoted(rest, '.');
  const className = (dot2 === -1 ? rest : rest.slice(0, dot2)).trim();
  if (!className) throw bad(text, 'missing class name');
  const result: ParsedObjectPath = { className };
  if (host !== undefined) result.host = host;
  if (namespace) result.namespace = namespace;
  if (dot2 !== -1) result.keybindings = parseKeys(rest.slice(dot2 + 1), text);
  return result;
}

/** Parses an instance path; a class path (no keys) is refused. */
export function parseInstancePath(text: string): CimInstanceName {
  const p = parseObjectPath(text);
  if (!p.keybindings) throw bad(text, 'an instance path needs key bindings');
  return new CimInstanceName(p.className, p.keybindings, p.namespace, p.host);
}

function parseKeys(s: string, whole: string): KeyBinding[] {
  const keys: KeyBinding[] = [];
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq === -1) throw bad(whole, `key binding without '=' at "${s.slice(i)}"`);
    const name = s.slice(i, eq).trim();
    if (!name) throw bad(whole, 'empty key name');
    i = eq + 1;
    let value: KeyValue;
    if (s[i] === '"') {
      const r = readQuoted(s, i + 1);
      if (r === undefined) throw bad(whole, `unterminated string for key ${name}`);
      value = r.value;
      i = r.next;
    } else {
      const comma = s.indexOf(',', i);
      const raw = (comma === -1 ? s.slice(i) : s.slice(i, comma)).trim();
      i = comma === -1 ? s.length : comma;
      if (/^(true|false)$/i.test(raw)) value = raw.toUpperCase() === 'TRUE';
      // No CIM integer has more than 20 digits: a longer run is read as a double, never a huge BigInt.
      else if (/^[+-]?\d+$/.test(raw) && raw.length <= 40) {
        const b = BigInt(raw);
        value = b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
      } else if (/^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) value = Number(raw);
      else value = raw;
    }
    keys.push({ name, value });
    while (i < s.length && s[i] === ' ') i++;
    if (i < s.length) {
      if (s[i] !== ',') throw bad(whole, `expected ',' after key ${name}`);
      i++;
    }
  }
  return keys;
}

/**
 * The string from `from` up to its closing quote, with `\\x` read as `x`, and where it ends;
 * undefined when unterminated. One pass into fixed-size pieces: copying character by character
 * into a string cost some forty times the value's size (600 MB for a 16 MiB key value).
 */
function readQuoted(s: string, from: number): { value: string; next: number } | undefined {
  const q = s.indexOf('"', from);
  if (q === -1) return undefined;
  let plain = true;
  for (let k = from; k < q; k++) {
    if (s.charCodeAt(k) === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return { value: s.slice(from, q), next: q + 1 };
  const PIECE = 8192;
  const units = new Uint16Array(PIECE);
  const pieces: string[] = [];
  let n = 0;
  for (let i = from; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x22) {
      pieces.push(String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]));
      return { value: pieces.join(''), next: i + 1 };
    }
    if (c === 0x5c) {
      if (++i >= s.length) return undefined;
      c = s.charCodeAt(i);
    }
    units[n++] = c;
    if (n === PIECE) {
      pieces.push(String.fromCharCode.apply(null, units as unknown as number[]));
      n = 0;
    }
  }
  return undefined;
}

function findUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

function bad(text: string, why: string) {
  return cimError('INVALID_PARAMETER', `malformed object path "${text}": ${why}`);
}
