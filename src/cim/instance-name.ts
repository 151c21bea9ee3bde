/**
 * Instance names (object paths): class name plus key bindings, optionally with namespace and
 * host (DSP0004 §8.2.5, DSP0201 INSTANCENAME/INSTANCEPATH, DSP0207 WBEM URI).
 */
import { nameKey, normalizeNamespace, sameName } from './names.js';
import { CimDateTime } from './datetime.js';
import type { CimType } from './types.js';

/** What a key can hold: DSP0201 KEYVALUE (string, boolean, numeric) or VALUE.REFERENCE. */
export type KeyValue = string | number | bigint | boolean | CimDateTime | CimInstanceName;

export interface KeyBinding {
  name: string;
  value: KeyValue;
  /** The CIM type when known (from the class or a TYPE attribute); keys from wbemcli come untyped. */
  type?: CimType;
}

export class CimInstanceName {
  namespace?: string;
  host?: string;
  keybindings: KeyBinding[];

  constructor(public className: string, keybindings: KeyBinding[] = [], namespace?: string, host?: string) {
    this.keybindings = keybindings;
    if (namespace !== undefined) this.namespace = normalizeNamespace(namespace);
    if (host !== undefined) this.host = host;
  }

  /** Builds a name from a plain object of key values: `CimInstanceName.of('X', {Name: 'a'})`. */
  static of(className: string, keys: Record<string, KeyValue>, namespace?: string): CimInstanceName {
    return new CimInstanceName(
      className,
      Object.entries(keys).map(([name, value]) => ({ name, value })),
      namespace,
    );
  }

  key(name: string): KeyValue | undefined {
    return this.keybindings.find((k) => sameName(k.name, name))?.value;
  }

  /** A key's value as a string, or undefined; handy for string-keyed classes. */
  keyString(name: string): string | undefined {
    const v = this.key(name);
    return v === undefined ? undefined : keyValueText(v);
  }

  withNamespace(namespace: string | undefined, host?: string): CimInstanceName {
    const n = new CimInstanceName(this.className, this.keybindings, namespace, host ?? this.host);
    if (namespace === undefined) delete n.namespace;
    return n;
  }

  /** A copy without host and namespace: what a local comparison or GetInstance needs. */
  local(): CimInstanceName {
    return new CimInstanceName(this.className, this.keybindings);
  }

  /**
   * Canonical text used for equality and hashing: class and key names folded, keys sorted,
   * values compared as text (strings stay case-sensitive, DSP0004 §8.2.5).
   * Namespace and host are not part of it.
   */
  identity(): string {
    const keys = this.keybindings
      .map((k) => `${nameKey(k.name)}=${k.value instanceof CimInstanceName ? `{${k.value.identity()}}` : JSON.stringify(keyValueText(k.value))}`)
      .sort();
    return `${nameKey(this.className)}.${keys.join(',')}`;
  }

  equals(other: CimInstanceName): boolean {
    return this.identity() === other.identity();
  }

  /** DSP0207 WBEM URI form: `//host/ns:Class.k1="v",k2=5` (host and namespace when present). */
  toString(): string {
    let s = '';
    if (this.host) s += `//${this.host}/`;
    else if (this.namespace) s += '/';
    if (this.namespace) s += `${this.namespace}:`;
    s += this.className;
    if (this.keybindings.length > 0) {
      s += '.' + this.keybindings.map((k) => `${k.name}=${formatUriKeyValue(k.value)}`).join(',');
    }
    return s;
  }
}

export function keyValueText(v: KeyValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return v.toString();
}

function formatUriKeyValue(v: KeyValue): string {
  if (typeof v === 'string' || v instanceof CimDateTime) {
    return `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  if (v instanceof CimInstanceName) {
    return `"${v.toString().replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return keyValueText(v);
}
