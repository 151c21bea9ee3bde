// `xl list` table (tools/xl/xl_info.c list_domains; samples in test/data/xl-samples).
import type { Domain, HostState } from '../host-state.js';
import { cpuTimeNs, onlineVcpus, xlStateString } from '../domain-view.js';
import { currentKb } from '../overhead.js';
import { padL, padR } from '../printf.js';

export interface ListOpts { verbose: boolean; context: boolean; cpupool: boolean; numa: boolean; claims?: boolean }

export function listHeader(o: ListOpts): string {
  let h = 'Name                                        ID   Mem VCPUs\tState\tTime(s)';
  if (o.claims) h += '  Claimed';
  if (o.verbose) h += '   UUID                            Reason-Code\tSecurity Label';
  if (o.context && !o.verbose) h += '   Security Label';
  if (o.cpupool) h += '         Cpupool';
  if (o.numa) h += ' NODE Affinity';
  return h + '\n';
}

export function listRow(_s: HostState, d: Domain, o: ListOpts): string {
  // "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f"
  let r = `${padR(d.name, 40)} ${padL(d.domid, 5)} ${padL(Math.floor(currentKb(d) / 1024), 5)} ${padL(onlineVcpus(d), 5)}     ${xlStateString(d)}  ${padL((cpuTimeNs(d) / 1e9).toFixed(1), 8)}`;
  if (o.claims) r += ` ${padL(0, 5)}`;
  if (o.verbose) {
    r += ` ${d.uuid}`;
    r += d.shutdown_reason !== null ? ` ${padL(d.shutdown_reason.toString(16), 8)}` : ` ${padL('-', 8)}`;
    r += ` ${padL('-', 16)}`;
  }
  if (o.context && !o.verbose) r += ` ${padL('-', 16)}`;
  if (o.cpupool) r += padL('Pool-0', 16);
  if (o.numa) r += ' all';
  return r + '\n';
}
