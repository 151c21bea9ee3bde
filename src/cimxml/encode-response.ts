/**
 * Response messages (DSP0201 §5.3.1 SIMPLERSP, DSP0200 §5.3/§5.4):
 * the envelope, IMETHODRESPONSE for each intrinsic result kind, METHODRESPONSE, ERROR, and
 * export messages. Intrinsic responses are produced lazily in ~64 KiB chunks so a large
 * enumeration is never held as one string twice.
 */
import {
  CimError, CimInstanceName, type CimInstance, type CimType, type CimValue, type EmbeddedKind, type EncodeFlags,
  type ExtrinsicResult, type IntrinsicResponse, type IntrinsicResult,
} from '../cim/index.js';
import {
  anyValueXml, arrayXml, classXml, embeddedAttrs, embeddedKindOf, instanceXml, qualifierDeclarationXml,
  refArrayXml,
} from './encode-objects.js';
import {
  classNameXml, classPathXml, instanceNameXml, instancePathXml, valueReferenceXml, type PathDefaults,
} from './encode-paths.js';
import { escapeAttr, escapeText } from './xml-text.js';

export type EncodeOptions = PathDefaults;

/** Chunk size the intrinsic encoder aims at (UTF-16 code units, ≈ bytes for CIM-XML). */
export const CHUNK_SIZE = 64 * 1024;

const XML_DECL = '<?xml version="1.0" encoding="utf-8" ?>\n';
const ENVELOPE_CLOSE = '</MESSAGE></CIM>';

function envelopeOpen(messageId: string): string {
  return XML_DECL + '<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="' + escapeAttr(messageId) + '" PROTOCOLVERSION="1.0">';
}

/** `<ERROR CODE="6" DESCRIPTION="CIM_ERR_NOT_FOUND: …"/>` (DSP0201 §5.3.1 ERROR). */
export function errorXml(err: CimError): string {
  return '<ERROR CODE="' + err.code + '" DESCRIPTION="' + escapeAttr(err.message) + '"/>';
}

/** A complete error response for an intrinsic or extrinsic call (HTTP 200 with ERROR). */
export function encodeError(messageId: string, method: string, kind: 'intrinsic' | 'extrinsic', err: CimError): string {
  const tag = kind === 'intrinsic' ? 'IMETHODRESPONSE' : 'METHODRESPONSE';
  return envelopeOpen(messageId) + '<SIMPLERSP><' + tag + ' NAME="' + escapeAttr(method) + '">' + errorXml(err) +
    '</' + tag + '></SIMPLERSP>' + ENVELOPE_CLOSE;
}

/**
 * The response to an intrinsic call, as lazily built chunks. Everything that could make the
 * encoding fail (an instance without its path, a path without namespace) is checked here, at
 * call time, so the caller's try/catch sees it and never sends half a body.
 */
export function encodeIntrinsicResponse(
  messageId: string,
  method: string,
  response: IntrinsicResponse | CimError,
  options?: EncodeOptions,
): Iterable<string> {
  if (response instanceof CimError) return [encodeError(messageId, method, 'intrinsic', response)];
  if (response.result.kind === 'namedInstanceStream') throw new CimError(1, 'a streamed enumeration is encoded by encodeNamedInstanceStream');
  checkPaths(response.result, options);
  return chunks(messageId, method, response, options);
}

/**
 * The response to an EnumerateInstances whose instances come batch by batch
 * (namedInstanceStream): encoded as each batch arrives, in CHUNK_SIZE pieces. A failure before
 * the first piece (the first batch's) still reaches the caller before any byte is sent.
 */
export async function* encodeNamedInstanceStream(
  messageId: string, method: string, batches: AsyncIterable<CimInstance[]>, flags: EncodeFlags,
): AsyncGenerator<string, void, undefined> {
  let buf = envelopeOpen(messageId) + '<SIMPLERSP><IMETHODRESPONSE NAME="' + escapeAttr(method) + '">' + IRV_OPEN;
  for await (const batch of batches) {
    for (const inst of batch) {
      if (!inst.path) throw new CimError(1, `cannot encode an instance of ${inst.className} without its path`);
      buf += '<VALUE.NAMEDINSTANCE>' + instanceNameXml(inst.path) + instanceXml(inst, flags) + '</VALUE.NAMEDINSTANCE>';
      if (buf.length >= CHUNK_SIZE) {
        yield buf;
        buf = '';
      }
    }
  }
  yield buf + IRV_CLOSE + '</IMETHODRESPONSE></SIMPLERSP>' + ENVELOPE_CLOSE;
}

function* chunks(messageId: string, method: string, response: IntrinsicResponse, options: EncodeOptions | undefined): Generator<string, void, undefined> {
  let buf = envelopeOpen(messageId) + '<SIMPLERSP><IMETHODRESPONSE NAME="' + escapeAttr(method) + '">';
  for (const part of resultParts(response.result, response.flags, options)) {
    buf += part;
    if (buf.length >= CHUNK_SIZE) {
      yield buf;
      buf = '';
    }
  }
  yield buf + '</IMETHODRESPONSE></SIMPLERSP>' + ENVELOPE_CLOSE;
}

/** Joins encoder chunks into one string (tests, small responses). */
export function joinChunks(chunks: Iterable<string>): string {
  let s = '';
  for (const c of chunks) s += c;
  return s;
}

/** encodeIntrinsicResponse as one string. */
export function encodeIntrinsicResponseText(messageId: string, method: string, response: IntrinsicResponse | CimError, options?: EncodeOptions): string {
  return joinChunks(encodeIntrinsicResponse(messageId, method, response, options));
}

function checkPaths(r: IntrinsicResult, options: EncodeOptions | undefined): void {
  const needNs = (name: { namespace?: string }, what: string) => {
    if (name.namespace === undefined && options?.namespace === undefined) {
      throw new CimError(1, `cannot encode the path of ${what}: it has no namespace`);
    }
  };
  const needPaths = (list: CimInstance[], complete: boolean) => {
    for (const inst of list) {
      if (!inst.path) throw new CimError(1, `cannot encode an instance of ${inst.className} without its path`);
      if (complete) needNs(inst.path, inst.className);
    }
  };
  switch (r.kind) {
    case 'namedInstances':
      return needPaths(r.instances, false);
    case 'objectsWithPath':
      return needPaths(r.instances, true);
    case 'objectPaths':
      for (const n of r.names) needNs(n, n.className);
      return;
    case 'classPaths':
      for (const p of r.paths) needNs(p, `class ${p.className}`);
      return;
    case 'pull':
      if (r.items === 'instancesWithPath') needPaths(r.instances, true);
      else if (r.items === 'instancePaths') for (const n of r.paths) needNs(n, n.className);
      return;
    default:
      return;
  }
}

const IRV_OPEN = '<IRETURNVALUE>';
const IRV_CLOSE = '</IRETURNVALUE>';

/**
 * The IRETURNVALUE (and pull PARAMVALUEs) of each result kind, item by item. Void results
 * write nothing: pywbem rejects an IRETURNVALUE for void operations.
 */
function* resultParts(r: IntrinsicResult, flags: EncodeFlags, opts: EncodeOptions | undefined): Generator<string, void, undefined> {
  switch (r.kind) {
    case 'void':
      return;
    case 'class':
      yield IRV_OPEN + classXml(r.cls, flags) + IRV_CLOSE;
      return;
    case 'classes':
      yield IRV_OPEN;
      for (const c of r.classes) yield classXml(c, flags);
      yield IRV_CLOSE;
      return;
    case 'classNames':
      yield IRV_OPEN;
      for (const n of r.names) yield classNameXml(n);
      yield IRV_CLOSE;
      return;
    case 'instance':
      yield IRV_OPEN + instanceXml(r.instance, flags) + IRV_CLOSE;
      return;
    case 'namedInstances':
      yield IRV_OPEN;
      for (const inst of r.instances) {
        yield '<VALUE.NAMEDINSTANCE>' + instanceNameXml(inst.path!) + instanceXml(inst, flags) + '</VALUE.NAMEDINSTANCE>';
      }
      yield IRV_CLOSE;
      return;
    case 'instanceNames':
      yield IRV_OPEN;
      for (const n of r.names) yield instanceNameXml(n);
      yield IRV_CLOSE;
      return;
    case 'objectsWithPath':
      yield IRV_OPEN;
      for (const inst of r.instances) {
        yield '<VALUE.OBJECTWITHPATH>' + instancePathXml(inst.path!, opts) + instanceXml(inst, flags) + '</VALUE.OBJECTWITHPATH>';
      }
      yield IRV_CLOSE;
      return;
    case 'classesWithPath':
      yield IRV_OPEN;
      for (const { cls, namespace } of r.classes) {
        yield '<VALUE.OBJECTWITHPATH>' + classPathXml({ kind: 'className', className: cls.name, namespace }, opts) + classXml(cls, flags) + '</VALUE.OBJECTWITHPATH>';
      }
      yield IRV_CLOSE;
      return;
    case 'objectPaths':
      yield IRV_OPEN;
      for (const n of r.names) yield '<OBJECTPATH>' + instancePathXml(n, opts) + '</OBJECTPATH>';
      yield IRV_CLOSE;
      return;
    case 'classPaths':
      yield IRV_OPEN;
      for (const p of r.paths) yield '<OBJECTPATH>' + classPathXml(p, opts) + '</OBJECTPATH>';
      yield IRV_CLOSE;
      return;
    case 'value':
      // GetProperty: NULL is an empty IRETURNVALUE (DSP0200 §5.3.2.4).
      yield IRV_OPEN + valueContentXml(r.value, r.type, r.isArray) + IRV_CLOSE;
      return;
    case 'instanceName':
      yield IRV_OPEN + instanceNameXml(r.name) + IRV_CLOSE;
      return;
    case 'qualifierDeclaration':
      yield IRV_OPEN + qualifierDeclarationXml(r.decl) + IRV_CLOSE;
      return;
    case 'qualifierDeclarations':
      yield IRV_OPEN;
      for (const d of r.decls) yield qualifierDeclarationXml(d);
      yield IRV_CLOSE;
      return;
    case 'pull':
      yield IRV_OPEN;
      if (r.items === 'instancesWithPath') {
        for (const inst of r.instances) {
          yield '<VALUE.INSTANCEWITHPATH>' + instancePathXml(inst.path!, opts) + instanceXml(inst, flags) + '</VALUE.INSTANCEWITHPATH>';
        }
      } else if (r.items === 'instancePaths') {
        for (const n of r.paths) yield instancePathXml(n, opts);
      } else {
        for (const inst of r.instances) yield instanceXml(inst, flags);
      }
      // DSP0200 §5.4: always both OUT parameters; the context is empty once the sequence ended.
      yield IRV_CLOSE +
        '<PARAMVALUE NAME="EndOfSequence" PARAMTYPE="boolean"><VALUE>' + (r.endOfSequence ? 'TRUE' : 'FALSE') + '</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>' + (r.endOfSequence ? '' : escapeText(r.context)) + '</VALUE></PARAMVALUE>';
      return;
    case 'count':
      yield IRV_OPEN + (r.value === null ? '' : '<VALUE>' + r.value + '</VALUE>') + IRV_CLOSE;
      return;
  }
}

/** A typed value's content: '' for NULL, VALUE.REFERENCE / VALUE.REFARRAY for references. */
function valueContentXml(v: CimValue, type: CimType, isArray: boolean): string {
  if (v === null) return '';
  if (type === 'reference') {
    if (isArray || Array.isArray(v)) return refArrayXml(Array.isArray(v) ? v : [v]);
    return v instanceof CimInstanceName ? valueReferenceXml(v) : '';
  }
  if (isArray) return arrayXml(Array.isArray(v) ? v : [v]);
  return anyValueXml(Array.isArray(v) ? v[0] ?? null : v);
}

function paramTypeAttrs(type: CimType, kind: EmbeddedKind | undefined): string {
  return ' PARAMTYPE="' + (kind ? 'string' : type) + '"' + (kind ? embeddedAttrs(kind) : '');
}

/**
 * METHODRESPONSE: RETURNVALUE with PARAMTYPE always, then the OUT parameters with PARAMTYPE
 * always (DSP0201 §5.3.1); REF OUT parameters as VALUE.REFERENCE, REF arrays as VALUE.REFARRAY.
 */
export function encodeExtrinsicResponse(messageId: string, method: string, result: ExtrinsicResult | CimError): string {
  if (result instanceof CimError) return encodeError(messageId, method, 'extrinsic', result);
  // RETURNVALUE takes PARAMTYPE only: wbemcli refuses an EmbeddedObject attribute there.
  const rtype = embeddedKindOf(undefined, result.returnValue) ? 'string' : result.returnType;
  let s = envelopeOpen(messageId) + '<SIMPLERSP><METHODRESPONSE NAME="' + escapeAttr(method) + '">' +
    '<RETURNVALUE PARAMTYPE="' + rtype + '">' +
    valueContentXml(result.returnValue, result.returnType, false) + '</RETURNVALUE>';
  for (const p of result.out) {
    const kind = embeddedKindOf(p.embeddedObject, p.value);
    s += '<PARAMVALUE NAME="' + escapeAttr(p.name) + '"' + paramTypeAttrs(p.type, kind) + '>' +
      valueContentXml(p.value, p.type, p.isArray) + '</PARAMVALUE>';
  }
  return s + '</METHODRESPONSE></SIMPLERSP>' + ENVELOPE_CLOSE;
}
