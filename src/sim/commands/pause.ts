// xl pause / xl unpause <Domain> (xl(1)): reference counted, exit 0 even on failure.
import { getopts } from '../cli-args.js';
import { scheduleGuestShutdown } from '../clock.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err } from '../io.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, '', [], 1);
  return withHost(g.dir, (ctx) => {
    const id = findDomain(ctx.state, p.args[0]!);
    const d = domainById(ctx.state, id);
    if (cmd === 'pause') {
      if (!d) { err(`libxl: error: libxl_domain.c:587:libxl_domain_pause: ${domPrefix(id)}Pausing domain: No such process\n`); return 0; }
      // Xen refuses to pause the caller's own domain (EINVAL) and counts at most 255 pauses (EOVERFLOW).
      if (id === 0 || d.pause_count >= 255) {
        err(`libxl: error: libxl_domain.c:587:libxl_domain_pause: ${domPrefix(id)}Pausing domain: ${id === 0 ? 'Invalid argument' : 'Value too large for defined data type'}\n`);
        return 0;
      }
      d.pause_count++;
      ctx.dirty = true;
      return 0;
    }
    if (!d) { err(`libxl: error: libxl_dom.c:37:libxl__domain_type: unable to get domain type for domid=${id}\n`); return 0; }
    if (d.pause_count === 0) {
      err(`libxl: error: libxl_domain.c:688:domain_unpause_done: ${domPrefix(id)}Unpausing domain: Invalid argument\n`);
      return 0;
    }
    d.pause_count--;
    if (d.pause_count === 0) {
      d.has_run = true;
      // A shutdown/reboot request written while it was paused is acknowledged now.
      if (d.control) scheduleGuestShutdown(ctx.state, d, d.control.reason, ctx.now);
    }
    ctx.dirty = true;
    return 0;
  });
}
