/**
 * `xentop -b` batch output (tools/xentop/xentop.c; samples in test/data/xl-samples). Each
 * iteration repeats the header; the rows of the LAST iteration are kept. Names are full with -f.
 * With -n, the `NetN RX: … TX: …` lines after a domain's row give exact bytes and packets per vif,
 * seen from the control domain's side (RX is what the guest sent). Other extra lines are skipped.
 */
export interface XentopRow {
  name: string;
  state: string;
  cpuSec: number;
  memKiB: number;
  /** undefined = "no limit" */
  maxMemKiB?: number;
  vcpus: number;
  nets: number;
  /** Control-domain side: transmitted to the guest (KiB, integer). */
  netTxKiB: number;
  /** Control-domain side: received from the guest (KiB, integer). */
  netRxKiB: number;
  vbds: number;
  vbdOo: number;
  vbdRd: number;
  vbdWr: number;
  vbdRsect: number;
  vbdWsect: number;
  /** Sums of the -n lines (control-domain side), when present. */
  vif?: { rxBytes: number; rxPackets: number; txBytes: number; txPackets: number };
}

const TAIL = 18; // fields after NAME once "no limit" is one field

const NET_LINE = /^Net\d+\s+RX:\s*(\d+)bytes\s+(\d+)pkts\s+\d+err\s+\d+drop\s+TX:\s*(\d+)bytes\s+(\d+)pkts/;

export function parseXentop(text: string): XentopRow[] {
  let rows: XentopRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*NAME\s+STATE\s+CPU\(sec\)/.test(line)) {
      rows = [];
      continue;
    }
    const net = NET_LINE.exec(line);
    if (net) {
      const last = rows[rows.length - 1];
      if (last) {
        const v = (last.vif ??= { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 });
        v.rxBytes += Number(net[1]);
        v.rxPackets += Number(net[2]);
        v.txBytes += Number(net[3]);
        v.txPackets += Number(net[4]);
      }
      continue;
    }
    // The other extra lines, by their whole lead (a name may begin with Net<digits> or VBD).
    if (/^(VCPUs\(sec\):|Net\d+ RX:|VBD \S+ +\d+ \[|\s*$)/.test(line)) continue;
    const parts = line.trim().replace(/ no limit /, ' nolimit ').split(/\s+/);
    if (parts.length < TAIL + 1) continue;
    const f = parts.slice(parts.length - TAIL);
    const n = (i: number): number => Number(f[i]);
    if (![1, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].every((i) => Number.isFinite(n(i)))) continue;
    rows.push({
      name: parts.slice(0, parts.length - TAIL).join(' '),
      state: f[0]!,
      cpuSec: n(1),
      memKiB: n(3),
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
    });
  }
  return rows;
}
