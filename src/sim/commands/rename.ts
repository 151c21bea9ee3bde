// xl rename <Domain> <NewName> (docs/xl-toolstack.md §6).
import { getopts } from '../cli-args.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err } from '../io.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, '', [], 2);
  return withHost(g.dir, (ctx) => {
    const [arg, newName] = p.args as [string, string];
    const id = findDomain(ctx.state, arg);
    const d = domainById(ctx.state, id);
    const clash = newName !== '' && ctx.state.domains.some((x) => x.name === newName && x.domid !== id);
    if (!d || clash) {
      if (clash) err(`libxl: error: libxl_domain.c:81:libxl__domain_rename: ${domPrefix(id)}Domain with name "${newName}" already exists.\n`);
      else err(`libxl: error: libxl_domain.c:124:libxl__domain_rename: ${domPrefix(id)}domain with id ${id} does not exist\n`);
      err(`Can't rename domain '${arg}'.\n`);
      return 1;
    }
    d.name = newName;
    ctx.dirty = true;
    return 0;
  });
}
