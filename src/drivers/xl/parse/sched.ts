/** `xl sched-credit` / `xl sched-credit2` listings (xl-reference §4.3). */
export interface SchedRow {
  name: string;
  domid: number;
  weight: number;
  cap: number;
}

export interface SchedListing {
  /** `Cpupool <name>: <params>` lines. */
  pools: { name: string; params: Record<string, string> }[];
  domains: SchedRow[];
}

export function parseSched(text: string): SchedListing {
  const out: SchedListing = { pools: [], domains: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const pool = /^Cpupool (\S+): (.*)$/.exec(line);
    if (pool) {
      const params: Record<string, string> = {};
      for (const kv of pool[2]!.trim().split(/\s+/)) {
        const [k, v] = kv.split('=');
        if (k && v !== undefined) params[k] = v;
      }
      out.pools.push({ name: pool[1]!, params });
      continue;
    }
    if (/^Name\s+ID\s+Weight\s+Cap/.test(line)) continue;
    const m = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) out.domains.push({ name: m[1]!.trim(), domid: Number(m[2]), weight: Number(m[3]), cap: Number(m[4]) });
  }
  return out;
}
