/**
 * The read-only network pages: GET /networks (an HTML list with links to the drawings; the
 * same list as JSON for a client whose Accept header prefers application/json),
 * /networks/NAME.svg (the drawing), /networks/NAME.json (the picture it is drawn from).
 * No scripts, no external resources: the list page allows only its own inline style and
 * images from its own origin; a drawing, styled by presentation attributes only, allows nothing.
 */
import type { NetworkPicture, NetworkState } from '../virt/networks/types.js';
import { escapeXml as x } from './escape.js';
import { renderNetworkSvg } from './svg.js';

/** Where the pages read networks from (the virtualization model, in the wiring). */
export interface NetworkSource {
  list(): Promise<readonly { name: string; state: NetworkState; members: readonly unknown[]; links: readonly unknown[] }[]>;
  /** undefined: no such network. */
  picture(name: string): Promise<NetworkPicture | undefined>;
}

export interface PageAnswer { status: number; contentType: string; body: string; headers?: Record<string, string> }

export const NETWORKS_PREFIX = '/networks';
/** A network's name as the model allows it: 1 to 64 of A-Z a-z 0-9 _ . -, not starting with '.', not all digits. */
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const SVG_CSP = "default-src 'none'; frame-ancestors 'none'";
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

/** One entry of the JSON list (GET /networks, Accept: application/json). */
export interface NetworkListEntry { name: string; state: NetworkState; routers: number; links: number }

export function networkPages(source: NetworkSource): { prefix: string; serve(path: string, accept?: string): Promise<PageAnswer> } {
  return {
    prefix: NETWORKS_PREFIX,
    async serve(path, accept) {
      if (path === NETWORKS_PREFIX || path === `${NETWORKS_PREFIX}/`) {
        const networks = await source.list();
        return prefersJson(accept) ? listJson(networks) : listPage(networks);
      }
      const rest = path.slice(NETWORKS_PREFIX.length + 1);
      const m = /^([^/]+)\.(svg|json)$/.exec(rest);
      if (!m) return notFound('no such page: /networks lists the networks, /networks/NAME.svg draws one, /networks/NAME.json is its picture');
      const name = networkName(m[1]!);
      if (name === undefined) return { status: 400, contentType: 'text/plain; charset=utf-8', body: "not a network name: 1 to 64 letters, digits, '_', '.' or '-', not starting with '.', not all digits\n" };
      const picture = await source.picture(name);
      if (!picture) return notFound(`no network named ${JSON.stringify(name)} (GET /networks lists them)`);
      return m[2] === 'svg'
        ? { status: 200, contentType: 'image/svg+xml; charset=utf-8', body: renderNetworkSvg(picture), headers: { 'Content-Security-Policy': SVG_CSP } }
        : { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(picture, null, 2) + '\n', headers: { 'Content-Security-Policy': JSON_CSP } };
    },
  };
}

/** The name in a path segment, percent-decoded, or undefined when it cannot be one. */
export function networkName(segment: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return NAME.test(name) && !/^[0-9]+$/.test(name) ? name : undefined;
}

/** The path of a network's drawing or picture, its name percent-encoded. */
export function networkHref(name: string, kind: 'svg' | 'json'): string {
  return `${NETWORKS_PREFIX}/${encodeURIComponent(name)}.${kind}`;
}

/** A client asking for application/json before (or without) text/html gets the list as JSON. */
function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = accept.indexOf('application/json');
  const html = accept.indexOf('text/html');
  return json >= 0 && (html < 0 || json < html);
}

function listJson(networks: Awaited<ReturnType<NetworkSource['list']>>): PageAnswer {
  const entries: NetworkListEntry[] = networks.map((n) => ({ name: n.name, state: n.state, routers: n.members.length, links: n.links.length }));
  return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(entries, null, 2) + '\n', headers: { 'Content-Security-Policy': JSON_CSP, Vary: 'Accept' } };
}

function notFound(message: string): PageAnswer {
  return { status: 404, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}

function listPage(networks: Awaited<ReturnType<NetworkSource['list']>>): PageAnswer {
  const rows = networks.map((n) => `<tr class="network" data-name="${x(n.name)}">`
    + `<td><a class="drawing" href="${x(networkHref(n.name, 'svg'))}">${x(n.name)}</a></td>`
    + `<td>${x(n.state)}</td><td>${n.members.length}</td><td>${n.links.length}</td>`
    + `<td><a class="picture" href="${x(networkHref(n.name, 'json'))}">json</a></td></tr>`);
  const body = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>xen-wbem: virtual networks</title>
<style>
body { font-family: DejaVu Sans, Verdana, sans-serif; margin: 2em; color: #212121; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.3em 1em; border-bottom: 1px solid #ddd; }
</style>
</head>
<body>
<h1>Virtual networks</h1>
${networks.length === 0 ? '<p class="empty">No networks are defined.</p>' : `<table>
<thead><tr><th>network</th><th>state</th><th>routers</th><th>links</th><th>picture</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`}
<p>Each name links to its drawing (SVG); <code>xen-wbem network show NAME</code> prints the same topology as text.</p>
</body>
</html>
`;
  return { status: 200, contentType: 'text/html; charset=utf-8', body, headers: { 'Content-Security-Policy': HTML_CSP, Vary: 'Accept' } };
}
