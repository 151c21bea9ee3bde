/**
 * Inheritance (DSP0004 §5.1.2.5, §5.6.1.3): a subclass holds its superclass's properties and
 * methods (propagated, CLASSORIGIN kept) and the superclass qualifiers whose flavor is
 * ToSubclass; a local declaration overrides an inherited one of the same name. A qualifier whose
 * flavor is DisableOverride cannot take another value in a subclass.
 */
import {
  CimClass, type CimQualifierDeclaration, type QualifierList, cimError,
  newQualifierList, valuesEqual, qualifierValue,
} from '../cim/index.js';

type DeclLookup = (name: string) => CimQualifierDeclaration | undefined;

export function resolveClass(local: CimClass, superCls: CimClass | undefined, decl: DeclLookup): CimClass {
  const out = new CimClass(local.name, superCls?.name ?? local.superClass);
  const where = `class ${local.name}`;
  out.qualifiers = mergeQualifiers(superCls?.qualifiers, local.qualifiers, decl, where);

  if (superCls) {
    for (const [name, p] of superCls.properties) {
      const c = p.clone();
      c.propagated = true;
      c.qualifiers = inheritOnly(p.qualifiers);
      out.properties.set(name, c);
    }
    for (const [name, m] of superCls.methods) {
      const c = m.clone();
      c.propagated = true;
      c.qualifiers = inheritOnly(m.qualifiers);
      out.methods.set(name, c);
    }
  }
  for (const p of local.properties.values()) {
    const inherited = out.properties.get(p.name);
    const c = p.clone();
    c.qualifiers = mergeQualifiers(inherited?.qualifiers, p.qualifiers, decl, `property ${local.name}.${p.name}`);
    c.classOrigin = local.name;
    c.propagated = false;
    if (inherited && c.type !== inherited.type) {
      throw cimError('INVALID_PARAMETER', `property ${local.name}.${p.name} overrides ${inherited.classOrigin}.${p.name} with type ${c.type}, was ${inherited.type}`);
    }
    // An override without its own default keeps the inherited default (DSP0004 §5.1.2.5).
    if (c.value === null && inherited) c.value = inherited.value;
    markEmbedded(c);
    out.properties.set(inherited ? inherited.name : p.name, c);
  }
  for (const m of local.methods.values()) {
    const inherited = out.methods.get(m.name);
    const c = m.clone();
    c.qualifiers = mergeQualifiers(inherited?.qualifiers, m.qualifiers, decl, `method ${local.name}.${m.name}`);
    c.classOrigin = local.name;
    c.propagated = false;
    for (const param of c.parameters.values()) {
      // An overriding method's parameter keeps the ToSubclass qualifiers of the parameter it overrides.
      const over = inherited?.parameters.get(param.name);
      if (over) param.qualifiers = mergeQualifiers(over.qualifiers, param.qualifiers, decl, `parameter ${param.name} of method ${local.name}.${m.name}`);
      markEmbedded(param);
    }
    out.methods.set(inherited ? inherited.name : m.name, c);
  }
  for (const p of out.properties.values()) markEmbedded(p);
  return out;
}

/** Inherited qualifiers only (ToSubclass), marked propagated. */
function inheritOnly(q: QualifierList): QualifierList {
  const out = newQualifierList();
  for (const [n, v] of q) {
    if (!v.flavor.toSubclass) continue;
    const c = v.clone();
    c.propagated = true;
    out.set(n, c);
  }
  return out;
}

function mergeQualifiers(inherited: QualifierList | undefined, local: QualifierList, decl: DeclLookup, where: string): QualifierList {
  const out = inherited ? inheritOnly(inherited) : newQualifierList();
  for (const [n, q] of local) {
    const prev = out.get(n);
    if (prev && !prev.flavor.overridable && !valuesEqual(prev.value, q.value)) {
      throw cimError('INVALID_PARAMETER', `${where}: qualifier ${n} cannot be overridden (DisableOverride)`);
    }
    const d = decl(n);
    const c = q.clone();
    c.propagated = false;
    if (d && c.type !== d.type) c.type = d.type;
    out.set(n, c);
  }
  return out;
}

/** EmbeddedObject/EmbeddedInstance qualifiers mark string elements as holding objects. */
function markEmbedded(el: { qualifiers: QualifierList; embeddedObject?: 'object' | 'instance' }): void {
  if (typeof qualifierValue(el.qualifiers, 'EmbeddedInstance') === 'string') el.embeddedObject = 'instance';
  else if (qualifierValue(el.qualifiers, 'EmbeddedObject') === true) el.embeddedObject = 'object';
}

