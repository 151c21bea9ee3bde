/**
 * The project's own small CIM-XML client for tests: builds DSP0201 requests, posts them with
 * DSP0200 headers, and parses responses into plain trees for assertions.
 */
import http from 'node:http';
import { XMLParser } from 'fast-xml-parser';

export interface ClientOptions {
  port: number;
  user?: string;
  password?: string;
  namespace?: string;
  headers?: Record<string, string>;
  agent?: http.Agent;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  trailers: NodeJS.Dict<string>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Every element as an array (uniform access); attributes stay scalars.
  isArray: (_name: string, _jpath: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

export type XmlNode = Record<string, unknown>;

export function parseXml(xml: string): XmlNode {
  return parser.parse(xml) as XmlNode;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function nsPath(ns: string): string {
  return `<LOCALNAMESPACEPATH>${ns.split('/').map((n) => `<NAMESPACE NAME="${n}"/>`).join('')}</LOCALNAMESPACEPATH>`;
}

export function instanceName(className: string, keys: Record<string, string>): string {
  return `<INSTANCENAME CLASSNAME="${className}">${Object.entries(keys)
    .map(([k, v]) => `<KEYBINDING NAME="${k}"><KEYVALUE VALUETYPE="string">${esc(v)}</KEYVALUE></KEYBINDING>`)
    .join('')}</INSTANCENAME>`;
}

export function envelope(inner: string, id = '1001'): string {
  return `<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="${id}" PROTOCOLVERSION="1.0"><SIMPLEREQ>${inner}</SIMPLEREQ></MESSAGE></CIM>`;
}

/** An IMETHODCALL with raw IPARAMVALUE XML fragments. */
export function imethodcall(method: string, ns: string, params: Record<string, string> = {}): string {
  return envelope(`<IMETHODCALL NAME="${method}">${nsPath(ns)}${Object.entries(params)
    .map(([n, v]) => `<IPARAMVALUE NAME="${n}">${v}</IPARAMVALUE>`)
    .join('')}</IMETHODCALL>`);
}

export function post(opts: ClientOptions, body: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = {
      'Content-Type': 'application/xml; charset="utf-8"',
      'CIMOperation': 'MethodCall',
      ...headers,
      ...(opts.headers ?? {}),
    };
    if (opts.user !== undefined) h.Authorization = 'Basic ' + Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64');
    const req = http.request({ host: '127.0.0.1', port: opts.port, path: '/cimom', method: 'POST', headers: h, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), trailers: res.trailers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends an intrinsic call; returns the parsed IMETHODRESPONSE node and the raw response. */
export async function intrinsic(opts: ClientOptions, method: string, params: Record<string, string> = {}): Promise<{ raw: RawResponse; rsp: XmlNode; error?: { code: number; description: string } }> {
  const ns = opts.namespace ?? 'root/test';
  const raw = await post(opts, imethodcall(method, ns, params), { CIMMethod: method, CIMObject: ns });
  if (raw.status !== 200) return { raw, rsp: {} };
  const tree = parseXml(raw.body);
  const rsp = first(first(first(first(tree, 'CIM'), 'MESSAGE'), 'SIMPLERSP'), 'IMETHODRESPONSE');
  const err = first(rsp, 'ERROR');
  return err ? { raw, rsp, error: { code: Number(err['@CODE']), description: String(err['@DESCRIPTION'] ?? '') } } : { raw, rsp };
}

/** Sends an extrinsic call on an instance path given as XML (INSTANCENAME). */
export async function extrinsic(opts: ClientOptions, method: string, target: { className: string; keys: Record<string, string> }, params: string): Promise<{ raw: RawResponse; rsp: XmlNode; error?: { code: number; description: string } }> {
  const ns = opts.namespace ?? 'root/test';
  const body = envelope(`<METHODCALL NAME="${method}"><LOCALINSTANCEPATH>${nsPath(ns)}${instanceName(target.className, target.keys)}</LOCALINSTANCEPATH>${params}</METHODCALL>`);
  const obj = `${ns}:${target.className}.${Object.entries(target.keys).map(([k, v]) => `${k}="${v}"`).join(',')}`;
  const raw = await post(opts, body, { CIMMethod: method, CIMObject: obj });
  if (raw.status !== 200) return { raw, rsp: {} };
  const tree = parseXml(raw.body);
  const rsp = first(first(first(first(tree, 'CIM'), 'MESSAGE'), 'SIMPLERSP'), 'METHODRESPONSE');
  const err = first(rsp, 'ERROR');
  return err ? { raw, rsp, error: { code: Number(err['@CODE']), description: String(err['@DESCRIPTION'] ?? '') } } : { raw, rsp };
}

export function first(node: XmlNode | undefined, tag: string): XmlNode {
  const v = node?.[tag];
  return (Array.isArray(v) ? v[0] : v) as XmlNode;
}

export function all(node: XmlNode | undefined, tag: string): XmlNode[] {
  const v = node?.[tag];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]) as XmlNode[];
}

/** Text of a node parsed with isArray=true (text lives under '#text'). */
export function text(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const t = node['#text'];
  return t === undefined ? '' : String(t);
}

/** The VALUE text of PROPERTY NAME=x in an INSTANCE node (undefined when NULL). */
export function propValue(instance: XmlNode, name: string): string | undefined {
  for (const p of all(instance, 'PROPERTY')) {
    if (String(p['@NAME']).toLowerCase() === name.toLowerCase()) {
      const v = all(p, 'VALUE');
      return v.length ? text(v[0]) : undefined;
    }
  }
  return undefined;
}

export function propNames(instance: XmlNode): string[] {
  return [...all(instance, 'PROPERTY'), ...all(instance, 'PROPERTY.ARRAY'), ...all(instance, 'PROPERTY.REFERENCE')].map((p) => String(p['@NAME']));
}
