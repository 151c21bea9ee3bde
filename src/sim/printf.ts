// Tiny helpers that mimic the C printf conversions xl uses ("%-40s", "%5d", "%8.1f"...).
// C pads to a width in bytes: a UTF-8 name with characters beyond ASCII gets fewer spaces.

function bytes(t: string): number {
  // ASCII (every number and nearly every name) is one byte a character: no encoding needed.
  return /^[\x00-\x7f]*$/.test(t) ? t.length : Buffer.byteLength(t, 'utf8');
}

export function padL(s: string | number, width: number): string {
  const t = String(s);
  const n = bytes(t);
  return n >= width ? t : ' '.repeat(width - n) + t;
}

export function padR(s: string | number, width: number): string {
  const t = String(s);
  const n = bytes(t);
  return n >= width ? t : t + ' '.repeat(width - n);
}
