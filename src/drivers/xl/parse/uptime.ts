/**
 * `xl uptime` (tools/xl/xl_misc.c): a header `Name ID Uptime`, then `%-33s %4d %s` rows whose
 * uptime is `D days, H:MM:SS`, `1 day, H:MM:SS` or `H:MM:SS`. Returns seconds by domain name.
 */
const ROW = /^(.*?)\s+(\d+)\s+(?:(\d+) days?,\s*)?(\d+):(\d\d):(\d\d)\s*$/;

export function parseUptime(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (/^Name\s+ID\s+Uptime/.test(line)) continue;
    const m = ROW.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const [, name, , days, h, min, s] = m;
    out.set(name!, Number(days ?? 0) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s));
  }
  return out;
}
