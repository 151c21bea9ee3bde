/**
 * `decodeRequest`: one CIM-XML operation request → a typed CimRequest (DSP0201 §5.3.1,
 * DSP0200 §5.3 intrinsic / §5.4 extrinsic).
 *
 * Values: a VALUE is typed when the client gave PARAMTYPE (or the VMAX-style TYPE); otherwise,
 * as with every IPARAMVALUE and every wbemcli PARAMVALUE, it stays the text as sent with
 * `untyped: true`, for operations/ to convert through the declaration.
 */
import {
  CimClass, CimError, CimInstance, CimInstanceName, NameMap, isCimType, type ClassNameRef, type CimRequest, type CimType,
  type EmbeddedKind, type ExtrinsicRequest, type IntrinsicRequest, type ParamValue,
} from '../cim/index.js';
import { CimXmlRequestError, notValid } from './errors.js';
import { callElement, decodeEnvelope } from './decode-envelope.js';
import {
  decodeClass, decodeInstance, decodeNamedInstance, decodeSlotArray, decodeSlotScalar, embeddedAttr,
} from './decode-objects.js';
import {
  decodeClassRef, decodeInstanceName, decodeLocalNamespacePath, decodeRefArray, decodeValueReference,
} from './decode-paths.js';
import { decodeQualifierDeclaration } from './decode-qualifier-decl.js';
import { attr, optionalOnlyChild, reqAttr, reqChild, unexpected } from './xml-node.js';
import type { XNode, XmlLimits } from './xml-tree.js';

export type DecodeLimits = XmlLimits;

/**
 * Decodes one request. Throws CimXmlProtocolError for a message that cannot be answered with
 * a CIM error (HTTP 400/501), CimXmlRequestError for a CIM-level problem in a message whose ID
 * and method are known (answer with an ERROR element).
 */
export function decodeRequest(xml: string, limits?: DecodeLimits): CimRequest {
  const env = decodeEnvelope(xml, 'SIMPLEREQ', limits);
  const call = callElement(env.simple);
  if (call.name !== 'IMETHODCALL' && call.name !== 'METHODCALL') throw unexpected(env.simple, call);
  const method = reqAttr(call, 'NAME');
  const kind = call.name === 'IMETHODCALL' ? 'intrinsic' : 'extrinsic';
  try {
    return kind === 'intrinsic'
      ? decodeIntrinsic(call, env.messageId, env.protocolVersion, method)
      : decodeExtrinsic(call, env.messageId, env.protocolVersion, method);
  } catch (e) {
    if (e instanceof CimError) throw new CimXmlRequestError(env.messageId, method, kind, e);
    throw e;
  }
}

/** IMETHODCALL(LOCALNAMESPACEPATH, IPARAMVALUE*). */
function decodeIntrinsic(call: XNode, messageId: string, protocolVersion: string, method: string): IntrinsicRequest {
  let namespace: string | undefined;
  const params = new NameMap<ParamValue>();
  for (const c of call.children) {
    if (c.name === 'LOCALNAMESPACEPATH') namespace = decodeLocalNamespacePath(c);
    else if (c.name === 'IPARAMVALUE') {
      const p = decodeParamValue(c, true);
      if (params.has(p.name)) throw new CimError(4, `parameter "${p.name}" given twice`);
      params.set(p.name, p);
    } else throw unexpected(call, c);
  }
  if (namespace === undefined) throw notValid('<IMETHODCALL> lacks a <LOCALNAMESPACEPATH>');
  return { kind: 'intrinsic', messageId, protocolVersion, namespace, method, params };
}

/** METHODCALL((LOCALINSTANCEPATH | LOCALCLASSPATH), PARAMVALUE*). */
function decodeExtrinsic(call: XNode, messageId: string, protocolVersion: string, method: string): ExtrinsicRequest {
  let target: CimInstanceName | ClassNameRef | undefined;
  const params: ParamValue[] = [];
  const seen = new NameMap<true>();
  for (const c of call.children) {
    if (c.name === 'LOCALINSTANCEPATH') {
      target = decodeInstanceName(reqChild(c, 'INSTANCENAME'), decodeLocalNamespacePath(reqChild(c, 'LOCALNAMESPACEPATH')));
    } else if (c.name === 'LOCALCLASSPATH') {
      target = decodeClassRef(c);
    } else if (c.name === 'PARAMVALUE') {
      const p = decodeParamValue(c, false);
      if (seen.has(p.name)) throw new CimError(4, `parameter "${p.name}" given twice`);
      seen.set(p.name, true);
      params.push(p);
    } else throw unexpected(call, c);
  }
  if (!target) throw notValid('<METHODCALL> lacks a <LOCALINSTANCEPATH> or <LOCALCLASSPATH>');
  return { kind: 'extrinsic', messageId, protocolVersion, namespace: target.namespace!, method, target, params };
}

type ParamType = CimType | 'object' | 'instance';

function paramTypeOf(n: XNode): ParamType | undefined {
  // PARAMTYPE per DSP0201; some clients (VMAX-era) send TYPE instead.
  const t = attr(n, 'PARAMTYPE') ?? attr(n, 'TYPE');
  if (t === undefined) return undefined;
  if (isCimType(t) || t === 'object' || t === 'instance') return t;
  throw notValid(`<${n.name}> PARAMTYPE="${t}" is not a CIM type`);
}

/**
 * IPARAMVALUE / PARAMVALUE with at most one value element; an empty one is NULL
 * (DSP0201 §5.3.1.x; DSP0200: a NULL parameter may also simply be omitted).
 */
function decodeParamValue(n: XNode, intrinsic: boolean): ParamValue {
  const name = reqAttr(n, 'NAME');
  const declared = intrinsic ? undefined : paramTypeOf(n);
  const attrKind = intrinsic ? undefined : embeddedAttr(n);
  // PARAMTYPE="instance"/"object" (DSP0201 2.4) says the same as the EmbeddedObject attribute.
  const kind: EmbeddedKind | undefined = attrKind ?? (declared === 'instance' || declared === 'object' ? declared : undefined);
  const scalarType = declared !== undefined && isCimType(declared) ? declared : undefined;
  const what = `parameter "${name}"`;
  const p: ParamValue = { name, value: null };
  if (declared !== undefined) p.type = declared;
  const v = optionalOnlyChild(n);
  if (!v) {
    if (declared === undefined) p.untyped = true;
    return p;
  }
  switch (v.name) {
    case 'VALUE':
      p.value = decodeSlotScalar(v, scalarType, kind, what, 0);
      break;
    case 'VALUE.ARRAY':
      p.value = decodeSlotArray(v, scalarType, kind, what, 0);
      p.isArray = true;
      break;
    case 'VALUE.REFERENCE':
      p.value = decodeValueReference(v);
      p.type ??= 'reference';
      return p;
    case 'VALUE.REFARRAY':
      if (intrinsic) throw unexpected(n, v);
      p.value = decodeRefArray(v, what);
      p.type ??= 'reference';
      p.isArray = true;
      return p;
    case 'CLASSNAME':
      p.value = decodeClassRef(v);
      return p;
    case 'INSTANCENAME':
      p.value = decodeInstanceName(v);
      p.type ??= 'reference';
      return p;
    case 'CLASS':
      p.value = decodeClass(v);
      p.type ??= 'object';
      p.embeddedObject = 'object';
      return p;
    case 'INSTANCE':
      p.value = decodeInstance(v);
      p.type ??= 'instance';
      p.embeddedObject = 'instance';
      return p;
    case 'VALUE.NAMEDINSTANCE':
      p.value = decodeNamedInstance(v);
      p.type ??= 'instance';
      return p;
    case 'QUALIFIER.DECLARATION':
      if (!intrinsic) throw unexpected(n, v);
      p.value = decodeQualifierDeclaration(v);
      return p;
    default:
      throw unexpected(n, v);
  }
  // VALUE / VALUE.ARRAY: mark embedded objects, or text nobody typed.
  const arr = Array.isArray(p.value) ? p.value : [p.value];
  if (kind) p.embeddedObject = kind;
  else if (arr.some((x) => x instanceof CimClass)) p.embeddedObject = 'object';
  else if (arr.some((x) => x instanceof CimInstance)) p.embeddedObject = 'instance';
  else if (scalarType === undefined) p.untyped = true;
  return p;
}
