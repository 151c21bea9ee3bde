/**
 * Decoding of object elements (DSP0201 §5.1): INSTANCE, CLASS, PROPERTY / PROPERTY.ARRAY /
 * PROPERTY.REFERENCE, METHOD, PARAMETER*, QUALIFIER, VALUE.NAMEDINSTANCE — and embedded
 * objects (DSP0201 §5.1.2 EmbeddedObject), which are INSTANCE/CLASS documents carried in VALUE
 * text and so need this same decoder, recursively.
 */
import {
  CimClass, CimError, CimInstance, CimMethod, CimParameter, CimProperty, CimQualifier, cimError,
  newQualifierList, type CimScalar, type CimType, type CimValue, type EmbeddedKind, type QualifierFlavor,
  type QualifierList,
} from '../cim/index.js';
import { CimXmlProtocolError, notValid } from './errors.js';
import { checkCimType, decodeInstanceName, decodeInstanceReference } from './decode-paths.js';
import { decodeArray, decodeScalar } from './decode-values.js';
import { attr, boolAttr, reqAttr, reqChild, sizeAttr, unexpected } from './xml-node.js';
import { parseXmlTree, type XNode } from './xml-tree.js';

/** Embedded objects nested deeper than this are refused (each level is another parse). */
const MAX_EMBED_LEVEL = 8;

const untyped = new WeakSet<CimProperty>();

/**
 * True for a property decoded from a PROPERTY without TYPE: its value is the text as sent and
 * its `type` a placeholder 'string'; operations/ converts it through the class declaration.
 */
export function isUntypedProperty(p: CimProperty): boolean {
  return untyped.has(p);
}

/** The EmbeddedObject attribute in either spelling DSP0201 has used (2.2+ and the legacy upper case). */
export function embeddedAttr(n: XNode): EmbeddedKind | undefined {
  const v = n.attrs['EmbeddedObject'] ?? n.attrs['EMBEDDEDOBJECT'];
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (t === 'instance' || t === 'object') return t;
  throw notValid(`<${n.name}> EmbeddedObject="${v}" is neither "instance" nor "object"`);
}

/**
 * Parses the text of an embedded object: the CIM-XML of one INSTANCE or CLASS, as found in a
 * string value marked EmbeddedObject (or declared EmbeddedInstance: wbemcli sends it unmarked,
 * and operations/ calls this once the declaration says so). Anything else is
 * CIM_ERR_INVALID_PARAMETER with a description of what was wrong.
 */
export function parseEmbeddedObject(text: string, level = 0): CimInstance | CimClass {
  const t = text.trim();
  if (!t.startsWith('<')) {
    throw cimError('INVALID_PARAMETER', `an embedded object must be the CIM-XML of an INSTANCE or a CLASS, got "${preview(t)}"`);
  }
  if (level > MAX_EMBED_LEVEL) throw cimError('INVALID_PARAMETER', `embedded objects nested deeper than ${MAX_EMBED_LEVEL} levels`);
  let root: XNode;
  try {
    root = parseXmlTree(t);
  } catch (e) {
    throw cimError('INVALID_PARAMETER', `embedded object is not well-formed XML: ${(e as Error).message}`);
  }
  try {
    if (root.name === 'INSTANCE') return decodeInstance(root, level);
    if (root.name === 'CLASS') return decodeClass(root, level);
    throw notValid(`its root element is <${root.name}>, not <INSTANCE> or <CLASS>`);
  } catch (e) {
    if (e instanceof CimXmlProtocolError) throw cimError('INVALID_PARAMETER', `invalid embedded object: ${e.message}`);
    throw e;
  }
}

/**
 * The embedded object in one VALUE: escaped (or CDATA) XML text, or — a tolerance for wbemcli
 * users who pass raw XML — an INSTANCE/CLASS element directly inside VALUE.
 */
export function decodeEmbeddedValue(n: XNode, kind: EmbeddedKind, what: string, level: number): CimInstance | CimClass {
  if (n.name !== 'VALUE') throw notValid(`<${n.name}> found where <VALUE> was expected`);
  let obj: CimInstance | CimClass;
  if (n.children.length > 0) {
    const c = n.children[0]!;
    if (n.children.length > 1 || n.text.trim() !== '') throw notValid(`${what}: <VALUE> mixes text and elements`);
    if (c.name === 'INSTANCE') obj = decodeInstance(c, level);
    else if (c.name === 'CLASS') obj = decodeClass(c, level);
    else throw unexpected(n, c);
  } else {
    try {
      obj = parseEmbeddedObject(n.text, level + 1);
    } catch (e) {
      if (e instanceof CimError) throw cimError('INVALID_PARAMETER', `${what}: ${e.description}`);
      throw e;
    }
  }
  if (kind === 'instance' && !(obj instanceof CimInstance)) {
    throw cimError('INVALID_PARAMETER', `${what}: EmbeddedObject="instance" but the value is a CLASS`);
  }
  return obj;
}

/** True when a VALUE holds elements rather than text (the raw-XML tolerance form). */
export function holdsElements(n: XNode): boolean {
  return n.children.length > 0;
}

/** One VALUE in a slot with an optional type and embedded kind. */
function scalarOf(n: XNode, type: CimType | undefined, kind: EmbeddedKind | undefined, what: string, level: number): CimScalar {
  if (kind || holdsElements(n)) return decodeEmbeddedValue(n, kind ?? 'instance', what, level);
  return decodeScalar(n, type, what);
}

/** VALUE.ARRAY elements, each through scalarOf. */
function arrayOf(n: XNode, type: CimType | undefined, kind: EmbeddedKind | undefined, what: string, level: number): (CimScalar | null)[] {
  if (!kind && !n.children.some(holdsElements)) return decodeArray(n, type, what);
  if (n.name !== 'VALUE.ARRAY') throw notValid(`<${n.name}> found where <VALUE.ARRAY> was expected`);
  return n.children.map((c, i) => {
    if (c.name === 'VALUE.NULL') return null;
    if (c.name === 'VALUE') return scalarOf(c, type, kind, `${what}[${i}]`, level);
    throw unexpected(n, c);
  });
}

/** Exported for the request decoder: a VALUE or VALUE.ARRAY of a parameter. */
export const decodeSlotScalar = scalarOf;
export const decodeSlotArray = arrayOf;

export function decodeFlavor(n: XNode): QualifierFlavor {
  // DSP0201 §5.1.5 defaults: OVERRIDABLE and TOSUBCLASS true, TOINSTANCE and TRANSLATABLE false.
  return {
    overridable: boolAttr(n, 'OVERRIDABLE', true),
    toSubclass: boolAttr(n, 'TOSUBCLASS', true),
    toInstance: boolAttr(n, 'TOINSTANCE', false),
    translatable: boolAttr(n, 'TRANSLATABLE', false),
  };
}

/** QUALIFIER(VALUE | VALUE.ARRAY)?. */
export function decodeQualifier(n: XNode): CimQualifier {
  const name = reqAttr(n, 'NAME');
  const type = checkCimType(n, reqAttr(n, 'TYPE'));
  const what = `qualifier ${name}`;
  let value: CimValue = null;
  let isArray = false;
  for (const c of n.children) {
    if (c.name === 'VALUE') value = decodeScalar(c, type, what);
    else if (c.name === 'VALUE.ARRAY') {
      value = decodeArray(c, type, what);
      isArray = true;
    } else throw unexpected(n, c);
  }
  return new CimQualifier(name, type, value, isArray, decodeFlavor(n), boolAttr(n, 'PROPAGATED', false));
}

function decodeQualifiers(n: XNode): QualifierList {
  const list = newQualifierList();
  for (const c of n.children) if (c.name === 'QUALIFIER') list.set(reqAttr(c, 'NAME'), decodeQualifier(c));
  return list;
}

/** PROPERTY, PROPERTY.ARRAY or PROPERTY.REFERENCE, in a CLASS or an INSTANCE. */
export function decodeProperty(n: XNode, owner: string, level: number): CimProperty {
  const name = reqAttr(n, 'NAME');
  const what = `property "${name}" of ${owner}`;
  const quals = decodeQualifiers(n);
  let p: CimProperty;
  if (n.name === 'PROPERTY.REFERENCE') {
    const ref = n.children.find((c) => c.name === 'VALUE.REFERENCE');
    p = new CimProperty(name, 'reference', ref ? decodeInstanceReference(ref, what) : null, false, quals);
    const rc = attr(n, 'REFERENCECLASS');
    if (rc !== undefined) p.referenceClass = rc;
    checkOnly(n, ['QUALIFIER', 'VALUE.REFERENCE']);
  } else {
    const typeAttr = attr(n, 'TYPE');
    const type = typeAttr === undefined ? undefined : checkCimType(n, typeAttr);
    const kind = embeddedAttr(n);
    const isArray = n.name === 'PROPERTY.ARRAY';
    let value: CimValue = null;
    if (isArray) {
      checkOnly(n, ['QUALIFIER', 'VALUE.ARRAY']);
      const va = n.children.find((c) => c.name === 'VALUE.ARRAY');
      if (va) value = arrayOf(va, type, kind, what, level);
    } else {
      checkOnly(n, ['QUALIFIER', 'VALUE']);
      const v = n.children.find((c) => c.name === 'VALUE');
      if (v) value = scalarOf(v, type, kind, what, level);
    }
    p = new CimProperty(name, type ?? 'string', value, isArray, quals);
    if (type === undefined) untyped.add(p);
    if (kind) p.embeddedObject = kind;
    else if (value instanceof CimInstance || (Array.isArray(value) && value.some((e) => e instanceof CimInstance))) p.embeddedObject = 'instance';
    const size = sizeAttr(n, 'ARRAYSIZE');
    if (size !== undefined) p.arraySize = size;
  }
  const origin = attr(n, 'CLASSORIGIN');
  if (origin !== undefined) p.classOrigin = origin;
  p.propagated = boolAttr(n, 'PROPAGATED', false);
  return p;
}

function checkOnly(n: XNode, allowed: string[]): void {
  for (const c of n.children) if (!allowed.includes(c.name)) throw unexpected(n, c);
}

function isPropertyElement(name: string): boolean {
  return name === 'PROPERTY' || name === 'PROPERTY.ARRAY' || name === 'PROPERTY.REFERENCE';
}

/** INSTANCE(QUALIFIER*, (PROPERTY | PROPERTY.ARRAY | PROPERTY.REFERENCE)*). */
export function decodeInstance(n: XNode, level = 0): CimInstance {
  if (n.name !== 'INSTANCE') throw notValid(`<${n.name}> found where <INSTANCE> was expected`);
  const inst = new CimInstance(reqAttr(n, 'CLASSNAME'));
  for (const c of n.children) {
    if (isPropertyElement(c.name)) {
      const p = decodeProperty(c, inst.className, level);
      if (inst.properties.has(p.name)) throw cimError('INVALID_PARAMETER', `property "${p.name}" given twice in an instance of ${inst.className}`);
      inst.properties.set(p.name, p);
    } else if (c.name !== 'QUALIFIER') throw unexpected(n, c);
  }
  const quals = decodeQualifiers(n);
  if (quals.size > 0) inst.qualifiers = quals;
  return inst;
}

/** VALUE.NAMEDINSTANCE(INSTANCENAME, INSTANCE): the instance, with its name as `path`. */
export function decodeNamedInstance(n: XNode): CimInstance {
  const inst = decodeInstance(reqChild(n, 'INSTANCE'));
  inst.path = decodeInstanceName(reqChild(n, 'INSTANCENAME'));
  return inst;
}

/** PARAMETER, PARAMETER.REFERENCE, PARAMETER.ARRAY, PARAMETER.REFARRAY (DSP0201 §5.1.6). */
export function decodeParameter(n: XNode): CimParameter {
  const name = reqAttr(n, 'NAME');
  const quals = decodeQualifiers(n);
  checkOnly(n, ['QUALIFIER']);
  let p: CimParameter;
  switch (n.name) {
    case 'PARAMETER':
      p = new CimParameter(name, checkCimType(n, reqAttr(n, 'TYPE')), false, quals);
      break;
    case 'PARAMETER.ARRAY':
      p = new CimParameter(name, checkCimType(n, reqAttr(n, 'TYPE')), true, quals);
      break;
    case 'PARAMETER.REFERENCE':
    case 'PARAMETER.REFARRAY': {
      p = new CimParameter(name, 'reference', n.name === 'PARAMETER.REFARRAY', quals);
      const rc = attr(n, 'REFERENCECLASS');
      if (rc !== undefined) p.referenceClass = rc;
      break;
    }
    default:
      throw notValid(`<${n.name}> is not a parameter element`);
  }
  const size = sizeAttr(n, 'ARRAYSIZE');
  if (size !== undefined) p.arraySize = size;
  const kind = embeddedAttr(n);
  if (kind) p.embeddedObject = kind;
  return p;
}

/** METHOD(QUALIFIER*, PARAMETER*). A METHOD without TYPE (DTD: #IMPLIED) is taken as uint32. */
export function decodeMethod(n: XNode): CimMethod {
  const name = reqAttr(n, 'NAME');
  const t = attr(n, 'TYPE');
  const params: CimParameter[] = [];
  for (const c of n.children) {
    if (c.name.startsWith('PARAMETER')) params.push(decodeParameter(c));
    else if (c.name !== 'QUALIFIER') throw unexpected(n, c);
  }
  const m = new CimMethod(name, t === undefined ? 'uint32' : checkCimType(n, t), params, decodeQualifiers(n));
  const origin = attr(n, 'CLASSORIGIN');
  if (origin !== undefined) m.classOrigin = origin;
  m.propagated = boolAttr(n, 'PROPAGATED', false);
  return m;
}

/** CLASS(QUALIFIER*, (PROPERTY | PROPERTY.ARRAY | PROPERTY.REFERENCE)*, METHOD*). */
export function decodeClass(n: XNode, level = 0): CimClass {
  if (n.name !== 'CLASS') throw notValid(`<${n.name}> found where <CLASS> was expected`);
  const cls = new CimClass(reqAttr(n, 'NAME'), attr(n, 'SUPERCLASS'));
  cls.qualifiers = decodeQualifiers(n);
  for (const c of n.children) {
    if (isPropertyElement(c.name)) {
      const p = decodeProperty(c, cls.name, level);
      cls.properties.set(p.name, p);
    } else if (c.name === 'METHOD') {
      const m = decodeMethod(c);
      cls.methods.set(m.name, m);
    } else if (c.name !== 'QUALIFIER') throw unexpected(n, c);
  }
  return cls;
}

function preview(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
