// xl info [-n] [<key prefix>] (samples in test/data/xl-samples).
import { getopts, has } from '../cli-args.js';
import { formatInfo, infoLines } from '../format/info.js';
import type { Globals } from '../globals.js';
import { out } from '../io.js';
import { freeKb } from '../overhead.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'n', [{ name: 'numa', hasArg: false, val: 'n' }], 0);
  return withHost(g.dir, (ctx) => {
    const numa = has(p, 'n');
    const lines = infoLines(ctx.state, freeKb(ctx.state, ctx.freeFaultMib), numa);
    const prefix = p.args[0];
    if (prefix !== undefined && !numa) {
      // Prefix match on the printed line; only the value part is printed.
      out(lines.filter(([k]) => k.startsWith(prefix)).map(([, v]) => v + '\n').join(''));
      return 0;
    }
    out(formatInfo(lines));
    return 0;
  });
}
