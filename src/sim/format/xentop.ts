// xentop batch-mode lines (tools/xentop/xentop.c; samples in test/data/xl-samples).
import type { Domain, HostState } from '../host-state.js';
import { cpuTimeNs, flags } from '../domain-view.js';
import { currentKb } from '../overhead.js';
import { padL } from '../printf.js';
import { vdevToDevid, diskBackendKind } from '../disk-spec.js';

export interface TopOpts { full: boolean; nets: boolean; vbds: boolean; vcpus: boolean; repeat: boolean }

export function nameWidth(doms: Domain[], o: TopOpts): number {
  // strlen(): bytes, as the padding of the name column (printf.ts) counts them.
  return o.full ? Math.max(10, ...doms.map((d) => Buffer.byteLength(d.name, 'utf8'))) : 10;
}

export function header(w: number): string {
  return `${padL('NAME', w)}  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID\n`;
}

/** Letters in xenstat order d s b c p r (a different order from xl list). */
function state(d: Domain): string {
  const f = flags(d);
  const crashed = f.shutdown && d.shutdown_reason === 3;
  return (f.dying ? 'd' : '-') + (f.shutdown ? 's' : '-') + (f.blocked ? 'b' : '-') + (crashed ? 'c' : '-') +
    (f.paused ? 'p' : '-') + (f.running ? 'r' : '-');
}

function vbdList(d: Domain): Array<{ vdev: string; devid: number }> {
  // Only blkback devices are visible to xenstat (qdisk ones are not counted).
  return (d.config.disks ?? []).filter((k: Record<string, any>) => diskBackendKind(k) === 'vbd')
    .map((k: Record<string, any>) => ({ vdev: k.vdev, devid: vdevToDevid(k.vdev) }));
}

export function domainLines(s: HostState, d: Domain, w: number, cpuPct: number, o: TopOpts): string {
  const totalKb = s.host.total_memory_mib * 1024;
  const mem = currentKb(d);
  const maxKb = d.domid === 0 ? d.max_kb : d.target_kb + 1024;
  const nics: Array<Record<string, any>> = d.config.nics ?? [];
  let tx = 0, rx = 0;
  for (const n of nics) { const c = d.nets[String(n.devid)]; if (c) { tx += c.tx_bytes; rx += c.rx_bytes; } }
  const vbds = vbdList(d);
  let oo = 0, rd = 0, wr = 0, rs = 0, ws = 0;
  for (const v of vbds) { const c = d.vbds[v.vdev]; if (c) { oo += c.oo; rd += c.rd; wr += c.wr; rs += c.rsect; ws += c.wsect; } }
  const name = o.full ? d.name : d.name.slice(0, 10);
  let line = [
    padL(name, w), padL(state(d), 6), padL(Math.floor(cpuTimeNs(d) / 1e9), 10), padL(cpuPct.toFixed(1), 6),
    padL(mem, 10), padL(((mem / totalKb) * 100).toFixed(1), 6), padL(maxKb, 10), padL(((maxKb / totalKb) * 100).toFixed(1), 9),
    padL(d.vcpus.length, 5), padL(nics.length, 4), padL(Math.floor(tx / 1024), 8), padL(Math.floor(rx / 1024), 8),
    padL(vbds.length, 4), padL(Math.floor(oo), 8), padL(Math.floor(rd), 8), padL(Math.floor(wr), 8),
    padL(Math.floor(rs), 10), padL(Math.floor(ws), 10), padL(0, 4),
  ].join(' ') + '\n';
  if (o.vcpus) {
    line += 'VCPUs(sec): ' + d.vcpus.filter((v) => v.online).map((v, i) => ` ${padL(i, 2)}: ${padL(Math.floor(v.time_ns / 1e9), 10)}s`).join('') + '\n';
  }
  if (o.nets) {
    nics.forEach((n, i) => {
      const c = d.nets[String(n.devid)] ?? { rx_bytes: 0, tx_bytes: 0, rx_pkts: 0, tx_pkts: 0 };
      line += `Net${i} RX: ${padL(Math.floor(c.rx_bytes), 8)}bytes ${padL(Math.floor(c.rx_pkts), 8)}pkts ${padL(0, 8)}err ${padL(0, 8)}drop  TX: ${padL(Math.floor(c.tx_bytes), 8)}bytes ${padL(Math.floor(c.tx_pkts), 8)}pkts ${padL(0, 8)}err ${padL(0, 8)}drop\n`;
    });
  }
  if (o.vbds) {
    for (const v of vbds) {
      const c = d.vbds[v.vdev] ?? { oo: 0, rd: 0, wr: 0, rsect: 0, wsect: 0 };
      const major = (v.devid >> 8) & 0xff, minor = v.devid & 0xff;
      line += `VBD BlkBack ${padL(v.devid, 4)} [${padL(major.toString(16), 2)}:${padL(minor.toString(16), 2)}]  OO: ${padL(Math.floor(c.oo), 8)}   RD: ${padL(Math.floor(c.rd), 8)}   WR: ${padL(Math.floor(c.wr), 8)}   RSECT: ${padL(Math.floor(c.rsect), 10)}   WSECT: ${padL(Math.floor(c.wsect), 10)}\n`;
    }
  }
  return line;
}
