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

/**
 * The names of a class's properties with their positions, shared by every instance built from
 * the class so that building an instance does not fold and hash each name again.
 */
export class SharedNames {
  readonly keys = new Map<string, number>();
  constructor(readonly names: readonly string[]) {
    names.forEach((n, i) => this.keys.set(nameKey(n), i));
  }
}

/**
 * A map keyed by CIM name: lookups ignore case, iteration keeps insertion order and original
 * spelling. A map made with `NameMap.shared` reads through the shared name index until it is
 * first changed in shape (a new or deleted name, a new spelling), then copies it.
 */
export class NameMap<V> implements Iterable<[string, V]> {
  private entries: Map<string, { name: string; value: V }> | null;
  private index: SharedNames | null;
  private vals: V[] | null;

  /** `index` and `values` are NameMap.shared's (internal): use that instead. */
  constructor(init?: Iterable<[string, V]>, index?: SharedNames, values?: V[]) {
    if (index !== undefined && values !== undefined) {
      this.entries = null;
      this.index = index;
      this.vals = values;
      return;
    }
    this.entries = new Map();
    this.index = null;
    this.vals = null;
    if (init) for (const [k, v] of init) this.set(k, v);
  }

  /** A map over `index.names` with `values` in the same order (the array is taken, not copied). */
  static shared<V>(index: SharedNames, values: V[]): NameMap<V> {
    return new NameMap<V>(undefined, index, values);
  }

  get size(): number {
    return this.entries ? this.entries.size : this.vals!.length;
  }

  get(name: string): V | undefined {
    if (this.entries) return this.entries.get(nameKey(name))?.value;
    const i = this.index!.keys.get(nameKey(name));
    return i === undefined ? undefined : this.vals![i];
  }

  has(name: string): boolean {
    return this.entries ? this.entries.has(nameKey(name)) : this.index!.keys.has(nameKey(name));
  }

  /** Sets a value; an existing entry keeps its position but takes the new spelling. */
  set(name: string, value: V): this {
    if (!this.entries) {
      const i = this.index!.keys.get(nameKey(name));
      if (i !== undefined && this.index!.names[i] === name) {
        this.vals![i] = value;
        return this;
      }
      this.own();
    }
    this.entries!.set(nameKey(name), { name, value });
    return this;
  }

  delete(name: string): boolean {
    this.own();
    return this.entries!.delete(nameKey(name));
  }

  /** The original spelling stored for a name, or undefined. */
  spelling(name: string): string | undefined {
    if (this.entries) return this.entries.get(nameKey(name))?.name;
    const i = this.index!.keys.get(nameKey(name));
    return i === undefined ? undefined : this.index!.names[i];
  }

  names(): string[] {
    return this.entries ? [...this.entries.values()].map((e) => e.name) : [...this.index!.names];
  }

  values(): V[] {
    return this.entries ? [...this.entries.values()].map((e) => e.value) : [...this.vals!];
  }

  /**
   * The values in order for reading only (the encoder's loop): a shared map hands out its own
   * array, without a copy. Do not modify it, nor the map while using it.
   */
  list(): readonly V[] {
    return this.entries ? this.values() : this.vals!;
  }

  *[Symbol.iterator](): Iterator<[string, V]> {
    if (this.entries) {
      for (const e of this.entries.values()) yield [e.name, e.value];
      return;
    }
    const names = this.index!.names;
    const vals = this.vals!;
    for (let i = 0; i < vals.length; i++) yield [names[i]!, vals[i]!];
  }

  clone(): NameMap<V> {
    return new NameMap<V>(this);
  }

  /** Leaves shared mode: from now on this map has its own entries. */
  private own(): void {
    if (this.entries) return;
    const entries = new Map<string, { name: string; value: V }>();
    const names = this.index!.names;
    this.vals!.forEach((v, i) => entries.set(nameKey(names[i]!), { name: names[i]!, value: v }));
    this.entries = entries;
    this.index = null;
    this.vals = null;
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
  // Already canonical (every lookup after decoding): returned as is, without split/filter/join.
  if (ns.length > 0 && ns.charCodeAt(0) !== 0x2f && ns.charCodeAt(ns.length - 1) !== 0x2f && !ns.includes('//')) return ns;
  return ns.split('/').filter((s) => s.length > 0).join('/');
}

/** DSP0004 §7.6.1: a class or property name is an identifier (letters, digits, underscore; not starting with a digit). */
export function isValidCimName(name: string): boolean {
  return /^[A-Za-z_\u0080-\uFFEF][A-Za-z0-9_\u0080-\uFFEF]*$/.test(name);
}
