// xl's parse_mem_size_kb (tools/xl/xl_utils.c; docs/xl-toolstack.md §6): integer with optional
// b/k/m/g/t suffix; no suffix = MiB.
export function parseMemSizeKb(arg: string): number | null {
  const m = /^(-?[0-9]+)([bBkKmMgGtT]?)$/.exec(arg);
  if (!m) return null;
  const n = Number(m[1]);
  switch (m[2]!.toLowerCase()) {
    case 'b': return Math.floor(n / 1024);
    case 'k': return n;
    case '': case 'm': return n * 1024;
    case 'g': return n * 1024 * 1024;
    case 't': return n * 1024 * 1024 * 1024;
    default: return null;
  }
}
