/**
 * `xen-wbem network apply FILE`: a topology file (network-file.ts) sent to a server as one
 * Xen_VirtualNetworkManagementService.DefineNetwork call over CIM-XML (DSP0200/DSP0201), as any
 * WBEM client would send it: the service's name is asked first (EnumerateInstanceNames: its
 * keys carry the server's host name), then the method is invoked on it. Credentials go as HTTP
 * Basic authentication.
 */
import { XMLParser } from 'fast-xml-parser';
import { escapeAttr, escapeText } from './cimxml/index.js';
import { RequestFailure, requestBounded } from './http-bounded.js';
import { type DefineNetworkCall, type EmbeddedInstance, readTopologyFile } from './network-file.js';

export interface ServerOptions {
  /** e.g. http://127.0.0.1:5988 */
  url: string;
  user?: string;
  password?: string;
  namespace: string;
  /** https: accept a self-signed certificate. */
  insecure?: boolean;
  /** How long the whole answer may take (default: past the server's own 120 s request timeout). */
  timeoutMs?: number;
  /** The largest answer read (default 16 MiB). */
  maxBytes?: number;
}

const ANSWER_TIMEOUT_MS = 150_000;
/** The answers read here (the service's name, DefineNetwork's result) are a few KiB. */
const ANSWER_MAX_BYTES = 16 * 1024 * 1024;

export class CimCallError extends Error {
  constructor(readonly status: number, readonly description: string, readonly method: string) {
    super(`${method}: ${description || `CIM error ${status}`}`);
  }
}

const SERVICE = 'Xen_VirtualNetworkManagementService';

type Keys = { name: string; value: string }[];

function nsXml(ns: string): string {
  return `<LOCALNAMESPACEPATH>${ns.split('/').map((n) => `<NAMESPACE NAME="${escapeAttr(n)}"/>`).join('')}</LOCALNAMESPACEPATH>`;
}

function instanceNameXml(className: string, keys: Keys): string {
  return `<INSTANCENAME CLASSNAME="${escapeAttr(className)}">${keys.map((k) =>
    `<KEYBINDING NAME="${escapeAttr(k.name)}"><KEYVALUE VALUETYPE="string">${escapeText(k.value)}</KEYVALUE></KEYBINDING>`).join('')}</INSTANCENAME>`;
}

function envelope(inner: string, id: number): string {
  return `<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="${id}" PROTOCOLVERSION="1.0"><SIMPLEREQ>${inner}</SIMPLEREQ></MESSAGE></CIM>`;
}

function embeddedXml(inst: EmbeddedInstance): string {
  const props = inst.properties.map((p) => {
    if (Array.isArray(p.value)) {
      const values = p.value.map((v) => (v === null ? '<VALUE.NULL/>' : `<VALUE>${escapeText(v)}</VALUE>`)).join('');
      return `<PROPERTY.ARRAY NAME="${p.name}" TYPE="${p.type}"><VALUE.ARRAY>${values}</VALUE.ARRAY></PROPERTY.ARRAY>`;
    }
    const text = typeof p.value === 'boolean' ? (p.value ? 'TRUE' : 'FALSE') : String(p.value);
    return `<PROPERTY NAME="${p.name}" TYPE="${p.type}"><VALUE>${escapeText(text)}</VALUE></PROPERTY>`;
  }).join('');
  return `<INSTANCE CLASSNAME="${inst.className}">${props}</INSTANCE>`;
}

/** An array parameter; NULL entries as VALUE.NULL (DSP0201), left out altogether when every entry is NULL. */
function arrayParam(name: string, type: string, values: (string | null)[], embedded = false): string {
  if (values.every((v) => v === null)) return '';
  const attr = embedded ? ' EmbeddedObject="instance"' : '';
  return `<PARAMVALUE NAME="${name}" PARAMTYPE="${type}"${attr}><VALUE.ARRAY>${values.map((v) => (v === null ? '<VALUE.NULL/>' : `<VALUE>${escapeText(v)}</VALUE>`)).join('')}</VALUE.ARRAY></PARAMVALUE>`;
}

const orNull = (n: number | null): string | null => (n === null ? null : String(n));

/** The DefineNetwork METHODCALL body for a service instance, as a WBEM client sends it. */
export function defineNetworkRequest(call: DefineNetworkCall, service: Keys, namespace: string, id = 1001): string {
  const routers = call.routers.length === 0 ? '' : `<PARAMVALUE NAME="Routers" PARAMTYPE="reference"><VALUE.REFARRAY>${call.routers.map((r) =>
    `<VALUE.REFERENCE>${instanceNameXml('Xen_ComputerSystem', [{ name: 'CreationClassName', value: 'Xen_ComputerSystem' }, { name: 'Name', value: r }])}</VALUE.REFERENCE>`).join('')}</VALUE.REFARRAY></PARAMVALUE>`;
  const params = [
    `<PARAMVALUE NAME="NetworkName" PARAMTYPE="string"><VALUE>${escapeText(call.networkName)}</VALUE></PARAMVALUE>`,
    routers,
    arrayParam('RouterPriorities', 'sint32', call.routerPriorities.map(orNull)),
    arrayParam('RouterSettings', 'string', call.routerSettings.map(embeddedXml), true),
    arrayParam('RouterSettingsPriorities', 'sint32', call.routerSettingsPriorities.map(orNull)),
    arrayParam('RouterResourceSettings', 'string', call.routerResourceSettings.map(embeddedXml), true),
    arrayParam('Switches', 'string', call.switches),
    arrayParam('Links', 'string', call.links.map(embeddedXml), true),
  ].join('');
  return envelope(`<METHODCALL NAME="DefineNetwork"><LOCALINSTANCEPATH>${nsXml(namespace)}${instanceNameXml(SERVICE, service)}</LOCALINSTANCEPATH>${params}</METHODCALL>`, id);
}

const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, processEntities: true,
  isArray: (_n: string, _j: unknown, _l: boolean, isAttribute: boolean) => !isAttribute,
});

type XmlNode = Record<string, unknown>;

function child(node: XmlNode | undefined, tag: string): XmlNode | undefined {
  const v = node?.[tag];
  return Array.isArray(v) ? (v[0] as XmlNode) : undefined;
}

function children(node: XmlNode | undefined, tag: string): XmlNode[] {
  const v = node?.[tag];
  return Array.isArray(v) ? (v as XmlNode[]) : [];
}

function textOf(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  return String((node as XmlNode)['#text'] ?? '');
}

/** The first element `tag` at any depth (a reference may come as INSTANCENAME, LOCALINSTANCEPATH or INSTANCEPATH). */
function find(node: XmlNode | undefined, tag: string): XmlNode | undefined {
  if (node === undefined || typeof node !== 'object') return undefined;
  const direct = child(node, tag);
  if (direct) return direct;
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || !Array.isArray(v)) continue;
    for (const e of v) {
      const hit = find(e as XmlNode, tag);
      if (hit) return hit;
    }
  }
  return undefined;
}

async function post(opts: ServerOptions, body: string, method: string, object: string): Promise<string> {
  const url = new URL('/cimom', opts.url);
  const headers: Record<string, string> = {
    'Content-Type': 'application/xml; charset="utf-8"',
    CIMProtocolVersion: '1.0',
    CIMOperation: 'MethodCall',
    CIMMethod: method,
    CIMObject: encodeURIComponent(object),
  };
  if (opts.user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}`;
  const timeout = opts.timeoutMs ?? ANSWER_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? ANSWER_MAX_BYTES;
  // A server that takes the connection and never answers, trickles its answer or streams one
  // without end must not hold the command or its memory: a deadline on the whole exchange, a bound on the answer.
  const answer = await requestBounded({ url, headers, body, timeoutMs: timeout, maxBytes, ...(opts.insecure ? { insecure: true } : {}) })
    .catch((e: unknown) => {
      if (!(e instanceof RequestFailure)) throw e;
      throw new Error(`${method}: ${e.reason === 'timeout' ? `the server at ${url.origin} did not answer within ${Math.round(timeout / 1000)} s`
        : e.reason === 'too_large' ? `the server's answer is larger than ${maxBytes} bytes` : `cannot reach ${url.origin}: ${e.message}`}`);
    });
  if (answer.status !== 200) {
    const cimError = answer.headers['cimerror'];
    throw new Error(`${method}: HTTP ${answer.status}${answer.status === 401 ? ' (user or password refused)' : ''}${cimError ? ` (${String(cimError)})` : ''}`);
  }
  return answer.text;
}

/** The response element (IMETHODRESPONSE or METHODRESPONSE), or a CimCallError from its ERROR. */
function responseOf(xml: string, tag: string, method: string): XmlNode {
  const rsp = child(child(child(child(parser.parse(xml) as XmlNode, 'CIM'), 'MESSAGE'), 'SIMPLERSP'), tag);
  if (!rsp) throw new Error(`${method}: the server's answer is not a CIM-XML ${tag}`);
  const err = child(rsp, 'ERROR');
  if (err) throw new CimCallError(Number(err['@CODE']), String(err['@DESCRIPTION'] ?? ''), method);
  return rsp;
}

/** The keys of the server's network management service. */
export async function serviceKeys(opts: ServerOptions): Promise<Keys> {
  const body = envelope(`<IMETHODCALL NAME="EnumerateInstanceNames">${nsXml(opts.namespace)}<IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="${SERVICE}"/></IPARAMVALUE></IMETHODCALL>`, 1001);
  const rsp = responseOf(await post(opts, body, 'EnumerateInstanceNames', opts.namespace), 'IMETHODRESPONSE', 'EnumerateInstanceNames');
  const name = child(child(rsp, 'IRETURNVALUE'), 'INSTANCENAME');
  if (!name) throw new Error(`the server has no ${SERVICE} in ${opts.namespace} (a server without virtual networks?)`);
  return children(name, 'KEYBINDING').map((k) => ({ name: String(k['@NAME']), value: textOf(child(k, 'KEYVALUE')) }));
}

/** Sends DefineNetwork; resolves to the new network's name, or rejects with the server's error. */
export async function applyTopology(call: DefineNetworkCall, opts: ServerOptions): Promise<{ network: string; returnValue: number }> {
  const service = await serviceKeys(opts);
  const object = `${opts.namespace}:${SERVICE}.${service.map((k) => `${k.name}="${k.value}"`).join(',')}`;
  const rsp = responseOf(await post(opts, defineNetworkRequest(call, service, opts.namespace, 1002), 'DefineNetwork', object), 'METHODRESPONSE', 'DefineNetwork');
  const returnValue = Number(textOf(child(child(rsp, 'RETURNVALUE'), 'VALUE')));
  const out = children(rsp, 'PARAMVALUE').find((p) => p['@NAME'] === 'ResultingNetwork');
  const keys = children(find(out, 'INSTANCENAME'), 'KEYBINDING');
  const network = textOf(child(keys.find((k) => k['@NAME'] === 'Name'), 'KEYVALUE')) || call.networkName;
  if (returnValue !== 0) throw new CimCallError(0, `DefineNetwork returned ${returnValue}`, 'DefineNetwork');
  return { network, returnValue };
}

/** Reads FILE and applies it. */
export async function applyNetworkFile(file: string, opts: ServerOptions): Promise<{ network: string; returnValue: number }> {
  return applyTopology(await readTopologyFile(file), opts);
}
