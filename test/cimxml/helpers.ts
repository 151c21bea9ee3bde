/** Test helpers: wire vectors on disk, and an independent reading of encoder output. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

/** test/vectors/requests/, found from dist/test/cimxml (repo root is ../../..). */
export const REQUESTS_DIR = fileURLToPath(new URL('../../../test/vectors/requests/', import.meta.url));

export interface Capture {
  file: string;
  requestLine: string;
  headers: Record<string, string>;
  body: string;
  bodyBytes: number;
}

/** Splits a byte-exact HTTP request into request line, headers (lower-cased names) and body. */
export function readCapture(file: string): Capture {
  const raw = readFileSync(REQUESTS_DIR + file);
  const sep = raw.indexOf('\r\n\r\n');
  if (sep < 0) throw new Error(`${file}: no end of headers`);
  const lines = raw.subarray(0, sep).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const bodyBuf = raw.subarray(sep + 4);
  return { file, requestLine: lines[0]!, headers, body: bodyBuf.toString('utf8'), bodyBytes: bodyBuf.length };
}

export function captureFiles(): string[] {
  return readdirSync(REQUESTS_DIR).filter((f) => f.endsWith('.txt')).sort();
}

/** An element read back from encoder output with fast-xml-parser directly (not our decoder). */
export interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  processEntities: true,
});

function convert(items: Record<string, unknown>[]): { children: El[]; text: string } {
  const children: El[] = [];
  let text = '';
  for (const it of items) {
    if ('#text' in it) {
      text += String(it['#text']);
      continue;
    }
    for (const k of Object.keys(it)) {
      if (k === ':@') continue;
      const inner = convert(it[k] as Record<string, unknown>[]);
      children.push({ name: k, attrs: (it[':@'] as Record<string, string>) ?? {}, ...inner });
    }
  }
  return { children, text };
}

export function parseBack(xml: string): El {
  const { children } = convert(parser.parse(xml) as Record<string, unknown>[]);
  if (children.length !== 1) throw new Error(`expected one root, got ${children.length}`);
  return children[0]!;
}

/** Follows a path of element names, each step the first child of that name. */
export function at(el: El, path: string): El {
  let cur = el;
  for (const step of path.split('/')) {
    const next = cur.children.find((c) => c.name === step);
    if (!next) throw new Error(`no <${step}> under <${cur.name}> (children: ${cur.children.map((c) => c.name).join(', ')})`);
    cur = next;
  }
  return cur;
}

export function all(el: El, name: string): El[] {
  return el.children.filter((c) => c.name === name);
}

/** Elements that must never be written self-closing (wbemcli refuses them). */
export const NO_SELF_CLOSE = /<(PROPERTY|PROPERTY\.ARRAY|PROPERTY\.REFERENCE|PARAMETER|PARAMETER\.[A-Z]+|QUALIFIER|METHOD|INSTANCE|CLASS|IMETHODRESPONSE|METHODRESPONSE)(\s[^>]*)?\/>/;

/** Request builders for unit tests. */
export function envelope(inner: string, id = '42', simple = 'SIMPLEREQ'): string {
  return `<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="${id}" PROTOCOLVERSION="1.0"><${simple}>${inner}</${simple}></MESSAGE></CIM>`;
}

export const LNS = '<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH>';

export const VM_NAME_XML =
  '<INSTANCENAME CLASSNAME="Xen_ComputerSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Xen_ComputerSystem</KEYVALUE></KEYBINDING>' +
  '<KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">vm1</KEYVALUE></KEYBINDING></INSTANCENAME>';

export function imethodcall(name: string, iparams: string): string {
  return envelope(`<IMETHODCALL NAME="${name}">${LNS}${iparams}</IMETHODCALL>`);
}

export function methodcall(name: string, params: string, target = `<LOCALINSTANCEPATH>${LNS}${VM_NAME_XML}</LOCALINSTANCEPATH>`): string {
  return envelope(`<METHODCALL NAME="${name}">${target}${params}</METHODCALL>`);
}

/** Escapes text the way a client puts an embedded object into VALUE. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
