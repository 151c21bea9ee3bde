/**
 * Decoding of names and paths (DSP0201 §5.3.2 object paths): LOCALNAMESPACEPATH,
 * NAMESPACEPATH, CLASSNAME, INSTANCENAME with its KEYBINDING/KEYVALUE forms, the six forms of
 * VALUE.REFERENCE, VALUE.REFARRAY.
 */
import {
  CimInstanceName, bigToNumber, classNameRef, isCimType, normalizeNamespace, parseScalarText,
  type ClassNameRef, type CimType, type KeyBinding, type KeyValue,
} from '../cim/index.js';
import { notValid } from './errors.js';
import { attr, childrenNamed, reqAttr, reqChild, unexpected } from './xml-node.js';
import type { XNode } from './xml-tree.js';

/** `<NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/>` → "root/virt". */
export function decodeLocalNamespacePath(n: XNode): string {
  const parts = childrenNamed(n, 'NAMESPACE').map((ns) => reqAttr(ns, 'NAME'));
  const ns = normalizeNamespace(parts.join('/'));
  if (ns === '') throw notValid(`<${n.name}> names no namespace`);
  return ns;
}

/** NAMESPACEPATH(HOST, LOCALNAMESPACEPATH). */
export function decodeNamespacePath(n: XNode): { host: string; namespace: string } {
  const host = reqChild(n, 'HOST').text.trim();
  return { host, namespace: decodeLocalNamespacePath(reqChild(n, 'LOCALNAMESPACEPATH')) };
}

export function decodeClassName(n: XNode): string {
  return reqAttr(n, 'NAME');
}

/** CLASSPATH, LOCALCLASSPATH or CLASSNAME → a class reference. */
export function decodeClassRef(n: XNode): ClassNameRef {
  switch (n.name) {
    case 'CLASSNAME':
      return classNameRef(decodeClassName(n));
    case 'LOCALCLASSPATH':
      return classNameRef(
        decodeClassName(reqChild(n, 'CLASSNAME')),
        decodeLocalNamespacePath(reqChild(n, 'LOCALNAMESPACEPATH')),
      );
    case 'CLASSPATH': {
      const np = decodeNamespacePath(reqChild(n, 'NAMESPACEPATH'));
      return classNameRef(decodeClassName(reqChild(n, 'CLASSNAME')), np.namespace, np.host);
    }
    default:
      throw notValid(`<${n.name}> is not a class path`);
  }
}

/**
 * INSTANCENAME: named KEYBINDINGs, or the single-key shorthand of a bare KEYVALUE or
 * VALUE.REFERENCE (DSP0201 §5.3.2.8). The shorthand's key has the empty name: only the class
 * declaration knows which key it is.
 */
export function decodeInstanceName(n: XNode, namespace?: string, host?: string): CimInstanceName {
  const className = reqAttr(n, 'CLASSNAME');
  const keys: KeyBinding[] = [];
  for (const c of n.children) {
    switch (c.name) {
      case 'KEYBINDING': {
        const name = reqAttr(c, 'NAME');
        const v = c.children[0];
        if (!v || c.children.length > 1) throw notValid(`<KEYBINDING NAME="${name}"> must hold one KEYVALUE or VALUE.REFERENCE`);
        keys.push(decodeKeyBindingValue(v, name, className));
        break;
      }
      case 'KEYVALUE':
      case 'VALUE.REFERENCE':
        if (n.children.length > 1) throw notValid(`<INSTANCENAME CLASSNAME="${className}"> mixes an unnamed key with other keys`);
        keys.push(decodeKeyBindingValue(c, '', className));
        break;
      default:
        throw unexpected(n, c);
    }
  }
  return new CimInstanceName(className, keys, namespace, host);
}

function decodeKeyBindingValue(v: XNode, name: string, className: string): KeyBinding {
  if (v.name === 'KEYVALUE') return decodeKeyValue(v, name, className);
  if (v.name === 'VALUE.REFERENCE') {
    const ref = decodeValueReference(v);
    if (!(ref instanceof CimInstanceName)) throw notValid(`key "${name}" of ${className} is a class path, not an instance path`);
    return { name, value: ref, type: 'reference' };
  }
  throw notValid(`<${v.name}> cannot be the value of key "${name}" of ${className}`);
}

/**
 * KEYVALUE: typed by TYPE when given (pywbem sends it), else by VALUETYPE (wbemcli sends only
 * VALUETYPE="string", for every key: operations/ types those through the class).
 */
export function decodeKeyValue(n: XNode, name: string, className: string): KeyBinding {
  const text = n.text;
  const ctx = { what: `key "${name}" of ${className}` };
  const typeAttr = attr(n, 'TYPE');
  if (typeAttr !== undefined) {
    if (!isCimType(typeAttr) || typeAttr === 'reference') throw notValid(`KEYVALUE TYPE="${typeAttr}" is not a CIM type`);
    return { name, value: parseScalarText(text, typeAttr, ctx) as KeyValue, type: typeAttr };
  }
  const vt = attr(n, 'VALUETYPE') ?? 'string';
  switch (vt) {
    case 'string':
      return { name, value: text };
    case 'boolean':
      return { name, value: parseScalarText(text, 'boolean', ctx) as boolean };
    case 'numeric': {
      const t = text.trim();
      // No CIM integer has more than 20 digits: a longer run is read as a double, never a huge BigInt.
      if (/^[+-]?\d+$/.test(t) && t.replace(/^[+-]?0*/, '').length <= 40) return { name, value: bigToNumber(BigInt(t)) };
      return { name, value: parseScalarText(t, 'real64', ctx) as number };
    }
    default:
      throw notValid(`KEYVALUE VALUETYPE="${vt}" is not string, boolean or numeric`);
  }
}

/** VALUE.REFERENCE in any of its six forms (DSP0201 §5.2.3). */
export function decodeValueReference(n: XNode): CimInstanceName | ClassNameRef {
  const c = n.children[0];
  if (!c || n.children.length > 1) throw notValid('<VALUE.REFERENCE> must hold exactly one path element');
  switch (c.name) {
    case 'INSTANCENAME':
      return decodeInstanceName(c);
    case 'LOCALINSTANCEPATH':
      return decodeInstanceName(reqChild(c, 'INSTANCENAME'), decodeLocalNamespacePath(reqChild(c, 'LOCALNAMESPACEPATH')));
    case 'INSTANCEPATH': {
      const np = decodeNamespacePath(reqChild(c, 'NAMESPACEPATH'));
      return decodeInstanceName(reqChild(c, 'INSTANCENAME'), np.namespace, np.host);
    }
    case 'CLASSNAME':
    case 'LOCALCLASSPATH':
    case 'CLASSPATH':
      return decodeClassRef(c);
    default:
      throw unexpected(n, c);
  }
}

/** VALUE.REFERENCE that must name an instance (reference properties and parameters). */
export function decodeInstanceReference(n: XNode, what: string): CimInstanceName {
  const r = decodeValueReference(n);
  if (!(r instanceof CimInstanceName)) throw notValid(`${what}: a class path where an instance path is required`);
  return r;
}

/** VALUE.REFARRAY(VALUE.REFERENCE | VALUE.NULL)*. */
export function decodeRefArray(n: XNode, what: string): (CimInstanceName | null)[] {
  return n.children.map((c) => {
    if (c.name === 'VALUE.NULL') return null;
    if (c.name === 'VALUE.REFERENCE') return decodeInstanceReference(c, what);
    throw unexpected(n, c);
  });
}

/** A TYPE/PARAMTYPE attribute value checked against the CIM types. */
export function checkCimType(n: XNode, t: string): CimType {
  if (!isCimType(t)) throw notValid(`<${n.name}> TYPE "${t}" is not a CIM type`);
  return t;
}
