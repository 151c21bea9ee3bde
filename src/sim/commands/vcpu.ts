// xl vcpu-set / vcpu-list / vcpu-pin (tools/xl/xl_vcpu.c; docs/xl-toolstack.md §6).
import { getopts, has } from '../cli-args.js';
import { isRunning } from '../clock.js';
import { formatCpuMap, parseCpuList } from '../cpumap.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import { normaliseMap } from '../domain-factory.js';
import type { Domain, HostState } from '../host-state.js';
import type { Globals } from '../globals.js';
import { err, out } from '../io.js';
import { padL, padR } from '../printf.js';
import { withHost } from '../session.js';

const HEADER = `${padR('Name', 32)} ${padL('ID', 5)} ${padL('VCPU', 5)} ${padL('CPU', 5)} ${padL('State', 5)} ${padL('Time(s)', 9)} Affinity (Hard / Soft)\n`;

/** A stable pCPU for a vCPU, inside its hard affinity. */
function pcpuOf(s: HostState, d: Domain, i: number): number {
  const hard = d.vcpus[i]!.hard;
  const pool = hard && hard.length ? hard : Array.from({ length: s.host.nr_cpus }, (_, c) => c);
  return pool[(d.domid * 3 + i * 5) % pool.length]!;
}

function rows(s: HostState, d: Domain): string {
  let o = '';
  d.vcpus.forEach((v, i) => {
    let r = `${padR(d.name, 32)} ${padL(d.domid, 5)} ${padL(i, 5)}`;
    if (v.online) {
      const running = d.domid === 0 && i === 0;
      const blocked = !running && isRunning(d);
      r += `${padL(pcpuOf(s, d, i), 5)} ${padL(running ? 'r' : '-', 3)}${blocked ? 'b' : '-'}- `;
    } else {
      r += `${padL('-', 5)} ${padL('-', 3)}-p `;
    }
    r += `${padL((v.time_ns / 1e9).toFixed(1), 9)}  ${formatCpuMap(v.hard, s.host.nr_cpus)} / ${formatCpuMap(v.soft, s.host.nr_cpus)}\n`;
    o += r;
  });
  return o;
}

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  if (cmd === 'vcpu-list') {
    const p = await getopts(cmd, argv, '', [], 0);
    return withHost(g.dir, (ctx) => {
      const s = ctx.state;
      out(HEADER);
      const doms = p.args.length ? p.args.map((a) => {
        const id = findDomain(s, a);
        const d = domainById(s, id);
        if (!d) { err(`libxl_domain_info failed for domid ${id}.\n`); }
        return d;
      }) : [...s.domains];
      out(doms.filter((d): d is Domain => !!d).map((d) => rows(s, d)).join(''));
      return 0;
    });
  }
  if (cmd === 'vcpu-set') {
    const p = await getopts(cmd, argv, 'i', [{ name: 'ignore-host', hasArg: false, val: 'i' }], 2);
    return withHost(g.dir, (ctx) => {
      const s = ctx.state;
      const id = findDomain(s, p.args[0]!);
      const m = /^\s*[+]?([0-9]+)/.exec(p.args[1]!);
      if (!m || Number(m[1]) > 0x7fffffff) { err('Error: Invalid argument.\n'); return 1; }
      const n = Number(m[1]);
      const d = domainById(s, id);
      if (!d) { err(`libxl: error: libxl_domain.c:356:libxl_domain_info: ${domPrefix(id)}getting domain info list: No such process\n`); return 1; }
      const online = d.vcpus.filter((v) => v.online).length;
      if (!has(p, 'i') && n > online && n > s.host.nr_cpus) {
        err(`You are overcommmitting! You have ${s.host.nr_cpus} physical CPUs and want ${n} vCPUs! Aborting, use --ignore-host to continue\n`);
        return 1;
      }
      if (n === 0) {
        err(`libxl: error: libxl_domain.c:1863:libxl_set_vcpuonline: ${domPrefix(id)}Requested 0 VCPUs!: Function not implemented\nlibxl_set_vcpuonline failed domid=${id} max_vcpus=0, rc: -3\n`);
        return 1;
      }
      if (n > d.vcpus.length) {
        err(`libxl: error: libxl_domain.c:1869:libxl_set_vcpuonline: ${domPrefix(id)}Requested ${n} VCPUs, however maxcpus is ${d.vcpus.length}!: Function not implemented\nlibxl_set_vcpuonline failed domid=${id} max_vcpus=${n}, rc: -3\n`);
        return 1;
      }
      d.vcpus.forEach((v, i) => { v.online = i < n; });
      ctx.dirty = true;
      return 0;
    });
  }
  // vcpu-pin [-f] <Domain> <vcpu|all> <hard|-|all> [<soft|-|all>]
  const p = await getopts(cmd, argv, 'f', [
    { name: 'force', hasArg: false, val: 'f' }, { name: 'ignore-global-affinity-masks', hasArg: false, val: 'i' },
  ], 3);
  return withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const id = findDomain(s, p.args[0]!);
    const vcpuArg = p.args[1]!;
    if (vcpuArg !== 'all' && !/^[0-9]+$/.test(vcpuArg)) { err(`Error: Invalid argument ${vcpuArg} as VCPU.\n`); return 1; }
    if (vcpuArg === 'all' && has(p, 'f')) { err("Error: --force and 'all' as VCPU not allowed.\n"); return 1; }
    const parseMap = (a: string | undefined): number[] | null | undefined => {
      if (a === undefined || a === '-') return undefined;
      return parseCpuList(a, s.host);
    };
    const hard = parseMap(p.args[2]);
    const soft = parseMap(p.args[3]);
    if (hard === null || soft === null) { err('Error: Invalid argument.\n'); return 1; }
    if (g.dryrun) {
      out(`cpumap: ${hard === undefined ? '-' : formatCpuMap(hard, s.host.nr_cpus)}${soft === undefined ? '' : ' ' + formatCpuMap(soft, s.host.nr_cpus)}\n`);
      return 0;
    }
    if (hard !== undefined && hard.length === 0) { err('vcpu hard affinity map is empty\n'); return 1; }
    const d = domainById(s, id);
    if (!d) { err(`libxl: error: libxl_domain.c:1013:libxl_set_vcpuaffinity: ${domPrefix(id)}Setting vcpu affinity: No such process\n`); return 1; }
    const targets = vcpuArg === 'all' ? d.vcpus.map((_, i) => i) : [Number(vcpuArg)];
    for (const i of targets) {
      const v = d.vcpus[i];
      if (!v) { err(`libxl: error: libxl_domain.c:1013:libxl_set_vcpuaffinity: ${domPrefix(id)}Setting vcpu affinity: Invalid argument\n`); return 1; }
      if (hard !== undefined) v.hard = normaliseMap(hard, s.host.nr_cpus);
      if (soft !== undefined) v.soft = normaliseMap(soft, s.host.nr_cpus);
    }
    ctx.dirty = true;
    return 0;
  });
}
