/**
 * `xentop -b` batch output (xl-reference §6). Each iteration repeats the header; CPU(%) is 0.0 in
 * the first, so callers run `-i 2 -d 1` and keep the LAST block. Names are truncated to 10 chars
 * unless `-f` was given. Extra lines (-v/-n/-x) are skipped.
 */
export interface XentopRow {
  name: string;
  state: string;
  cpuSec: number;
  cpuPercent: number;
  memKiB: number;
  memPercent: number;
  /** undefined = "no limit" */
  maxMemKiB?: number;
  vcpus: number;
  nets: number;
  netTxKiB: number;
  netRxKiB: number;
  vbds: number;
  vbdOo: number;
  vbdRd: number;
  vbdWr: number;
  vbdRsect: number;
  vbdWsect: number;
  ssid: number;
}

const TAIL = 18; // fields after NAME ("no limit" counts as two before normalising)

/** Rows of the last iteration. */
export function parseXentop(text: string): XentopRow[] {
  let rows: XentopRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*NAME\s+STATE\s+CPU\(sec\)/.test(line)) {
      rows = [];
      continue;
    }
    if (/^(VCPUs\(sec\):|Net\d+ |VBD |\s*$)/.test(line)) continue;
    const parts = line.trim().replace(/ no limit /, ' nolimit ').split(/\s+/);
    if (parts.length < TAIL + 1) continue;
    const f = parts.slice(parts.length - TAIL);
    const name = parts.slice(0, parts.length - TAIL).join(' ');
    const n = (i: number): number => Number(f[i]);
    rows.push({
      name,
      state: f[0]!,
      cpuSec: n(1),
      cpuPercent: n(2),
      memKiB: n(3),
      memPercent: n(4),
      ...(f[5] === 'nolimit' ? {} : { maxMemKiB: n(5) }),
      vcpus: n(7),
      nets: n(8),
      netTxKiB: n(9),
      netRxKiB: n(10),
      vbds: n(11),
      vbdOo: n(12),
      vbdRd: n(13),
      vbdWr: n(14),
      vbdRsect: n(15),
      vbdWsect: n(16),
      ssid: n(17),
    });
  }
  return rows;
}
