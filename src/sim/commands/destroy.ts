// xl destroy [-f] <Domain> (xl(1)): immediate, silent.
import { getopts, has } from '../cli-args.js';
import { removeDomain } from '../clock.js';
import { domainById, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err } from '../io.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'f', [], 1);
  return withHost(g.dir, (ctx) => {
    const id = findDomain(ctx.state, p.args[0]!);
    if (id === 0 && !has(p, 'f')) {
      err('Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n\n');
      return 1;
    }
    if (id === 0) return 0; // the simulated host keeps its dom0
    const d = domainById(ctx.state, id);
    if (!d) {
      err(`libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain ${id}:Non-existant domain\n` +
        `libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain ${id}:Unable to destroy guest\n` +
        `libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain ${id}:Destruction of domain failed\n` +
        'destroy failed (rc=-21)\n');
      return 1;
    }
    removeDomain(ctx.state, d, ctx.now);
    ctx.dirty = true;
    return 0;
  });
}
