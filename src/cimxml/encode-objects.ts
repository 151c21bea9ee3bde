/**
 * Writing objects (DSP0201 §5.1): INSTANCE, CLASS, properties, methods, parameters,
 * qualifiers, qualifier declarations, and VALUE / VALUE.ARRAY content, applying EncodeFlags
 * while writing (DSP0200 §5.3: PropertyList, IncludeQualifiers, IncludeClassOrigin).
 *
 * Every PROPERTY*, PARAMETER* and QUALIFIER gets an explicit end tag: wbemcli's parser refuses
 * the self-closing forms (sblim wbemcli 1.6.3).
 *
 * The EmbeddedObject attribute (DSP0201 §5.1.2) is written the way sblim wbemcli 1.6.3 reads
 * it, since that parser refuses any attribute it does not list and any attribute given twice
 * (names compared case-insensitively): once, and only on PROPERTY and PARAMVALUE. It accepts
 * none on PROPERTY.ARRAY or RETURNVALUE, so there the value goes as the plain string DSP0201
 * allows for clients that do not know the attribute; the EmbeddedObject or EmbeddedInstance
 * qualifier in the class (GetClass) still says what the string holds.
 */
import {
  type BuiltValues, CimClass, CimInstance, CimInstanceName, CimProperty, formatScalarText, type CimMethod, type CimParameter,
  type CimQualifier, type CimQualifierDeclaration, type CimScalar, type CimValue, type EmbeddedKind, type EncodeFlags,
  type QualifierFlavor, type QualifierList,
} from '../cim/index.js';
import { SCOPE_ATTRS } from './scopes.js';
import { valueReferenceXml } from './encode-paths.js';
import { MarkupCache, escapeName, escapeText } from './xml-text.js';

/** Flags for objects embedded in values: the whole object, no qualifiers, no class origin. */
export const EMBED_FLAGS: EncodeFlags = Object.freeze({ includeQualifiers: false, includeClassOrigin: false, propertyList: null });

/**
 * The attribute that marks an embedded object, once, in the DSP0201 spelling. Writing it a
 * second time in the legacy upper case (as OpenPegasus does) makes wbemcli fail on the whole
 * response ("Unknown attribute in list for PROPERTY (EMBEDDEDOB)"); pywbem reads either.
 */
export function embeddedAttrs(kind: EmbeddedKind): string {
  return kind === 'instance' ? ' EmbeddedObject="instance"' : ' EmbeddedObject="object"';
}

/** The embedded kind of a value, from the declaration or else from what the value holds. */
export function embeddedKindOf(declared: EmbeddedKind | undefined, v: CimValue): EmbeddedKind | undefined {
  if (declared) return declared;
  const s = Array.isArray(v) ? v.find((e) => e !== null) : v;
  if (s instanceof CimInstance) return 'instance';
  if (s instanceof CimClass) return 'object';
  return undefined;
}

/** `<VALUE>…</VALUE>` for a scalar; embedded objects as escaped CIM-XML text, references as VALUE.REFERENCE. */
export function valueXml(v: CimScalar): string {
  if (typeof v === 'string') return '<VALUE>' + escapeText(v) + '</VALUE>';
  if (typeof v === 'object') {
    if (v instanceof CimInstance) return '<VALUE>' + escapeText(instanceXml(v, EMBED_FLAGS)) + '</VALUE>';
    if (v instanceof CimClass) return '<VALUE>' + escapeText(classXml(v, EMBED_FLAGS)) + '</VALUE>';
    if (v instanceof CimInstanceName) return valueReferenceXml(v);
  }
  return '<VALUE>' + escapeText(formatScalarText(v)) + '</VALUE>';
}

/** VALUE.ARRAY with VALUE.NULL for NULL elements (DSP0201 §5.2.2). */
export function arrayXml(arr: readonly (CimScalar | null)[]): string {
  let s = '<VALUE.ARRAY>';
  for (const e of arr) s += e === null ? '<VALUE.NULL/>' : valueXml(e);
  return s + '</VALUE.ARRAY>';
}

/** VALUE.REFARRAY for reference arrays (parameters only: DSP0004 has no reference-array properties). */
export function refArrayXml(arr: readonly (CimScalar | null)[]): string {
  let s = '<VALUE.REFARRAY>';
  for (const e of arr) s += e instanceof CimInstanceName ? valueReferenceXml(e) : '<VALUE.NULL/>';
  return s + '</VALUE.REFARRAY>';
}

/** Any value: NULL → '', array → VALUE.ARRAY, scalar → VALUE. */
export function anyValueXml(v: CimValue): string {
  if (v === null) return '';
  return Array.isArray(v) ? arrayXml(v) : valueXml(v);
}

function flavorAttrs(f: QualifierFlavor): string {
  // Only what differs from the DTD defaults (OVERRIDABLE/TOSUBCLASS true, TOINSTANCE/TRANSLATABLE false).
  let s = '';
  if (!f.overridable) s += ' OVERRIDABLE="false"';
  if (!f.toSubclass) s += ' TOSUBCLASS="false"';
  if (f.toInstance) s += ' TOINSTANCE="true"';
  if (f.translatable) s += ' TRANSLATABLE="true"';
  return s;
}

export function qualifierXml(q: CimQualifier): string {
  return (
    '<QUALIFIER NAME="' + escapeName(q.name) + '" TYPE="' + q.type + '"' +
    (q.propagated ? ' PROPAGATED="true"' : '') + flavorAttrs(q.flavor) + '>' +
    anyValueXml(q.value) + '</QUALIFIER>'
  );
}

export function qualifiersXml(list: QualifierList | undefined): string {
  if (!list || list.size === 0) return '';
  let s = '';
  for (const q of list.values()) s += qualifierXml(q);
  return s;
}

/** `<PROPERTY NAME="n" TYPE="t"><VALUE>`, by type then name. */
const propertyValueOpen = new MarkupCache((type, name) => '<PROPERTY NAME="' + escapeName(name) + '" TYPE="' + type + '"><VALUE>');
/** `<PROPERTY NAME="n" TYPE="t"></PROPERTY>`: a NULL value. */
const propertyNull = new MarkupCache((type, name) => '<PROPERTY NAME="' + escapeName(name) + '" TYPE="' + type + '"></PROPERTY>');
const VALUE_PROPERTY_CLOSE = '</VALUE></PROPERTY>';

/**
 * PROPERTY / PROPERTY.ARRAY / PROPERTY.REFERENCE. `inClass` adds PROPAGATED (meaningful in class
 * declarations only); qualifiers and CLASSORIGIN follow the flags.
 */
export function propertyXml(p: CimProperty, flags: EncodeFlags, inClass: boolean): string {
  const v = p.value;
  // The common case (a scalar string/number/boolean, nothing but NAME and TYPE to write):
  // one cached tag, the escaped value, one constant.
  if ((v === null || typeof v !== 'object') && !p.isArray && p.type !== 'reference' && p.embeddedObject === undefined &&
    !flags.includeQualifiers && !(flags.includeClassOrigin && p.classOrigin !== undefined) && !(inClass && p.propagated)) {
    if (v === null) return propertyNull.get(p.type, p.name);
    return propertyValueOpen.get(p.type, p.name) + escapeText(typeof v === 'string' ? v : formatScalarText(v)) + VALUE_PROPERTY_CLOSE;
  }
  const name = escapeName(p.name);
  let tail = '';
  if (flags.includeClassOrigin && p.classOrigin !== undefined) tail += ' CLASSORIGIN="' + escapeName(p.classOrigin) + '"';
  if (inClass && p.propagated) tail += ' PROPAGATED="true"';
  const quals = flags.includeQualifiers ? qualifiersXml(p.qualifiers) : '';
  if (p.type === 'reference') {
    const rc = p.referenceClass !== undefined ? ' REFERENCECLASS="' + escapeName(p.referenceClass) + '"' : '';
    const val = v instanceof CimInstanceName ? valueReferenceXml(v) : '';
    return '<PROPERTY.REFERENCE NAME="' + name + '"' + rc + tail + '>' + quals + val + '</PROPERTY.REFERENCE>';
  }
  const head = ' NAME="' + name + '" TYPE="' + p.type + '"';
  if (p.isArray) {
    // No EmbeddedObject here: wbemcli refuses it on PROPERTY.ARRAY (see the header comment).
    const size = p.arraySize !== undefined ? ' ARRAYSIZE="' + p.arraySize + '"' : '';
    const val = v === null ? '' : arrayXml(Array.isArray(v) ? v : [v]);
    return '<PROPERTY.ARRAY' + head + tail + size + '>' + quals + val + '</PROPERTY.ARRAY>';
  }
  const kind = p.embeddedObject ?? (v !== null && typeof v === 'object' ? embeddedKindOf(undefined, v) : undefined);
  let val = '';
  if (v !== null) val = Array.isArray(v) ? (v[0] == null ? '' : valueXml(v[0])) : valueXml(v);
  return '<PROPERTY' + head + (kind ? embeddedAttrs(kind) : '') + tail + '>' + quals + val + '</PROPERTY>';
}

/** INSTANCE (without its path), applying PropertyList and IncludeQualifiers. */
const instanceOpen = new MarkupCache((_, className) => '<INSTANCE CLASSNAME="' + escapeName(className) + '">');

/**
 * INSTANCE with the properties that carry information: a NULL property is written only when
 * the client named it in its PropertyList (EncodeFlags.namedProperties). DSP0200 §5.3.2.2
 * (GetInstance) and §5.3.2.11 (EnumerateInstances) say which properties a returned instance
 * MUST NOT include (those outside the PropertyList), none that it must include; DSP0201 §5.1.2
 * INSTANCE lets PROPERTY* be omitted, and WBEM clients (pywbem, wbemcli) read an absent
 * property as not there, the way SFCB-hosted providers answer.
 */
export function instanceXml(inst: CimInstance, flags: EncodeFlags): string {
  let s = instanceOpen.get('', inst.className);
  if (flags.includeQualifiers) s += qualifiersXml(inst.qualifiers);
  const pl = flags.propertyList;
  const named = flags.namedProperties === undefined ? pl : flags.namedProperties;
  const built = inst.builtValues();
  if (built !== undefined) return s + builtPropertiesXml(built, flags) + '</INSTANCE>';
  const props = inst.properties.list();
  for (let i = 0; i < props.length; i++) {
    const p = props[i]!;
    if (pl !== null && !pl.has(p.name)) continue;
    if (p.value === null && (named === null || !named.has(p.name))) continue;
    s += propertyXml(p, flags, false);
  }
  return s + '</INSTANCE>';
}

/**
 * The properties of an instance buildInstance made, written from its declarations and values
 * (what propertyXml would write, without a property object per value): a scalar that needs
 * nothing but NAME and TYPE takes its opening tags from the class's list, made once.
 */
function builtPropertiesXml(built: BuiltValues, flags: EncodeFlags): string {
  const pl = flags.propertyList;
  const named = flags.namedProperties === undefined ? pl : flags.namedProperties;
  const { decls, values } = built;
  // With qualifiers or class origin asked for, every property takes propertyXml's general path.
  const opens = flags.includeQualifiers || flags.includeClassOrigin ? NO_OPENS : scalarOpensOf(decls);
  let s = '';
  for (let i = 0; i < decls.length; i++) {
    const v = values[i]!;
    const d = decls[i]!;
    if (pl !== null && !pl.has(d.name)) continue;
    if (v === null) {
      if (named !== null && named.has(d.name)) s += propertyXml(built.template.nulls[i]!, flags, false);
      continue;
    }
    const open = opens[i];
    if (open !== undefined && typeof v !== 'object') s += open + escapeText(typeof v === 'string' ? v : formatScalarText(v)) + VALUE_PROPERTY_CLOSE;
    else s += propertyXml(CimProperty.fromDeclaration(d, v), flags, false);
  }
  return s;
}

const NO_OPENS: readonly (string | undefined)[] = [];
const scalarOpens = new WeakMap<readonly CimProperty[], (string | undefined)[]>();

/** Per declaration, `<PROPERTY NAME="n" TYPE="t"><VALUE>` when a value of it is a plain scalar; undefined otherwise. */
function scalarOpensOf(decls: readonly CimProperty[]): (string | undefined)[] {
  let opens = scalarOpens.get(decls);
  if (opens === undefined) {
    opens = decls.map((d) => (!d.isArray && d.type !== 'reference' && d.embeddedObject === undefined ? propertyValueOpen.get(d.type, d.name) : undefined));
    scalarOpens.set(decls, opens);
  }
  return opens;
}

export function parameterXml(p: CimParameter, flags: EncodeFlags): string {
  const name = escapeName(p.name);
  const quals = flags.includeQualifiers ? qualifiersXml(p.qualifiers) : '';
  const size = p.arraySize !== undefined ? ' ARRAYSIZE="' + p.arraySize + '"' : '';
  if (p.type === 'reference') {
    const rc = p.referenceClass !== undefined ? ' REFERENCECLASS="' + escapeName(p.referenceClass) + '"' : '';
    return p.isArray
      ? '<PARAMETER.REFARRAY NAME="' + name + '"' + rc + size + '>' + quals + '</PARAMETER.REFARRAY>'
      : '<PARAMETER.REFERENCE NAME="' + name + '"' + rc + '>' + quals + '</PARAMETER.REFERENCE>';
  }
  return p.isArray
    ? '<PARAMETER.ARRAY NAME="' + name + '" TYPE="' + p.type + '"' + size + '>' + quals + '</PARAMETER.ARRAY>'
    : '<PARAMETER NAME="' + name + '" TYPE="' + p.type + '">' + quals + '</PARAMETER>';
}

export function methodXml(m: CimMethod, flags: EncodeFlags): string {
  let s = '<METHOD NAME="' + escapeName(m.name) + '" TYPE="' + m.returnType + '"';
  if (flags.includeClassOrigin && m.classOrigin !== undefined) s += ' CLASSORIGIN="' + escapeName(m.classOrigin) + '"';
  if (m.propagated) s += ' PROPAGATED="true"';
  s += '>';
  if (flags.includeQualifiers) s += qualifiersXml(m.qualifiers);
  for (const p of m.parameters.values()) s += parameterXml(p, flags);
  return s + '</METHOD>';
}

/** CLASS, applying the flags (PropertyList selects properties; methods are always written). */
export function classXml(cls: CimClass, flags: EncodeFlags): string {
  let s = '<CLASS NAME="' + escapeName(cls.name) + '"';
  if (cls.superClass) s += ' SUPERCLASS="' + escapeName(cls.superClass) + '"';
  s += '>';
  if (flags.includeQualifiers) s += qualifiersXml(cls.qualifiers);
  const pl = flags.propertyList;
  for (const p of cls.properties.values()) {
    if (pl !== null && !pl.has(p.name)) continue;
    s += propertyXml(p, flags, true);
  }
  for (const m of cls.methods.values()) s += methodXml(m, flags);
  return s + '</CLASS>';
}

/** QUALIFIER.DECLARATION with SCOPE (every scope attribute written, true or false). */
export function qualifierDeclarationXml(d: CimQualifierDeclaration): string {
  let s = '<QUALIFIER.DECLARATION NAME="' + escapeName(d.name) + '" TYPE="' + d.type + '" ISARRAY="' + (d.isArray ? 'true' : 'false') + '"';
  if (d.arraySize !== undefined) s += ' ARRAYSIZE="' + d.arraySize + '"';
  s += flavorAttrs(d.flavor) + '><SCOPE';
  const any = d.scopes.includes('any');
  for (const [a, scope] of SCOPE_ATTRS) s += ' ' + a + '="' + (any || d.scopes.includes(scope) ? 'true' : 'false') + '"';
  s += '></SCOPE>';
  if (d.value !== null) s += d.isArray ? arrayXml(Array.isArray(d.value) ? d.value : [d.value]) : anyValueXml(d.value);
  return s + '</QUALIFIER.DECLARATION>';
}
