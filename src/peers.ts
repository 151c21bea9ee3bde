/**
 * The other hosts this server can move systems to: `xen-wbem serve --peer NAME=URL` names each
 * one's WBEM endpoint, and `<data>/peers.json` (mode 0600: it holds passwords) the credentials
 * this server uses there, and optionally how its hypervisor tools reach that host:
 *
 *   { "version": 1, "peers": { "hostB": { "user": "migrator", "password": "…",
 *       "xlHost": "hostB.example.net", "simulatorState": "/srv/hostB/xl-sim" } } }
 *
 * `xlHost`: the destination `xl migrate` gets (ssh reaches its control domain; default NAME).
 * `simulatorState`: with the simulator, the destination host's state directory (default: the
 * sibling data directory named NAME, `<data>/../NAME/xl-sim`).
 *
 * A peer is a MigrationPeer (virt/migration.ts) spoken to over CIM-XML (DSP0200, DSP0201): the
 * destination's Xen_VirtualSystemMigrationService answers CheckIncomingVirtualSystem,
 * PrepareIncomingVirtualSystem and CancelIncomingVirtualSystem, xen-wbem's own methods between
 * its servers, which carry the source's stored definition.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { escapeAttr, escapeText } from './cimxml/xml-text.js';
import { parseXmlTree, type XNode } from './cimxml/xml-tree.js';
import { isLoopback } from './http/index.js';
import { RequestFailure, requestBounded } from './http-bounded.js';
import type { MigrationPeer, PortableDefinition } from './virt/index.js';

export const PEERS_FILE = 'peers.json';
const SERVICE = 'Xen_VirtualSystemMigrationService';
const NAMESPACE = 'root/virt';
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/;
/** More than any answer of the incoming-system methods (a few reasons): a peer sending more is refused. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface PeerConfig {
  name: string;
  url: string;
  user?: string;
  password?: string;
  xlHost: string;
  simulatorState?: string;
}

/** `NAME=URL` of --peer, checked. */
export function parsePeerArg(arg: string): { name: string; url: string } {
  const i = arg.indexOf('=');
  const name = i > 0 ? arg.slice(0, i) : '';
  const url = i > 0 ? arg.slice(i + 1) : '';
  if (!NAME.test(name)) throw new Error(`--peer ${arg}: expected NAME=URL with NAME a host name`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--peer ${arg}: '${url}' is not a URL (e.g. http://127.0.0.1:5990/cimom)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--peer ${arg}: the URL must be http or https`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/cimom';
  return { name, url: u.toString() };
}

/**
 * The peers of --peer with their credentials from `<data>/peers.json`. The file must be mode 0600
 * or stricter (like users.json): a looser one is refused, as a password readable by others.
 */
export function loadPeers(dataDir: string, urls: readonly { name: string; url: string }[]): PeerConfig[] {
  if (urls.length === 0) return [];
  const file = path.join(dataDir, PEERS_FILE);
  let entries: Record<string, Record<string, unknown>> = {};
  let st;
  try {
    st = statSync(file);
  } catch {
    st = undefined;
  }
  if (st) {
    if ((st.mode & 0o077) !== 0) {
      throw new Error(`${file} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}: it holds peer passwords and must not be readable by others (chmod 600 ${file})`);
    }
    const text = readFileSync(file, 'utf8');
    let doc: { peers?: unknown };
    try {
      doc = JSON.parse(text) as { peers?: unknown };
    } catch (e) {
      throw new Error(`${file}: not JSON (${(e as Error).message})`);
    }
    if (typeof doc !== 'object' || doc === null || typeof doc.peers !== 'object' || doc.peers === null) {
      throw new Error(`${file}: not a peers file (expected {"version": 1, "peers": {...}})`);
    }
    entries = doc.peers as Record<string, Record<string, unknown>>;
  }
  return urls.map(({ name, url }) => {
    const e = entries[name] ?? {};
    const str = (k: string): string | undefined => {
      const v = e[k];
      if (v !== undefined && typeof v !== 'string') throw new Error(`${file}: peers.${name}.${k} must be a string`);
      return v;
    };
    const xlHost = str('xlHost') ?? name;
    if (!NAME.test(xlHost)) throw new Error(`${file}: peers.${name}.xlHost '${xlHost}' is not a host name`);
    const user = str('user');
    const password = str('password');
    if ((user !== undefined || password !== undefined) && !protectedUrl(url)) {
      throw new Error(`--peer ${name}=${url}: its credentials (${file}) would cross the network in clear text; give an https URL (plain http only on the loopback)`);
    }
    const sim = str('simulatorState');
    return {
      name, url, xlHost,
      ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}),
      simulatorState: sim !== undefined ? path.resolve(dataDir, sim) : path.join(path.dirname(path.resolve(dataDir)), name, 'xl-sim'),
    };
  });
}

/** https, or plain http to this machine (the loopback): where Basic credentials may go. */
function protectedUrl(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || isLoopback(u.hostname);
}

/** The simulator's host registry (XL_SIM_HOSTS): each peer's xl name → its state directory. */
export function simulatorHosts(peers: readonly PeerConfig[]): Record<string, string> {
  return Object.fromEntries(peers.map((p) => [p.xlHost, p.simulatorState!]));
}

interface MethodAnswer {
  returnValue: number;
  out: Record<string, string | string[]>;
}

function param(name: string, value: string): string {
  return `<PARAMVALUE NAME="${escapeAttr(name)}" PARAMTYPE="string"><VALUE>${escapeText(value)}</VALUE></PARAMVALUE>`;
}

function paramU32(name: string, value: number): string {
  return `<PARAMVALUE NAME="${escapeAttr(name)}" PARAMTYPE="uint32"><VALUE>${value}</VALUE></PARAMVALUE>`;
}

function find(n: XNode, name: string): XNode | undefined {
  if (n.name === name) return n;
  for (const c of n.children) {
    const f = find(c, name);
    if (f) return f;
  }
  return undefined;
}

function readAnswer(body: string, method: string): MethodAnswer {
  const root = parseXmlTree(body);
  const error = find(root, 'ERROR');
  if (error) throw new Error(`${method}: CIM error ${error.attrs.CODE ?? '?'}: ${error.attrs.DESCRIPTION ?? ''}`);
  const resp = find(root, 'METHODRESPONSE');
  const rv = resp && find(resp, 'RETURNVALUE');
  const value = rv && find(rv, 'VALUE');
  if (!resp || !value) throw new Error(`${method}: the answer is not a method response`);
  const out: Record<string, string | string[]> = {};
  for (const p of resp.children.filter((c) => c.name === 'PARAMVALUE')) {
    const arr = find(p, 'VALUE.ARRAY');
    if (arr) out[p.attrs.NAME ?? ''] = arr.children.filter((c) => c.name === 'VALUE').map((c) => c.text);
    else {
      const v = find(p, 'VALUE');
      if (v) out[p.attrs.NAME ?? ''] = v.text;
    }
  }
  return { returnValue: Number(value.text.trim()), out };
}

/** A peer as a MigrationPeer, over CIM-XML. */
export class CimPeer implements MigrationPeer {
  readonly name: string;
  readonly address: string;
  readonly endpoint: string;
  private messageId = 0;

  constructor(private readonly cfg: PeerConfig, private readonly timeoutMs = 30_000) {
    this.name = cfg.name;
    this.address = cfg.xlHost;
    this.endpoint = new URL(cfg.url).host;
  }

  async check(def: PortableDefinition): Promise<string[]> {
    const a = await this.call('CheckIncomingVirtualSystem', param('Definition', JSON.stringify(def)));
    if (a.returnValue !== 0) throw new Error(`${this.name} answered CheckIncomingVirtualSystem with ${a.returnValue}`);
    return reasonsOf(a);
  }

  async prepare(def: PortableDefinition, ttlMs: number): Promise<void> {
    const a = await this.call('PrepareIncomingVirtualSystem', param('Definition', JSON.stringify(def)) + paramU32('TimeoutSeconds', Math.ceil(ttlMs / 1000)));
    if (a.returnValue !== 0) {
      const why = reasonsOf(a);
      throw new Error(why.length ? why.join('; ') : `${this.name} answered PrepareIncomingVirtualSystem with ${a.returnValue}`);
    }
  }

  async abandon(uuid: string): Promise<void> {
    const a = await this.call('CancelIncomingVirtualSystem', param('UUID', uuid));
    if (a.returnValue !== 0) throw new Error(`${this.name} answered CancelIncomingVirtualSystem with ${a.returnValue}`);
  }

  async arrived(uuid: string): Promise<boolean> {
    const a = await this.call('ConfirmIncomingVirtualSystem', param('UUID', uuid));
    return a.returnValue === 0;
  }

  private async call(method: string, params: string): Promise<MethodAnswer> {
    const id = ++this.messageId;
    const ns = NAMESPACE.split('/').map((n) => `<NAMESPACE NAME="${n}"/>`).join('');
    const body = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0">' +
      `<MESSAGE ID="${id}" PROTOCOLVERSION="1.0"><SIMPLEREQ><METHODCALL NAME="${method}">` +
      `<LOCALCLASSPATH><LOCALNAMESPACEPATH>${ns}</LOCALNAMESPACEPATH><CLASSNAME NAME="${SERVICE}"/></LOCALCLASSPATH>` +
      `${params}</METHODCALL></SIMPLEREQ></MESSAGE></CIM>`;
    const u = new URL(this.cfg.url);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/xml; charset="utf-8"',
      'Content-Length': Buffer.byteLength(body),
      CIMOperation: 'MethodCall',
      CIMMethod: method,
      CIMObject: encodeURIComponent(`${NAMESPACE}:${SERVICE}`),
    };
    if (this.cfg.user !== undefined) headers.Authorization = 'Basic ' + Buffer.from(`${this.cfg.user}:${this.cfg.password ?? ''}`).toString('base64');
    const where = `${this.name} (${this.cfg.url})`;
    const answer = await requestBounded({ url: u, headers, body, timeoutMs: this.timeoutMs, maxBytes: MAX_ANSWER_BYTES }).catch((e: unknown) => {
      if (!(e instanceof RequestFailure)) throw e;
      // A peer that trickles its answer would hold the migration (and the system's lock) for as long as it liked.
      if (e.reason === 'timeout') throw new Error(`${where} did not answer ${method} within ${this.timeoutMs} ms`);
      if (e.reason === 'too_large') throw new Error(`${where} answered more than ${MAX_ANSWER_BYTES} bytes to ${method}`);
      throw new Error(`${where}: ${e.message}`);
    });
    if (answer.status !== 200) {
      throw new Error(`${where} answered HTTP ${answer.status}${answer.headers['cimerror'] ? ` (${String(answer.headers['cimerror'])})` : ''}`);
    }
    return readAnswer(answer.text, method);
  }
}

function reasonsOf(a: MethodAnswer): string[] {
  const r = a.out.Reasons;
  return r === undefined ? [] : Array.isArray(r) ? r : [r];
}
