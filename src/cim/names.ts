/**
 * CIM names are case-insensitive and case-preserving (DSP0004 §5.1 / §7.6.1).
 * This is the only module that folds case: everything else compares names through it.
 */

/** The comparison key of a CIM name (class, property, method, qualifier, parameter, namespace). */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

export function sameName(a: string | undefined | null, b: string | undefined | null): boolean {
  if (a == null || b == null) return a == b;
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

/** A map keyed by CIM name: lookups ignore case, iteration keeps insertion order and original spelling. */
export class NameMap<V> implements Iterable<[string, V]> {
  private readonly entries = new Map<string, { name: string; value: V }>();

  constructor(init?: Iterable<[string, V]>) {
    if (init) for (const [k, v] of init) this.set(k, v);
  }

  get size(): number {
    return this.entries.size;
  }

  get(name: string): V | undefined {
    return this.entries.get(nameKey(name))?.value;
  }

  has(name: string): boolean {
    return this.entries.has(nameKey(name));
  }

  /** Sets a value; an existing entry keeps its position but takes the new spelling. */
  set(name: string, value: V): this {
    this.entries.set(nameKey(name), { name, value });
    return this;
  }

  delete(name: string): boolean {
    return this.entries.delete(nameKey(name));
  }

  /** The original spelling stored for a name, or undefined. */
  spelling(name: string): string | undefined {
    return this.entries.get(nameKey(name))?.name;
  }

  names(): string[] {
    return [...this.entries.values()].map((e) => e.name);
  }

  values(): V[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  *[Symbol.iterator](): Iterator<[string, V]> {
    for (const e of this.entries.values()) yield [e.name, e.value];
  }

  clone(): NameMap<V> {
    return new NameMap<V>(this);
  }
}

/** A case-insensitive set of CIM names (e.g. a PropertyList). */
export class NameSet implements Iterable<string> {
  private readonly map = new NameMap<true>();
  constructor(names?: Iterable<string>) {
    if (names) for (const n of names) this.map.set(n, true);
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  add(name: string): this {
    this.map.set(name, true);
    return this;
  }
  get size(): number {
    return this.map.size;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.map.names()[Symbol.iterator]();
  }
}

/** A namespace name in canonical form: segments joined by '/', no leading/trailing slash. */
export function normalizeNamespace(ns: string): string {
  return ns.split('/').filter((s) => s.length > 0).join('/');
}

/** DSP0004 §7.6.1: a class or property name is an identifier (letters, digits, underscore; not starting with a digit). */
export function isValidCimName(name: string): boolean {
  return /^[A-Za-z_\u0080-\uFFEF][A-Za-z0-9_\u0080-\uFFEF]*$/.test(name);
}
