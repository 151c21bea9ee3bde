// xl domid <name> / xl domname <id> (xl(1)).
import { getopts } from '../cli-args.js';
import type { Globals } from '../globals.js';
import { err, out } from '../io.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, '', [], 1);
  const arg = p.args[0]!;
  return withHost(g.dir, (ctx) => {
    if (cmd === 'domid') {
      const d = ctx.state.domains.find((x) => x.name === arg);
      if (!d) { err(`Can't get domid of domain name '${arg}', maybe this domain does not exist.\n`); return 1; }
      out(`${d.domid}\n`);
      return 0;
    }
    if (!/^[0-9]+$/.test(arg)) { err('Invalid domain id.\n\n'); return 1; }
    const d = ctx.state.domains.find((x) => x.domid === parseInt(arg, 10));
    if (!d) { err(`Can't get domain name of domain id '${parseInt(arg, 10)}', maybe this domain does not exist.\n`); return 1; }
    out(`${d.name}\n`);
    return 0;
  });
}
