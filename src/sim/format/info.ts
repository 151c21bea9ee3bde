// `xl info` (tools/xl/xl_info.c print_info; samples in test/data/xl-samples): "%-23s: %s" lines.
import type { HostState } from '../host-state.js';
import { padL, padR } from '../printf.js';

export function infoLines(s: HostState, freeKb: number, numa: boolean): Array<[string, string]> {
  const h = s.host;
  const [major, minor, ...extraParts] = h.xen_version.split('.');
  const extra = extraParts.length ? '.' + extraParts.join('.') : '';
  const khz = Math.round(h.cpu_mhz * 1000);
  const freeMib = Math.floor(freeKb / 1024);
  const L: Array<[string, string]> = [
    ['host', h.hostname],
    ['release', h.release],
    ['version', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)'],
    ['machine', 'x86_64'],
    ['nr_cpus', String(h.nr_cpus)],
    ['max_cpu_id', String(h.nr_cpus - 1)],
    ['nr_nodes', String(h.nr_nodes)],
    ['cores_per_socket', String(h.cores_per_socket)],
    ['threads_per_core', String(h.threads_per_core)],
    ['cpu_mhz', `${Math.floor(khz / 1000)}.${String(khz % 1000).padStart(3, '0')}`],
    ['hw_caps', 'bfebfbff:77fefbff:2c100800:00000121:0000000f:009c6fbf:00000000:00000100'],
    ['virt_caps', 'pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share gnttab-v1 gnttab-v2'],
    ['total_memory', String(h.total_memory_mib)],
    ['free_memory', String(freeMib)],
    ['sharing_freed_memory', '0'],
    ['sharing_used_memory', '0'],
    ['outstanding_claims', '0'],
    ['free_cpus', '0'],
  ];
  const tail: Array<[string, string]> = [
    ['xen_major', major ?? '4'],
    ['xen_minor', minor ?? '17'],
    ['xen_extra', extra],
    ['xen_version', h.xen_version],
    // A host without hardware virtualisation (host.json hvm_capable false) runs PV guests only.
    ['xen_caps', h.hvm_capable === false ? 'xen-3.0-x86_64 xen-3.0-x86_32p' : 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64'],
    ['xen_scheduler', h.scheduler],
    ['xen_pagesize', '4096'],
    ['platform_params', 'virt_start=0xffff800000000000'],
    ['xen_changeset', ''],
    ['xen_commandline', h.xen_commandline],
    ['cc_compiler', 'x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0'],
    ['cc_compile_by', 'pkg-xen-devel'],
    ['cc_compile_domain', 'lists.alioth.debian.org'],
    ['cc_compile_date', 'Tue Nov  4 16:52:00 UTC 2025'],
    ['build_id', '2f41839a1108775e3cd1094bee512a60139c07b4'],
    ['xend_config_format', '4'],
  ];
  if (!numa) return [...L, ...tail];
  return [...L, ['\u0000numa', numaBlock(s, freeMib)], ...tail];
}

function numaBlock(s: HostState, freeMib: number): string {
  const h = s.host;
  const perSocket = h.cores_per_socket * h.threads_per_core;
  const sockets = Math.max(1, Math.ceil(h.nr_cpus / perSocket));
  let t = 'cpu_topology           :\ncpu:    core    socket     node\n';
  for (let c = 0; c < h.nr_cpus; c++) {
    const socket = Math.floor(c / perSocket);
    const core = Math.floor((c % perSocket) / h.threads_per_core);
    const node = Math.floor((socket * h.nr_nodes) / sockets);
    t += `${padL(c, 3)}:    ${padL(core, 4)}     ${padL(socket, 4)}     ${padL(node, 4)}\n`;
  }
  t += 'device topology        :\ndevice           node\nNo device topology data available\n';
  t += 'numa_info              :\nnode:    memsize    memfree    distances\n';
  const size = Math.floor(h.total_memory_mib / h.nr_nodes);
  const free = Math.floor(freeMib / h.nr_nodes);
  for (let n = 0; n < h.nr_nodes; n++) {
    const dist = Array.from({ length: h.nr_nodes }, (_, m) => (m === n ? 10 : 21)).join(',');
    t += `${padL(n, 4)}:    ${padL(size, 6)}     ${padL(free, 6)}      ${dist}\n`;
  }
  return t;
}

export function formatInfo(lines: Array<[string, string]>): string {
  return lines.map(([k, v]) => (k === '\u0000numa' ? v : `${padR(k, 23)}: ${v}\n`)).join('');
}
