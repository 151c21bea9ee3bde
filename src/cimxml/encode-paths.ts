/**
 * Writing names and paths (DSP0201 §5.3.2): LOCALNAMESPACEPATH, NAMESPACEPATH, INSTANCENAME
 * (always the KEYBINDING form), INSTANCEPATH, CLASSPATH, VALUE.REFERENCE. Plain string
 * building: this is on the response hot path.
 */
import { CimDateTime, CimInstanceName, cimError, formatScalarText, type ClassNameRef, type KeyBinding } from '../cim/index.js';
import { MarkupCache, escapeName, escapeText } from './xml-text.js';

/** Fallbacks for paths that must be complete (INSTANCEPATH, CLASSPATH) but lack a part. */
export interface PathDefaults {
  /** HOST for INSTANCEPATH/CLASSPATH when the path has none (default "localhost"). */
  host?: string;
  /** Namespace when the path has none; without it such a path is an error. */
  namespace?: string;
}

const nsCache = new Map<string, string>();

/** `root/virt` → `<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH>`. */
export function localNamespacePathXml(ns: string): string {
  let s = nsCache.get(ns);
  if (s === undefined) {
    s = '<LOCALNAMESPACEPATH>';
    for (const seg of ns.split('/')) if (seg) s += '<NAMESPACE NAME="' + escapeName(seg) + '"/>';
    s += '</LOCALNAMESPACEPATH>';
    if (nsCache.size < 256) nsCache.set(ns, s);
  }
  return s;
}

export function namespacePathXml(host: string, ns: string): string {
  return '<NAMESPACEPATH><HOST>' + escapeText(host) + '</HOST>' + localNamespacePathXml(ns) + '</NAMESPACEPATH>';
}

/** KEYVALUE with VALUETYPE always and TYPE when known (DSP0201 §5.2.5). */
function keyValueXml(k: KeyBinding): string {
  const v = k.value;
  let vt: string;
  let type = k.type;
  if (typeof v === 'string') {
    vt = 'string';
    type ??= 'string';
  } else if (typeof v === 'boolean') {
    vt = 'boolean';
    type ??= 'boolean';
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    vt = 'numeric';
  } else if (v instanceof CimDateTime) {
    vt = 'string';
    type ??= 'datetime';
  } else {
    return valueReferenceXml(v);
  }
  return '<KEYVALUE VALUETYPE="' + vt + (type ? '" TYPE="' + type : '') + '">' + escapeText(formatScalarText(v)) + '</KEYVALUE>';
}

const instanceNameOpen = new MarkupCache((_, className) => '<INSTANCENAME CLASSNAME="' + escapeName(className) + '">');
/** `<KEYBINDING NAME="n"><KEYVALUE VALUETYPE="string" TYPE="t">` by TYPE, then name. */
const stringKeyOpen = new MarkupCache((type, name) =>
  '<KEYBINDING NAME="' + escapeName(name) + '"><KEYVALUE VALUETYPE="string" TYPE="' + type + '">');
const STRING_KEY_CLOSE = '</KEYVALUE></KEYBINDING>';

export function instanceNameXml(name: CimInstanceName): string {
  let s = instanceNameOpen.get('', name.className);
  const keys = name.keybindings;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    // An unnamed key (the single-key shorthand a client sent) can only be written back bare.
    if (k.name === '') s += keyValueXml(k);
    else if (typeof k.value === 'string') s += stringKeyOpen.get(k.type ?? 'string', k.name) + escapeText(k.value) + STRING_KEY_CLOSE;
    else s += '<KEYBINDING NAME="' + escapeName(k.name) + '">' + keyValueXml(k) + '</KEYBINDING>';
  }
  return s + '</INSTANCENAME>';
}

function requireNamespace(ns: string | undefined, defaults: PathDefaults | undefined, what: string): string {
  const n = ns ?? defaults?.namespace;
  if (n === undefined) throw cimError('FAILED', `cannot encode ${what}: it has no namespace`);
  return n;
}

/** INSTANCEPATH(NAMESPACEPATH, INSTANCENAME), completed from `defaults`. */
export function instancePathXml(name: CimInstanceName, defaults?: PathDefaults): string {
  const ns = requireNamespace(name.namespace, defaults, `the path of ${name.className}`);
  return '<INSTANCEPATH>' + namespacePathXml(name.host ?? defaults?.host ?? 'localhost', ns) + instanceNameXml(name) + '</INSTANCEPATH>';
}

export function localInstancePathXml(name: CimInstanceName, ns: string): string {
  return '<LOCALINSTANCEPATH>' + localNamespacePathXml(ns) + instanceNameXml(name) + '</LOCALINSTANCEPATH>';
}

/** CLASSPATH(NAMESPACEPATH, CLASSNAME). */
export function classPathXml(ref: ClassNameRef, defaults?: PathDefaults): string {
  const ns = requireNamespace(ref.namespace, defaults, `the path of class ${ref.className}`);
  return '<CLASSPATH>' + namespacePathXml(ref.host ?? defaults?.host ?? 'localhost', ns) + classNameXml(ref.className) + '</CLASSPATH>';
}

export function classNameXml(name: string): string {
  return '<CLASSNAME NAME="' + escapeName(name) + '"/>';
}

/**
 * VALUE.REFERENCE with as much of the path as the name carries: INSTANCEPATH with host and
 * namespace, LOCALINSTANCEPATH with a namespace only, INSTANCENAME otherwise (DSP0201 §5.2.3).
 */
export function valueReferenceXml(name: CimInstanceName): string {
  let inner: string;
  if (name.namespace !== undefined && name.host !== undefined) inner = instancePathXml(name);
  else if (name.namespace !== undefined) inner = localInstancePathXml(name, name.namespace);
  else inner = instanceNameXml(name);
  return '<VALUE.REFERENCE>' + inner + '</VALUE.REFERENCE>';
}
