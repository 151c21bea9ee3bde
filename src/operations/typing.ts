/**
 * Typing client values through the schema, the source of truth: wbemcli sends keys, properties
 * and method parameters as plain text, pywbem sends embedded instances as CIM-XML strings. Every
 * value a provider receives has been converted through its declaration here.
 */
import {
  CimClass, CimInstance, CimInstanceName, CimProperty, type CimScalar, type CimType, type CimValue,
  type EmbeddedKind, cimError, coerceValue, instanceNameOf, isCimError, parseInstancePath,
} from '../cim/index.js';
import type { OpContext } from './context.js';

/** What a value is declared as: a property or a method parameter. */
export interface ValueDecl {
  name: string;
  type: CimType;
  isArray: boolean;
  embeddedObject?: EmbeddedKind;
  embeddedInstanceClass?: string;
  /** A reference's declared class (REFERENCECLASS): the value must name an instance of it or a subclass. */
  referenceClass?: string;
}

export type ValueErrorKind = 'INVALID_PARAMETER' | 'TYPE_MISMATCH';

/**
 * Embedded objects within embedded objects beyond this depth are refused, as the CIM-XML decoder
 * refuses them: text that was not marked EmbeddedObject is parsed here, one level at a time, and
 * without a bound a request nested hundreds deep costs seconds of parsing.
 */
export const MAX_EMBEDDED_DEPTH = 8;

/** Converts one value (scalar or array, typed or text) to its declaration; `level`: the embedded objects it is in. */
export function typeValue(ctx: OpContext, v: CimValue | undefined, decl: ValueDecl, what: string, error: ValueErrorKind, level = 0): CimValue {
  if (v === null || v === undefined) return null;
  if (decl.type === 'reference') {
    const conv = (e: CimScalar | null, i?: number): CimScalar | null => {
      if (e === null) return e;
      if (e instanceof CimInstanceName) return checkReferenceClass(ctx, e, decl, `${what}${i === undefined ? '' : `[${i}]`}`, error);
      if (typeof e === 'string') {
        let r: CimInstanceName;
        try {
          r = parseInstancePath(e);
        } catch (err) {
          throw cimError(error, `${what}${i === undefined ? '' : `[${i}]`}: not an object path: ${isCimError(err) ? err.description : String(err)}`);
        }
        return checkReferenceClass(ctx, r, decl, `${what}${i === undefined ? '' : `[${i}]`}`, error);
      }
      throw cimError(error, `${what}: expected a reference`);
    };
    if (decl.isArray) return (Array.isArray(v) ? v : [v]).map((e, i) => conv(e, i));
    if (Array.isArray(v)) throw cimError(error, `${what}: expected a single reference, got an array`);
    return conv(v);
  }
  if (decl.embeddedObject) {
    const conv = (e: CimScalar | null, i?: number): CimScalar | null =>
      e === null ? null : typeEmbedded(ctx, e, decl, `${what}${i === undefined ? '' : `[${i}]`}`, error, level);
    if (decl.isArray) return (Array.isArray(v) ? v : [v]).map((e, i) => conv(e, i));
    if (Array.isArray(v)) throw cimError(error, `${what}: expected a single value, got an array`);
    return conv(v);
  }
  // An embedded object where none is declared would reach the provider as an object in a string.
  const isObject = (e: CimScalar | null) => e instanceof CimInstance || e instanceof CimClass;
  if (Array.isArray(v) ? v.some(isObject) : isObject(v)) {
    throw cimError(error, `${what}: not an embedded-object ${decl.type} (no EmbeddedObject or EmbeddedInstance qualifier), got an embedded object`);
  }
  return coerceValue(v, decl.type, decl.isArray, { what, error });
}

/**
 * A reference names an instance of its declared class or a subclass (DSP0004 reference type):
 * checked where the schema of the reference's namespace is ours (no host, a known namespace, a
 * known reference class there); a class unknown there is no instance of anything.
 */
function checkReferenceClass(ctx: OpContext, r: CimInstanceName, decl: ValueDecl, what: string, error: ValueErrorKind): CimInstanceName {
  const rc = decl.referenceClass;
  if (rc === undefined || r.host !== undefined) return r;
  const ns = r.namespace ?? ctx.namespace;
  if (!ctx.repository.hasNamespace(ns) || !ctx.repository.getClass(ns, rc)) return r;
  if (!ctx.repository.isSubclassOf(ns, r.className, rc)) {
    throw cimError(error, `${what}: ${r.className} is not a ${rc}${ctx.repository.getClass(ns, r.className) ? '' : ` (no such class in ${ns})`}`);
  }
  return r;
}

/**
 * An embedded object (DSP0004 EmbeddedObject/EmbeddedInstance): text is parsed through the
 * injected CIM-XML parser, then an instance's properties are typed through its own class, which
 * must exist in the namespace.
 */
function typeEmbedded(ctx: OpContext, v: CimScalar, decl: ValueDecl, what: string, error: ValueErrorKind, level: number): CimScalar {
  if (level >= MAX_EMBEDDED_DEPTH) throw cimError(error, `${what}: embedded objects nested deeper than ${MAX_EMBEDDED_DEPTH} levels`);
  let obj: CimScalar = v;
  if (typeof v === 'string') {
    try {
      obj = ctx.env.parseEmbeddedObject(v);
    } catch (e) {
      const why = isCimError(e) ? e.description : e instanceof Error ? e.message : String(e);
      throw cimError(error, `${what}: not a valid embedded object: ${why}`);
    }
  }
  if (obj instanceof CimClass) {
    if (decl.embeddedObject === 'instance') throw cimError(error, `${what}: expected an embedded instance, got class ${obj.name}`);
    return obj;
  }
  if (!(obj instanceof CimInstance)) throw cimError(error, `${what}: expected an embedded ${decl.embeddedObject ?? 'object'}`);
  let cls = ctx.repository.getClass(ctx.namespace, obj.className);
  if (!cls) {
    // Clients written for other Xen providers name classes we do not define (xs-cim's
    // Xen_ProcessorSettingData): type them through the parameter's declared class and keep
    // their name, so the provider can still classify them.
    const declared = decl.embeddedInstanceClass ? ctx.repository.getClass(ctx.namespace, decl.embeddedInstanceClass) : undefined;
    if (!declared) throw cimError(error, `${what}: embedded instance of class ${obj.className}, which does not exist in ${ctx.namespace}`);
    const typed = typeInstance(ctx, declared, obj, { fillDefaults: false, error, what: `${what} (${obj.className}, read as ${declared.name})`, level: level + 1 });
    typed.className = obj.className;
    return typed;
  }
  if (decl.embeddedInstanceClass && !ctx.repository.isSubclassOf(ctx.namespace, cls.name, decl.embeddedInstanceClass)) {
    throw cimError(error, `${what}: embedded instance of ${cls.name} is not a ${decl.embeddedInstanceClass}`);
  }
  return typeInstance(ctx, cls, obj, { fillDefaults: false, error, what, level: level + 1 });
}

export interface TypeInstanceOptions {
  /** CreateInstance: properties not given take the class defaults (DSP0200 §5.3.2.6). */
  fillDefaults: boolean;
  error: ValueErrorKind;
  what?: string;
  /** The embedded objects `given` is in (0: a request's own instance). */
  level?: number;
}

/**
 * A copy of `given` typed through `cls`: each given property must be declared
 * (CIM_ERR_NO_SUCH_PROPERTY for intrinsic requests, `error` for embedded ones), each value is
 * converted. The path is computed when every key has a value, else the given path is kept.
 */
export function typeInstance(ctx: OpContext, cls: CimClass, given: CimInstance, opts: TypeInstanceOptions): CimInstance {
  const out = new CimInstance(cls.name);
  if (opts.fillDefaults) {
    for (const decl of cls.properties.values()) out.properties.set(decl.name, declaredProperty(decl, decl.value));
  }
  const where = opts.what ?? `instance of ${cls.name}`;
  for (const p of given.properties.values()) {
    const decl = cls.properties.get(p.name);
    if (!decl) {
      if (opts.what) throw cimError(opts.error, `${where}: class ${cls.name} has no property "${p.name}"`);
      throw cimError('NO_SUCH_PROPERTY', `class ${cls.name} has no property "${p.name}"`);
    }
    const value = typeValue(ctx, p.value, declOf(decl), `${where}: property "${decl.name}"`, opts.error, opts.level ?? 0);
    out.properties.set(decl.name, declaredProperty(decl, value));
  }
  const keys = cls.keyNames;
  if (keys.length > 0 && keys.every((k) => out.get(k) !== null && out.get(k) !== undefined)) {
    out.path = instanceNameOf(cls, out);
  } else if (given.path) {
    out.path = given.path;
  }
  return out;
}

export function declOf(p: CimProperty): ValueDecl {
  const d: ValueDecl = { name: p.name, type: p.type, isArray: p.isArray };
  if (p.referenceClass !== undefined) d.referenceClass = p.referenceClass;
  if (p.embeddedObject) d.embeddedObject = p.embeddedObject;
  const eic = p.embeddedInstanceClass;
  if (eic) d.embeddedInstanceClass = eic;
  return d;
}

export function declaredProperty(decl: CimProperty, value: CimValue): CimProperty {
  const p = new CimProperty(decl.name, decl.type, value, decl.isArray, decl.qualifiers);
  if (decl.referenceClass !== undefined) p.referenceClass = decl.referenceClass;
  if (decl.embeddedObject !== undefined) p.embeddedObject = decl.embeddedObject;
  if (decl.classOrigin !== undefined) p.classOrigin = decl.classOrigin;
  p.propagated = decl.propagated;
  return p;
}
