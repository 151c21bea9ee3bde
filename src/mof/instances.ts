/**
 * `instance of` → CimInstance (DSP0221 §7.7): every property of the class is present, with the
 * class default unless the MOF gives a value; values are typed by the class's declarations.
 * The path carries the target namespace so that a caller can load the instance where it belongs.
 */
import {
  CimInstance, CimInstanceName, CimProperty, NameMap, type CimClass, type KeyBinding, type KeyValue,
} from '../cim/index.js';
import type { InstanceNode } from './ast.js';
import { MofError, type Loc } from './errors.js';
import { compileQualifierList, type DeclLookup } from './qualifiers.js';
import { convertValue } from './values.js';

export interface InstanceContext {
  namespace: string;
  lookup: DeclLookup;
  alias(name: string): CimInstanceName | undefined;
}

export function buildInstanceFromMof(node: InstanceNode, cls: CimClass, ctx: InstanceContext): CimInstance {
  if (cls.isAbstract) throw new MofError(node.loc, `class ${cls.name} is abstract: it cannot have instances`);
  const inst = new CimInstance(cls.name);
  for (const decl of cls.properties.values()) {
    const p = new CimProperty(decl.name, decl.type, decl.value, decl.isArray, decl.qualifiers);
    if (decl.arraySize !== undefined) p.arraySize = decl.arraySize;
    if (decl.referenceClass !== undefined) p.referenceClass = decl.referenceClass;
    if (decl.embeddedObject !== undefined) p.embeddedObject = decl.embeddedObject;
    if (decl.classOrigin !== undefined) p.classOrigin = decl.classOrigin;
    p.propagated = decl.propagated;
    inst.properties.set(decl.name, p);
  }
  if (node.qualifiers.length > 0) {
    inst.qualifiers = compileQualifierList(node.qualifiers, 'instance', ctx.lookup, ctx.namespace, `instance of ${cls.name}`);
  }
  const given = new NameMap<Loc>();
  for (const pv of node.properties) {
    const p = inst.properties.get(pv.name);
    if (!p) throw new MofError(pv.loc, `class ${cls.name} has no property ${pv.name}`);
    if (given.has(pv.name)) throw new MofError(pv.loc, `property ${p.name} is given twice in this instance of ${cls.name}`);
    given.set(pv.name, pv.loc);
    const where = `${cls.name}.${p.name}`;
    p.value = convertValue(pv.value, p.type, p.isArray, { what: `property ${where}`, alias: ctx.alias });
    if (pv.qualifiers.length > 0) {
      p.qualifiers = compileQualifierList(pv.qualifiers, 'instance', ctx.lookup, ctx.namespace, where);
    }
  }
  const keys: KeyBinding[] = [];
  for (const decl of cls.properties.values()) {
    if (!decl.isKey) continue;
    const v = inst.get(decl.name);
    if (v === null || v === undefined || Array.isArray(v)) {
      throw new MofError(node.loc, `this instance of ${cls.name} has no value for key property ${decl.name}`);
    }
    keys.push({ name: decl.name, value: v as KeyValue, type: decl.type });
  }
  inst.path = new CimInstanceName(cls.name, keys, ctx.namespace);
  return inst;
}
