/** Instances, and building them against their class (DSP0004 §5.1.2.11; docs/architecture.md: the schema is the source of truth). */
import { NameMap, SharedNames, nameKey } from './names.js';
import { CimDateTime } from './datetime.js';
import type { CimType } from './types.js';
import { CimProperty, type CimClass } from './class.js';
import { CimInstanceName, type KeyBinding, type KeyValue } from './instance-name.js';
import { coerceValue, inferType, type CimValue } from './values.js';
import { cimError, isCimError } from './errors.js';
import { parseInstancePath } from './uri.js';
import type { QualifierList } from './qualifiers.js';

export class CimInstance {
  private props: NameMap<CimProperty> | undefined;
  /**
   * An instance from buildInstance, until something asks for its property objects: its class's
   * template and one value per declared property. Enumerations encode straight from these
   * (BuiltValues), so a property object is made only for code that wants one.
   */
  private built: BuiltValues | undefined;
  /** The instance's name, when known (VALUE.NAMEDINSTANCE / INSTANCEPATH). */
  path?: CimInstanceName;
  qualifiers?: QualifierList;

  /** `properties`: a list to index, or a ready map (taken as it is, not copied). */
  constructor(public className: string, properties?: CimProperty[] | NameMap<CimProperty>) {
    if (properties instanceof NameMap) {
      this.props = properties;
      return;
    }
    this.props = new NameMap();
    if (properties) for (const p of properties) this.props.set(p.name, p);
  }

  get properties(): NameMap<CimProperty> {
    return this.props ?? this.materialize();
  }

  set properties(map: NameMap<CimProperty>) {
    this.props = map;
    this.built = undefined;
  }

  /** The declarations and values of an instance buildInstance made, while it has no property objects yet. */
  builtValues(): BuiltValues | undefined {
    return this.built;
  }

  get(name: string): CimValue | undefined {
    const b = this.built;
    if (b !== undefined) {
      const i = indexOf(b.template, name);
      return i === undefined ? undefined : b.values[i];
    }
    return this.props!.get(name)?.value;
  }

  /** Sets a value; an undeclared property on a plain instance gets an inferred type. */
  set(name: string, value: CimValue): this {
    const b = this.built;
    if (b !== undefined) {
      const i = indexOf(b.template, name);
      if (i !== undefined) {
        b.values[i] = value;
        return this;
      }
    }
    const props = this.properties;
    const p = props.get(name);
    // A NULL property buildInstance shares between instances is replaced, never changed.
    if (p && Object.isFrozen(p)) props.set(p.name, CimProperty.fromDeclaration(p, value));
    else if (p) p.value = value;
    else props.set(name, new CimProperty(name, inferType(value), value, Array.isArray(value)));
    return this;
  }

  /** The property objects of a built instance: shared frozen ones where a value is NULL or the class default. */
  private materialize(): NameMap<CimProperty> {
    const { template: t, values } = this.built!;
    const props = new Array<CimProperty>(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      props[i] = v === null ? t.nulls[i]! : v === t.initial[i]!.value ? t.initial[i]! : CimProperty.fromDeclaration(t.decls[i]!, v);
    }
    this.built = undefined;
    return (this.props = NameMap.shared(t.index, props));
  }

  /** buildInstance's: an instance that starts without property objects. */
  static fromBuilt(className: string, built: BuiltValues): CimInstance {
    const inst = new CimInstance(className, EMPTY);
    inst.props = undefined;
    inst.built = built;
    return inst;
  }

  /** A shallow copy with its own property objects (values shared). */
  clone(): CimInstance {
    const c = new CimInstance(this.className);
    for (const [n, p] of this.properties) {
      const q = new CimProperty(p.name, p.type, p.value, p.isArray, p.qualifiers);
      if (p.referenceClass !== undefined) q.referenceClass = p.referenceClass;
      if (p.embeddedObject !== undefined) q.embeddedObject = p.embeddedObject;
      if (p.classOrigin !== undefined) q.classOrigin = p.classOrigin;
      q.propagated = p.propagated;
      c.properties.set(n, q);
    }
    if (this.path) c.path = this.path;
    if (this.qualifiers) c.qualifiers = this.qualifiers;
    return c;
  }
}

/**
 * Builds an instance of `cls` from plain values: every property the class declares is present
 * (NULL when not given, or the class default), typed by the declaration; a name the class does
 * not declare is an error (CIM_ERR_NO_SUCH_PROPERTY), since providers must match the schema.
 * The path is computed from the key properties (with `namespace` when given).
 *
 * This is the hot path of every enumeration: a property that stays NULL (or at the class
 * default) is one frozen object per declaration shared by every instance (CimInstance.set
 * replaces it, never changes it), a property with
 * a value shares the declaration's qualifiers, and all share the class's name index.
 */
export function buildInstance(cls: CimClass, values: Record<string, CimValue | undefined>, namespace?: string): CimInstance {
  const tpl = templateOf(cls);
  const vals = tpl.initialValues.slice();
  // A provider passes its values in the same order instance after instance: the positions found
  // for the last one are reused while the names match (an identity test each, not a lookup).
  const seen = tpl.seen;
  let k = 0;
  let same = true;
  for (const name in values) {
    let i: number | undefined;
    if (same && seen.names[k] === name) i = seen.at[k];
    else {
      if (same) {
        same = false;
        seen.names.length = seen.at.length = k;
      }
      i = indexOf(tpl, name);
      seen.names.push(name);
      seen.at.push(i);
    }
    k++;
    const v = values[name];
    if (v === undefined) continue;
    if (i === undefined) throw cimError('NO_SUCH_PROPERTY', `class ${cls.name} has no property "${name}"`);
    const d = tpl.decls[i]!;
    vals[i] = fitsDeclaration(v, d.type, d.isArray)
      ? v
      : coerceValue(v, d.type, d.isArray, { what: `property "${d.name}" of ${cls.name}`, error: 'TYPE_MISMATCH' });
  }
  // The path, as instanceNameOf would make it, reading the key properties by position.
  const keyAt = tpl.keyAt;
  const keys = new Array<KeyBinding>(keyAt.length);
  for (let k = 0; k < keyAt.length; k++) {
    const d = tpl.decls[keyAt[k]!]!;
    const v = vals[keyAt[k]!]!;
    if (v === null || Array.isArray(v)) {
      throw cimError('FAILED', `instance of ${cls.name} has no value for key property "${d.name}"`);
    }
    keys[k] = { name: d.name, value: v as KeyValue, type: d.type };
  }
  const inst = CimInstance.fromBuilt(cls.name, { template: tpl, decls: tpl.decls, values: vals });
  inst.path = new CimInstanceName(cls.name, keys, namespace);
  return inst;
}

/** What an instance from buildInstance holds until its property objects are asked for. */
export interface BuiltValues {
  template: ClassTemplate;
  /** The class's property declarations, in the class's order (the encoder reads these). */
  decls: readonly CimProperty[];
  /** One value per declaration: NULL, the class default, or what the provider gave. */
  values: CimValue[];
}

const EMPTY = NameMap.shared<CimProperty>(new SharedNames([]), []);

/** A declaration's position: the exact spelling first (what providers pass), folded names as the fallback. */
function indexOf(t: ClassTemplate, name: string): number | undefined {
  const i = t.index.keys.get(name);
  return i === undefined ? t.index.keys.get(nameKey(name)) : i;
}

export interface ClassTemplate {
  index: SharedNames;
  decls: CimProperty[];
  /** Per declaration, the frozen NULL property instances share. */
  nulls: CimProperty[];
  /** What an instance starts from: the shared NULL, or the shared (frozen) class default. */
  initial: CimProperty[];
  /** The values of `initial`. */
  initialValues: CimValue[];
  /** The property names of the last values buildInstance was given, in their order, and their positions. */
  seen: { names: string[]; at: (number | undefined)[] };
  keys: CimProperty[];
  /** Positions of the key properties in `decls`. */
  keyAt: number[];
}

const templates = new WeakMap<CimClass, ClassTemplate>();

/** Per-class data for buildInstance, computed once (classes in the repository do not change). */
function templateOf(cls: CimClass): ClassTemplate {
  let t = templates.get(cls);
  if (!t) {
    const decls = cls.properties.values();
    const index = new SharedNames(decls.map((d) => d.name));
    // Exact-spelling lookups first (what providers pass), folded names as the fallback.
    decls.forEach((d, i) => index.keys.set(d.name, i));
    const keyAt: number[] = [];
    decls.forEach((d, i) => { if (d.isKey) keyAt.push(i); });
    const nulls = decls.map((d) => Object.freeze(CimProperty.fromDeclaration(d, null)));
    const initial = decls.map((d, i) => (d.value === null ? nulls[i]! : Object.freeze(CimProperty.fromDeclaration(d))));
    t = { index, decls, nulls, initial, initialValues: initial.map((p) => p.value), seen: { names: [], at: [] }, keys: keyAt.map((i) => decls[i]!), keyAt };
    templates.set(cls, t);
  }
  return t;
}

/** True when a JS value already has the representation `coerceValue` would produce. */
function fitsDeclaration(v: CimValue, type: CimType, isArray: boolean): boolean {
  if (v === null) return true;
  if (isArray || Array.isArray(v)) return false;
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'uint8': case 'uint16': case 'uint32':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= INTEGER_MAX[type];
    case 'uint64':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    case 'sint64':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'real32': case 'real64':
      return typeof v === 'number';
    case 'reference':
      return v instanceof CimInstanceName;
    case 'datetime':
      return v instanceof CimDateTime;
    default:
      return false;
  }
}

const INTEGER_MAX = { uint8: 255, uint16: 65535, uint32: 4294967295 } as const;

/** The instance name made of the class's key properties. A NULL key is an error. */
export function instanceNameOf(cls: CimClass, inst: CimInstance, namespace?: string): CimInstanceName {
  const keys: KeyBinding[] = [];
  for (const decl of templateOf(cls).keys) {
    const v = inst.get(decl.name);
    if (v === null || v === undefined || Array.isArray(v)) {
      throw cimError('FAILED', `instance of ${cls.name} has no value for key property "${decl.name}"`);
    }
    keys.push({ name: decl.name, value: v as KeyValue, type: decl.type });
  }
  return new CimInstanceName(cls.name, keys, namespace);
}

/**
 * Checks a client-supplied instance name against its class and types its keys through the
 * declarations (wbemcli sends every key as a string). The key set must match the class's keys
 * exactly (names case-insensitive): a missing, extra or ill-typed key is CIM_ERR_INVALID_PARAMETER
 * (DSP0200 §5.3.2.1 GetInstance).
 */
export function normalizeInstanceName(cls: CimClass, name: CimInstanceName): CimInstanceName {
  const keyDecls = cls.properties.values().filter((p) => p.isKey);
  let bindings = name.keybindings;
  // DSP0201 INSTANCENAME: a bare KEYVALUE or VALUE.REFERENCE (decoded with the empty name) is the value of the class's only key.
  if (bindings.length === 1 && bindings[0]!.name === '') {
    if (keyDecls.length !== 1) {
      throw cimError('INVALID_PARAMETER', `the path of ${cls.name} gives one unnamed key, but ${cls.name} has ${keyDecls.length} keys (${keyDecls.map((d) => d.name).join(', ')})`);
    }
    bindings = [{ ...bindings[0]!, name: keyDecls[0]!.name }];
  }
  const given = new NameMap<KeyBinding>();
  for (const k of bindings) {
    if (given.has(k.name)) throw cimError('INVALID_PARAMETER', `key "${k.name}" given twice in ${name.className} path`);
    given.set(k.name, k);
  }
  const keys: KeyBinding[] = [];
  for (const decl of keyDecls) {
    const k = given.get(decl.name);
    if (!k) {
      throw cimError('INVALID_PARAMETER', `the path of ${cls.name} lacks key "${decl.name}" (keys: ${keyDecls.map((d) => d.name).join(', ')})`);
    }
    given.delete(decl.name);
    const what = `key "${decl.name}" of ${cls.name}`;
    const v = decl.type === 'reference' && typeof k.value === 'string'
      ? referenceKeyText(k.value, what)
      : coerceValue(k.value as CimValue, decl.type, false, { what, error: 'INVALID_PARAMETER' });
    keys.push({ name: decl.name, value: v as KeyValue, type: decl.type });
  }
  if (given.size > 0) {
    throw cimError('INVALID_PARAMETER', `${cls.name} has no key named ${given.names().map((n) => `"${n}"`).join(', ')} (keys: ${keyDecls.map((d) => d.name).join(', ')})`);
  }
  const out = new CimInstanceName(name.className, keys, name.namespace, name.host);
  if (name.namespace === undefined) delete out.namespace;
  return out;
}

/**
 * A reference key given as text: the quoted object path of a WBEM URI (DSP0207), which is how
 * untyped clients (wbemcli, path text in a parameter) send the keys of an association instance.
 */
function referenceKeyText(text: string, what: string): CimInstanceName {
  try {
    return parseInstancePath(text);
  } catch (e) {
    throw cimError('INVALID_PARAMETER', `${what}: not an object path: ${isCimError(e) ? e.description : String(e)}`);
  }
}
