/**
 * ClassNode → a CimClass holding only its local declarations, which the Repository resolves
 * against the superclass (DSP0004 §5.1.2). Checks done here, with positions: duplicate features,
 * qualifier scopes, default values against types, overrides that change a type or a
 * DisableOverride qualifier.
 */
import {
  CimClass, CimMethod, CimParameter, CimProperty, CimQualifier, DEFAULT_FLAVOR, NameMap,
  valuesEqual, type CimInstanceName, type QualifierList,
} from '../cim/index.js';
import type { ClassNode, MethodNode, PropertyNode, QualifierNode } from './ast.js';
import { MofError, type Loc } from './errors.js';
import { compileQualifierList, type DeclLookup, type ElementScope } from './qualifiers.js';
import { convertValue } from './values.js';

export interface ClassContext {
  namespace: string;
  lookup: DeclLookup;
  /** The resolved superclass from the repository, when the class has one. */
  superClass?: CimClass;
  /**
   * Called for each `Class REF` and EmbeddedInstance("Class") whose class is not (yet) defined;
   * checked at the end of the compile.
   */
  unresolvedRef(refClass: string, loc: Loc, where: string): void;
  classExists(name: string): boolean;
  /** Records that `refClass` must be `ancestor` or a subclass of it; checked at the end of the compile. */
  narrowedRef(refClass: string, ancestor: string, loc: Loc, where: string): void;
  alias(name: string): CimInstanceName | undefined;
  warn(loc: Loc, msg: string): void;
}

export function buildLocalClass(node: ClassNode, ctx: ClassContext): CimClass {
  const cls = new CimClass(node.name, node.superClass);
  const sup = ctx.superClass;
  const scope = classScope(node, sup);
  cls.qualifiers = compileQualifierList(node.qualifiers, scope, ctx.lookup, ctx.namespace, `class ${node.name}`);
  checkOverridable(sup?.qualifiers, cls.qualifiers, node.qualifiers, `class ${node.name}`);
  // DSP0221 v3 `association X {...}` / `indication X {...}` imply the qualifier.
  if (node.keyword !== 'class') {
    const name = node.keyword === 'association' ? 'Association' : 'Indication';
    if (!cls.qualifiers.has(name)) {
      const decl = ctx.lookup(name);
      const flavor = decl ? { ...decl.flavor } : { ...DEFAULT_FLAVOR, overridable: false };
      cls.qualifiers.set(decl?.name ?? name, new CimQualifier(decl?.name ?? name, 'boolean', true, false, flavor));
    }
  }

  const seen = new NameMap<Loc>();
  for (const f of node.features) {
    const prev = seen.get(f.name);
    if (prev) throw new MofError(f.loc, `${node.name}.${f.name} is declared twice in class ${node.name} (first at line ${prev.line})`);
    seen.set(f.name, f.loc);
    if (f.kind === 'property') cls.properties.set(f.name, buildProperty(node.name, f, ctx));
    else cls.methods.set(f.name, buildMethod(node.name, f, ctx));
  }

  // DSP0004 Key: a class whose superclass has keys cannot add keys of its own.
  const inheritedKeys = sup?.keyNames ?? [];
  if (inheritedKeys.length > 0) {
    for (const p of cls.properties.values()) {
      if (!p.isKey || sup!.properties.get(p.name)?.isKey) continue;
      throw new MofError(seen.get(p.name)!, `${node.name}.${p.name} cannot be a key: superclass ${sup!.name} already has keys (${inheritedKeys.join(', ')})`);
    }
  }

  if (scope === 'association') {
    const refs = new NameMap<true>();
    for (const p of sup?.referenceProperties ?? []) refs.set(p.name, true);
    for (const p of cls.referenceProperties) refs.set(p.name, true);
    if (refs.size < 2) ctx.warn(node.loc, `association ${node.name} has ${refs.size} reference(s); DSP0004 requires at least two`);
  }
  return cls;
}

/** The scope a class's qualifiers are checked against: association and indication are inherited. */
function classScope(node: ClassNode, sup: CimClass | undefined): ElementScope {
  const says = (name: string) =>
    node.qualifiers.some((q) => q.name.toLowerCase() === name && (q.value === undefined || (q.value.kind === 'bool' && q.value.value)));
  if (node.keyword === 'association' || says('association') || sup?.isAssociation) return 'association';
  if (node.keyword === 'indication' || says('indication') || sup?.isIndication) return 'indication';
  return 'class';
}

function buildProperty(className: string, f: PropertyNode, ctx: ClassContext): CimProperty {
  const where = `${className}.${f.name}`;
  const scope: ElementScope = f.type === 'reference' ? 'reference' : 'property';
  // CIM-XML has no array form of PROPERTY.REFERENCE (DSP0201): only parameters may be reference arrays.
  if (f.type === 'reference' && f.array.isArray) throw new MofError(f.loc, `reference ${where} cannot be an array (only method parameters can: DSP0201 PARAMETER.REFARRAY)`);
  const qualifiers = compileQualifierList(f.qualifiers, scope, ctx.lookup, ctx.namespace, where);
  const inherited = ctx.superClass?.properties.get(f.name);
  if (inherited) {
    if (inherited.type !== f.type) {
      throw new MofError(f.loc, `${where} overrides ${inherited.classOrigin ?? ctx.superClass!.name}.${inherited.name} with type ${f.type}, but it is ${inherited.type}`);
    }
    if (inherited.isArray !== f.array.isArray) {
      throw new MofError(f.loc, `${where} overrides ${inherited.classOrigin ?? ctx.superClass!.name}.${inherited.name} ${f.array.isArray ? 'as an array' : 'as a scalar'}, but it is ${inherited.isArray ? 'an array' : 'a scalar'}`);
    }
    checkOverridable(inherited.qualifiers, qualifiers, f.qualifiers, where);
    // DSP0004: an overriding reference may narrow its class to a subclass, not name another class.
    if (inherited.referenceClass !== undefined && f.refClass !== undefined) {
      ctx.narrowedRef(f.refClass, inherited.referenceClass, f.refClassLoc ?? f.loc, `reference ${where}`);
    }
  }
  checkOverrideTarget(qualifiers, f.qualifiers, ctx.superClass?.properties, f.name, where, ctx);
  let value = null;
  if (f.value) {
    value = convertValue(f.value, f.type, f.array.isArray, { what: `property ${where}`, alias: ctx.alias });
    if (f.array.size !== undefined && Array.isArray(value) && value.length > f.array.size) {
      throw new MofError(f.value.loc, `property ${where} holds at most ${f.array.size} elements, the default has ${value.length}`);
    }
  }
  checkEmbeddedClass(qualifiers, f.qualifiers, className, `property ${where}`, ctx);
  checkValueMap(qualifiers, f.qualifiers, inherited?.qualifiers, `property ${where}`);
  const p = new CimProperty(f.name, f.type, value, f.array.isArray, qualifiers);
  if (f.array.size !== undefined) p.arraySize = f.array.size;
  if (f.refClass !== undefined) {
    p.referenceClass = refClassName(f.refClass, f.refClassLoc ?? f.loc, className, where, ctx);
  }
  return p;
}

function buildMethod(className: string, f: MethodNode, ctx: ClassContext): CimMethod {
  const where = `${className}.${f.name}`;
  const qualifiers = compileQualifierList(f.qualifiers, 'method', ctx.lookup, ctx.namespace, `${where}()`);
  const inherited = ctx.superClass?.methods.get(f.name);
  if (inherited) {
    if (inherited.returnType !== f.returnType) {
      throw new MofError(f.loc, `method ${where} overrides ${inherited.classOrigin ?? ctx.superClass!.name}.${inherited.name} with return type ${f.returnType}, but it is ${inherited.returnType}`);
    }
    checkOverridable(inherited.qualifiers, qualifiers, f.qualifiers, `${where}()`);
  }
  checkOverrideTarget(qualifiers, f.qualifiers, ctx.superClass?.methods, f.name, `${where}()`, ctx);
  checkEmbeddedClass(qualifiers, f.qualifiers, className, `method ${where}()`, ctx);
  checkValueMap(qualifiers, f.qualifiers, inherited?.qualifiers, `method ${where}()`);
  const params: CimParameter[] = [];
  const seen = new NameMap<Loc>();
  for (const pn of f.parameters) {
    if (seen.has(pn.name)) throw new MofError(pn.loc, `parameter ${pn.name} is declared twice in method ${where}`);
    seen.set(pn.name, pn.loc);
    const pWhere = `parameter ${pn.name} of ${where}`;
    const p = new CimParameter(pn.name, pn.type, pn.array.isArray, compileQualifierList(pn.qualifiers, 'parameter', ctx.lookup, ctx.namespace, pWhere));
    checkEmbeddedClass(p.qualifiers, pn.qualifiers, className, pWhere, ctx);
    checkValueMap(p.qualifiers, pn.qualifiers, inherited?.parameters.get(pn.name)?.qualifiers, pWhere);
    if (pn.array.size !== undefined) p.arraySize = pn.array.size;
    if (pn.refClass !== undefined) p.referenceClass = refClassName(pn.refClass, pn.refClassLoc ?? pn.loc, className, pWhere, ctx);
    params.push(p);
  }
  return new CimMethod(f.name, f.returnType, params, qualifiers);
}

/** The referenced class: the defining class itself, a known class, or one checked later. */
function refClassName(refClass: string, loc: Loc, className: string, where: string, ctx: ClassContext): string {
  if (refClass.toLowerCase() !== className.toLowerCase() && !ctx.classExists(refClass)) ctx.unresolvedRef(refClass, loc, where);
  return refClass;
}

/**
 * DSP0004 Values/ValueMap: the two arrays correspond entry by entry, so they have one length (the
 * one not given here is the inherited one). A client reading a shorter Values names values wrongly.
 */
function checkValueMap(local: QualifierList, nodes: QualifierNode[], inherited: QualifierList | undefined, where: string): void {
  if (!local.has('ValueMap') && !local.has('Values')) return;
  const map = (local.get('ValueMap') ?? inherited?.get('ValueMap'))?.value;
  const values = (local.get('Values') ?? inherited?.get('Values'))?.value;
  if (!Array.isArray(map) || !Array.isArray(values) || map.length === values.length) return;
  const node = nodes.find((n) => n.name.toLowerCase() === 'values') ?? nodes.find((n) => n.name.toLowerCase() === 'valuemap')!;
  throw new MofError(node.loc, `${where}: ValueMap has ${map.length} entries but Values has ${values.length}; they correspond one to one`);
}

/** DSP0004 EmbeddedInstance: its value names a class of the same namespace. */
function checkEmbeddedClass(local: QualifierList, nodes: QualifierNode[], className: string, where: string, ctx: ClassContext): void {
  const v = local.get('EmbeddedInstance')?.value;
  if (typeof v !== 'string') return;
  const node = nodes.find((n) => n.name.toLowerCase() === 'embeddedinstance')!;
  refClassName(v, node.value?.loc ?? node.loc, className, `EmbeddedInstance of ${where}`, ctx);
}

/** DSP0004 §5.6.1.3: a DisableOverride qualifier cannot take another value in a subclass. */
function checkOverridable(inherited: QualifierList | undefined, local: QualifierList, nodes: QualifierNode[], where: string): void {
  if (!inherited) return;
  for (const [name, q] of local) {
    const prev = inherited.get(name);
    if (!prev || !prev.flavor.toSubclass || prev.flavor.overridable || valuesEqual(prev.value, q.value)) continue;
    const node = nodes.find((n) => n.name.toLowerCase() === name.toLowerCase());
    throw new MofError(node!.loc, `qualifier ${prev.name} of ${where} is DisableOverride: it cannot change from ${show(prev.value)} to ${show(q.value)}`);
  }
}

/** Override("X") must name an element of the superclass (DSP0004 §5.6.3 Override). */
function checkOverrideTarget(
  local: QualifierList, nodes: QualifierNode[], inherited: NameMap<unknown> | undefined, name: string, where: string, ctx: ClassContext,
): void {
  const o = local.get('Override');
  if (!o || typeof o.value !== 'string') return;
  const node = nodes.find((n) => n.name.toLowerCase() === 'override')!;
  if (!inherited?.has(o.value)) {
    ctx.warn(node.loc, `${where} has Override("${o.value}") but the superclass has no such element`);
  } else if (o.value.toLowerCase() !== name.toLowerCase()) {
    ctx.warn(node.loc, `${where} has Override("${o.value}") naming another element; renaming overrides are not supported, it is kept as a new element`);
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}
