// xl mem-set / xl mem-max <Domain> <size> (tools/libs/light/libxl_mem.c; docs/xl-toolstack.md §6).
import { getopts } from '../cli-args.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err } from '../io.js';
import { parseMemSizeKb } from '../mem-size.js';
import { freeKb, footprintKb, MIN_DOM0_KB } from '../overhead.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, '', [], 2);
  const [arg, size] = p.args as [string, string];
  return withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const id = findDomain(s, arg);
    const kb = parseMemSizeKb(size);
    if (kb === null) { err(`invalid memory size: ${size}\n`); return 1; }
    const d = domainById(s, id);
    const video = d?.config.b_info?.video_memkb ?? 0;
    if (cmd === 'mem-max') {
      const fail = (msg: string) => { err(msg + `cannot set domid ${id} static max memory to : ${size}\n`); return 1; };
      if (!d) return fail(`libxl: error: libxl_mem.c:47:libxl_domain_setmaxmem: ${domPrefix(id)}Cannot get memory info from /local/domain/${id}/memory/target: No such file or directory\n`);
      if (kb < d.target_kb - (d.domid === 0 ? 0 : video)) {
        return fail(`libxl: error: libxl_mem.c:59:libxl_domain_setmaxmem: ${domPrefix(id)}memory_static_max must be greater than or or equal to memory_dynamic_max: Function not implemented\n`);
      }
      d.max_kb = kb;
      ctx.dirty = true;
      return 0;
    }
    const fail = (msg: string) => { err(msg + `cannot set domid ${id} dynamic max memory to : ${size}\n`); return 1; };
    if (!d) return fail(`libxl: error: libxl_mem.c:236:libxl_set_memory_target: ${domPrefix(id)}Cannot get target memory info from /local/domain/${id}/memory/target: No such file or directory\n`);
    if (id === 0 && kb < MIN_DOM0_KB) {
      return fail(`libxl: error: libxl_mem.c:287:libxl_set_memory_target: New target ${kb} for dom0 is below the minimum threshold\n`);
    }
    if (kb > d.max_kb) {
      // The libxl message ends in "\n" itself, hence the empty line (docs/xl-toolstack.md §2).
      return fail(`libxl: error: libxl_mem.c:278:libxl_set_memory_target: ${domPrefix(id)}memory_dynamic_max must be less than or equal to memory_static_max\n\n`);
    }
    // Growing needs free host memory (free_memory_mib fault or a full host).
    const before = footprintKb(d);
    const old = d.target_kb;
    d.target_kb = kb;
    const grow = footprintKb(d) - before;
    d.target_kb = old;
    if (grow > 0 && grow > freeKb(s, ctx.freeFaultMib)) {
      return fail(`libxl: error: libxl_mem.c:347:libxl_set_memory_target: ${domPrefix(id)}xc_domain_set_pod_target memkb=${kb} failed: Cannot allocate memory\n\n`);
    }
    d.target_kb = kb;
    ctx.dirty = true;
    return 0;
  });
}
