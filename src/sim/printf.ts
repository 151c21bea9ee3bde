// Tiny helpers that mimic the C printf conversions xl uses ("%-40s", "%5d", "%8.1f"...).

export function padL(s: string | number, width: number): string {
  const t = String(s);
  return t.length >= width ? t : ' '.repeat(width - t.length) + t;
}

export function padR(s: string | number, width: number): string {
  const t = String(s);
  return t.length >= width ? t : t + ' '.repeat(width - t.length);
}
