/**
 * The normaliser of the wire-vector goldens (test/vectors/README.md): a response rendered as
 * text where only the values that legitimately vary between runs are replaced by placeholders,
 * and the XML is broken into one element per line so a golden diff reads line by line.
 */

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  trailers: Record<string, string | undefined>;
  body: string;
}

/** Headers that say what the answer is; Date, Content-Length (follows the body) and the like are left out. */
const KEPT_HEADERS = ['content-type', 'content-encoding', 'cimoperation', 'cimerror', 'www-authenticate', 'trailer'];

/**
 * The rules, applied in order. Each replaces a value that differs from run to run with a
 * placeholder of the same meaning; everything else (MESSAGE ID included) stays byte-exact.
 */
export const RULES: readonly [string, RegExp, string][] = [
  // CIM datetimes (DSP0004 §5.2.4) of the moment: install dates, time of last state change, job times.
  ['datetime', /\d{14}\.\d{6}[+-]\d{3}/g, '<DATETIME>'],
];

/** A UUID (RFC 4122 text form). */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** A MAC address in the Xen OUI 00:16:3e, the rest random (what xl gives a NIC without one). */
const XEN_MAC = /00:16:3e(?::[0-9a-f]{2}){3}/gi;

/** Replaces each match not in `keep` by <LABEL-n>, numbered by first appearance. */
function number(text: string, re: RegExp, label: string, keep: ReadonlySet<string>): string {
  const seen = new Map<string, string>();
  return text.replace(re, (u) => {
    const k = u.toLowerCase();
    if (keep.has(k)) return u;
    let n = seen.get(k);
    if (n === undefined) seen.set(k, (n = `<${label}-${seen.size + 1}>`));
    return n;
  });
}

/**
 * `keep`: UUIDs and MACs the request itself names (the system the captures address), which stay
 * exact. Every other UUID is made at run time (the simulated host's and domains' UUIDs, job ids),
 * every other Xen-OUI MAC is random: they become <UUID-1>, <MAC-1>… in order of first
 * appearance, so which values are equal stays visible.
 */
export function normalise(body: string, keep: ReadonlySet<string> = new Set()): string {
  const s = number(number(body, UUID, 'UUID', keep), XEN_MAC, 'MAC', keep);
  return RULES.reduce((t, [, re, to]) => t.replace(re, to), s);
}

/** The whole answer as golden text: status, kept headers, framing, trailers, normalised body. */
export function render(r: WireResponse, request = ''): string {
  const keep = new Set([...request.matchAll(UUID), ...request.matchAll(XEN_MAC)].map((m) => m[0].toLowerCase()));
  const lines = [`HTTP ${r.status}`];
  for (const h of KEPT_HEADERS) {
    const v = r.headers[h];
    if (v !== undefined) lines.push(`${h}: ${Array.isArray(v) ? v.join(', ') : v}`);
  }
  lines.push(`framing: ${r.headers['transfer-encoding'] === 'chunked' ? 'chunked' : 'content-length'}`);
  for (const [k, v] of Object.entries(r.trailers).sort()) lines.push(`trailer ${k}: ${v}`);
  lines.push('');
  lines.push(normalise(r.body, keep).replace(/></g, '>\n<'));
  return lines.join('\n').trimEnd() + '\n';
}
