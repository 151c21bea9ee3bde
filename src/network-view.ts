/**
 * `xen-wbem network show NAME [--svg FILE]` and `xen-wbem network list`: a client of a running
 * server's read-only network pages (GET /networks/NAME.json, GET /networks as JSON), with the
 * same server and credential options as `network apply`. The picture is drawn here, by the same
 * renderer the server uses for /networks/NAME.svg.
 */
import { open, rename, rm } from 'node:fs/promises';
import { RequestFailure, requestBounded } from './http-bounded.js';
import type { NetworkPicture } from './virt/networks/types.js';
import { networkHref, renderNetworkSvg, renderNetworkText, terminalSafe, type NetworkListEntry } from './topology/index.js';

export interface ViewClientOptions {
  /** e.g. http://127.0.0.1:5988 */
  url: string;
  user?: string;
  password?: string;
  /** https: accept a certificate that cannot be verified (self-signed). */
  insecure?: boolean;
  /** The whole answer within this long (default 60 s), and no larger than maxBytes (default 64 MiB). */
  timeoutMs?: number;
  maxBytes?: number;
}

/** A picture of thousands of routers is a few MiB of JSON: an answer beyond this is not one. */
const ANSWER_MAX_BYTES = 64 * 1024 * 1024;
const ANSWER_TIMEOUT_MS = 60_000;

export class ViewClientError extends Error {}

/** GET `path` from the server; the body of a 200 answer, or a ViewClientError saying what went wrong. */
export async function getText(opts: ViewClientOptions, path: string, accept: string): Promise<string> {
  let base: URL;
  try {
    base = new URL(opts.url);
  } catch {
    throw new ViewClientError(`--url must be a URL such as http://127.0.0.1:5988, got "${opts.url}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ViewClientError(`--url must be http: or https:, got "${opts.url}"`);
  const target = new URL(path, base);
  const headers: Record<string, string> = { Accept: accept };
  if (opts.user !== undefined) headers.Authorization = 'Basic ' + Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64');
  const maxBytes = opts.maxBytes ?? ANSWER_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? ANSWER_TIMEOUT_MS;
  // An answer streamed without end, or trickled byte by byte, must not hold the command or its memory.
  const answer = await requestBounded({ url: target, method: 'GET', headers, timeoutMs, maxBytes, ...(opts.insecure ? { insecure: true } : {}) })
    .catch((e: unknown) => {
      if (!(e instanceof RequestFailure)) throw e;
      if (e.reason === 'network') throw new ViewClientError(`cannot reach the server at ${base.origin}: ${e.message}`);
      throw new ViewClientError(`GET ${target.pathname}: ${e.reason === 'timeout' ? `no whole answer within ${timeoutMs / 1000} s` : `the answer is larger than ${maxBytes} bytes`}`);
    });
  if (answer.status === 200) return answer.text;
  const text = terminalSafe(answer.text.trim()).slice(0, 300);
  throw new ViewClientError(answer.status === 401
    ? `the server at ${base.origin} refused the credentials (401): give --user NAME and the password in XEN_WBEM_PASSWORD or with --password-stdin`
    : `GET ${target.pathname} answered ${answer.status}${text ? `: ${text}` : ''}`);
}

type Check = (v: unknown, where: string) => void;

/**
 * The shape of a picture or list, checked whole: a server (or whoever answers for it, with
 * --insecure) can put nothing else into the drawing written to a file or onto the terminal.
 */
function pictureChecks(lead: string): { picture: Check; list: Check } {
  const bad = (where: string, what: string): never => {
    throw new ViewClientError(`${lead}: ${where} ${what}`);
  };
  const text: Check = (v, where) => { if (typeof v !== 'string') bad(where, 'is not a text'); };
  // States are drawn as words (and coloured by them): lower-case letters and '_' only.
  const word: Check = (v, where) => { if (typeof v !== 'string' || !/^[a-z_]{1,32}$/.test(v)) bad(where, 'is not a state'); };
  const num: Check = (v, where) => { if (typeof v !== 'number' || !Number.isFinite(v)) bad(where, 'is not a number'); };
  const maybe = (c: Check): Check => (v, where) => { if (v !== undefined) c(v, where); };
  const list = (c: Check): Check => (v, where) => {
    if (!Array.isArray(v)) bad(where, 'is not a list');
    (v as unknown[]).forEach((e, i) => c(e, `${where}[${i}]`));
  };
  const record = (fields: Record<string, Check>): Check => (v, where) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(where, 'is not an object');
    for (const [k, c] of Object.entries(fields)) c((v as Record<string, unknown>)[k], `${where}.${k}`);
  };
  const end = record({ system: text, mac: text });
  return {
    list: list(record({ name: text, state: word, routers: num, links: num })),
    picture: record({
      name: text, state: word, uplinkBitsPerSecond: num, reservedBitsPerSecond: num,
      systems: list(record({ name: text, state: word, priority: num, interfaces: list(record({ mac: text, switch: text, limitBitsPerSecond: maybe(num) })) })),
      switches: list(record({ name: text, up: (v, where) => { if (typeof v !== 'boolean') bad(where, 'is not true or false'); }, link: maybe(text) })),
      links: list(record({
        name: text, switch: text, limitBitsPerSecond: maybe(num), reservationBitsPerSecond: maybe(num),
        ends: (v, where) => { if (!Array.isArray(v) || v.length !== 2) bad(where, 'is not two ends'); list(end)(v, where); },
      })),
    }),
  };
}

export async function fetchPicture(opts: ViewClientOptions, name: string): Promise<NetworkPicture> {
  const body = await getText(opts, networkHref(name, 'json'), 'application/json');
  let p: unknown;
  try {
    p = JSON.parse(body);
  } catch {
    throw new ViewClientError(`the server's picture of "${name}" is not JSON`);
  }
  pictureChecks(`the server's picture of "${name}" is not a network picture`).picture(p, 'picture');
  return p as NetworkPicture;
}

/** The text topology of a network; with `svgFile`, its drawing written there too (whole or not at all). */
export async function showNetwork(opts: ViewClientOptions, name: string, svgFile?: string): Promise<string> {
  const picture = await fetchPicture(opts, name);
  if (svgFile !== undefined) {
    // Whole or not at all: written beside it, flushed, renamed over it; nothing left behind when that fails.
    const tmp = `${svgFile}.tmp-${process.pid}`;
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(renderNetworkSvg(picture), 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, svgFile);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
  return renderNetworkText(picture);
}

export async function listNetworks(opts: ViewClientOptions): Promise<string> {
  let list: NetworkListEntry[];
  try {
    list = JSON.parse(await getText(opts, '/networks', 'application/json')) as NetworkListEntry[];
  } catch (e) {
    throw e instanceof ViewClientError ? e : new ViewClientError('the server\'s list of networks is not JSON');
  }
  pictureChecks('the server\'s list of networks is not one').list(list, 'list');
  if (list.length === 0) return 'no networks\n';
  const rows = [['NAME', 'STATE', 'ROUTERS', 'LINKS'], ...list.map((n) => [terminalSafe(n.name), n.state, String(n.routers), String(n.links)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
