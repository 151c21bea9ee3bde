// xl sched-credit / xl sched-credit2 (tools/xl/xl_sched.c; docs/xl-toolstack.md §6). Each command
// only talks to pools running its own scheduler.
import { getopts, has, val } from '../cli-args.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Domain, HostState } from '../host-state.js';
import type { Globals } from '../globals.js';
import { err, out } from '../io.js';
import { padL, padR } from '../printf.js';
import { withHost } from '../session.js';

const HEADER = `${padR('Name', 33)} ${padL('ID', 4)} ${padL('Weight', 6)} ${padL('Cap', 4)}\n`;
const row = (d: Domain) => `${padR(d.name, 33)} ${padL(d.domid, 4)} ${padL(d.weight, 6)} ${padL(d.cap, 4)}\n`;

function poolLine(s: HostState, credit2: boolean): string {
  if (credit2) return `Cpupool Pool-0: ratelimit=${s.sched_credit2.ratelimit_us}us\n`;
  const c = s.sched_credit;
  return `Cpupool Pool-0: tslice=${c.tslice_ms}ms ratelimit=${c.ratelimit_us}us migration-delay=${c.migr_delay_us}us\n`;
}

function intArg(v: string | undefined): number | undefined {
  return v === undefined ? undefined : parseInt(v, 10) || 0;
}

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const credit2 = cmd === 'sched-credit2';
  const sched = credit2 ? 'credit2' : 'credit';
  const longs = [
    { name: 'domain', hasArg: true, val: 'd' }, { name: 'weight', hasArg: true, val: 'w' },
    { name: 'cap', hasArg: true, val: 'c' }, { name: 'cpupool', hasArg: true, val: 'p' },
    { name: 'schedparam', hasArg: false, val: 's' }, { name: 'ratelimit_us', hasArg: true, val: 'r' },
  ];
  if (!credit2) longs.push({ name: 'tslice_ms', hasArg: true, val: 't' }, { name: 'migration_delay_us', hasArg: true, val: 'm' });
  const p = await getopts(cmd, argv, credit2 ? 'd:w:c:p:r:s' : 'd:w:c:p:t:r:m:s', longs, 0);
  const dom = val(p, 'd');
  const w = intArg(val(p, 'w'));
  const c = intArg(val(p, 'c'));
  const pool = val(p, 'p');
  const optS = has(p, 's');
  if (!credit2 && (pool !== undefined || optS) && (dom !== undefined || w !== undefined || c !== undefined)) {
    err('Specifying a cpupool or schedparam is not allowed with domain options.\n'); return 1;
  }
  if (credit2 && pool !== undefined && (dom !== undefined || w !== undefined || c !== undefined)) {
    err('Specifying a cpupool is not allowed with other options.\n'); return 1;
  }
  if (dom === undefined && (w !== undefined || c !== undefined)) { err('Must specify a domain.\n'); return 1; }
  return withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const ours = s.host.scheduler === sched;
    if (pool !== undefined && pool !== 'Pool-0') { err(`unknown cpupool '${pool}'\n`); return 1; }
    if (optS) {
      const r = intArg(val(p, 'r')), t = intArg(val(p, 't')), m = intArg(val(p, 'm'));
      if (r === undefined && t === undefined && m === undefined) { if (ours) out(poolLine(s, credit2)); return 0; }
      if (!ours) return 0;
      if (credit2) { if (r !== undefined) s.sched_credit2.ratelimit_us = r; }
      else {
        if (r !== undefined) s.sched_credit.ratelimit_us = r;
        if (t !== undefined) s.sched_credit.tslice_ms = t;
        if (m !== undefined) s.sched_credit.migr_delay_us = m;
      }
      ctx.dirty = true;
      return 0;
    }
    if (dom === undefined) {
      if (ours) out(poolLine(s, credit2) + HEADER + [...s.domains].sort((a, b) => a.domid - b.domid).map(row).join(''));
      return 0;
    }
    const id = findDomain(s, dom);
    const d = domainById(s, id);
    const fn = credit2 ? 'sched_credit2_domain_set' : 'sched_credit_domain_set';
    if (w === undefined && c === undefined) {
      out(HEADER);
      if (!ours) { err(`libxl_domain_sched_params_get returned ${s.host.scheduler} not ${sched}.\n`); return 1; }
      if (!d) { err('libxl_domain_sched_params_get failed.\n'); return 1; }
      out(row(d));
      return 0;
    }
    const line = (n: number) => `libxl: error: libxl_sched.c:${n}:${fn}: ${domPrefix(id)}`;
    if (!d || !ours) {
      err(`${line(credit2 ? 439 : 232)}Getting domain sched ${sched}: ${d ? 'Invalid argument' : 'No such process'}\nlibxl_domain_sched_params_set failed.\n`);
      return 1;
    }
    if (w !== undefined && (w < 1 || w > 65535)) {
      err(`${line(credit2 ? 445 : 238)}Cpu weight out of range, valid values are within range from 1 to 65535\nlibxl_domain_sched_params_set failed.\n`);
      return 1;
    }
    const maxCap = d.vcpus.length * 100;
    if (c !== undefined && (c < 0 || c > maxCap)) {
      err(`${line(credit2 ? 455 : 245)}Cpu cap out of range, valid range is from 0 to ${maxCap} for specified number of vcpus\nlibxl_domain_sched_params_set failed.\n`);
      return 1;
    }
    if (w !== undefined) d.weight = w;
    if (c !== undefined) d.cap = c;
    ctx.dirty = true;
    return 0;
  });
}
