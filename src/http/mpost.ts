/**
 * M-POST (DSP0200 §5.2 / RFC 2774): the CIM extension is declared in a `Man` header with a
 * two-digit namespace prefix, and every CIM header of the request and response then carries
 * that `NN-` prefix. POST needs none of this.
 */

/** The extension URI of the CIM mapping (DSP0200 §5.2.1). */
export const CIM_MAPPING_URI = 'http://www.dmtf.org/cim/mapping/http/v1.0';

/**
 * The `NN` declared for the CIM mapping in a `Man` (or `Opt`) header, or null when the header
 * does not declare it. A header may hold several comma-separated declarations, each
 * `"uri"; ns=NN` (the URI may or may not be quoted).
 */
export function cimExtensionPrefix(man: string | string[] | undefined): string | null {
  if (man === undefined) return null;
  const text = Array.isArray(man) ? man.join(',') : man;
  for (const decl of text.split(',')) {
    const parts = decl.split(';').map((p) => p.trim());
    const uri = (parts[0] ?? '').replace(/^"(.*)"$/, '$1');
    if (uri !== CIM_MAPPING_URI) continue;
    for (const p of parts.slice(1)) {
      const m = /^ns\s*=\s*"?(\d{2})"?$/i.exec(p);
      if (m) return m[1]!;
    }
  }
  return null;
}

/** Header name as it must appear in a message: `NN-Name` under M-POST, `Name` otherwise. */
export function cimHeaderName(name: string, prefix: string | null): string {
  return prefix === null ? name : `${prefix}-${name}`;
}

/** Response headers an M-POST answer carries (DSP0200 §5.2.2, RFC 2774 §4). */
export function mpostResponseHeaders(prefix: string): Record<string, string> {
  return {
    Ext: '',
    'Cache-Control': 'no-cache',
    Man: `${CIM_MAPPING_URI}; ns=${prefix}`,
  };
}
