// Pretty-printer reproducing yajl 2 "beautify" output as libxl 4.17 emits it
// (samples in test/data/xl-samples): 4-space indent, `"key": value`, and empty containers printed
// as the opening bracket, an empty line, then the closing bracket.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function str(s: string): string {
  // yajl escapes quote, backslash and control characters; '/' is left alone.
  let o = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') o += '\\"';
    else if (ch === '\\') o += '\\\\';
    else if (ch === '\n') o += '\\n';
    else if (ch === '\r') o += '\\r';
    else if (ch === '\t') o += '\\t';
    else if (ch === '\b') o += '\\b';
    else if (ch === '\f') o += '\\f';
    else if (c < 0x20) o += '\\u' + c.toString(16).toUpperCase().padStart(4, '0'); // yajl's CharToHex: upper case
    else o += ch;
  }
  return o + '"';
}

function emit(v: unknown, depth: number): string {
  const ind = '    '.repeat(depth);
  const ind1 = '    '.repeat(depth + 1);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.trunc(v) === v ? v : v) : '0';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n\n' + ind + ']';
    return '[\n' + v.map((x) => ind1 + emit(x, depth + 1)).join(',\n') + '\n' + ind + ']';
  }
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return '{\n\n' + ind + '}';
  return '{\n' + keys.map((k) => ind1 + str(k) + ': ' + emit((v as Record<string, unknown>)[k], depth + 1)).join(',\n') + '\n' + ind + '}';
}

/** yajl-beautified text of a value, without the trailing newline. */
export function yajl(v: unknown, depth = 0): string {
  return emit(v, depth);
}

export type { Json };
