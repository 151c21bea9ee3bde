// xl list [-l] [-v] [-Z] [-c] [-n] [Domain] (samples in test/data/xl-samples).
import { getopts, has, printHelp } from '../cli-args.js';
import { listHeader, listRow, type ListOpts } from '../format/list-table.js';
import type { Globals } from '../globals.js';
import { configUnreadable } from '../faults.js';
import { err, out } from '../io.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'lvZcn', [
    { name: 'long', hasArg: false, val: 'l' }, { name: 'verbose', hasArg: false, val: 'v' },
    { name: 'context', hasArg: false, val: 'Z' }, { name: 'cpupool', hasArg: false, val: 'c' },
    { name: 'numa', hasArg: false, val: 'n' },
  ], 0);
  if (p.args.length > 1) { await printHelp(cmd); return 1; }
  const o: ListOpts = { verbose: has(p, 'v'), context: has(p, 'Z'), cpupool: has(p, 'c'), numa: has(p, 'n') };
  // What only -l (the config builders) or a named domain needs is loaded only then: the polled
  // table's process starts with fewer modules.
  const listJson = has(p, 'l') ? (await import('../format/list-json.js')).listJson : undefined;
  const pick = p.args.length === 1 ? await import('../domain-arg.js') : undefined;
  // The host's lock is held to read the state (advanced to now), not while the table is formatted
  // and written: a listing whose output waits on a full pipe must not hold up the host's changes.
  const seen = withHost(g.dir, (ctx) => {
    const s = ctx.state;
    let doms = [...s.domains].sort((a, b) => a.domid - b.domid);
    if (pick) {
      const id = pick.findDomain(s, p.args[0]!);
      const d = pick.domainById(s, id);
      if (!d) return undefined;
      doms = [d];
    }
    // list_domains_details skips a domain whose configuration cannot be retrieved.
    const lost = listJson ? doms.filter((d) => d.domid !== 0 && configUnreadable(ctx.faults, d.name)) : [];
    return { s, doms, lost };
  });
  if (!seen) { err(`Error: Domain '${p.args[0]}' does not exist.\n`); return 1; }
  const { s, doms, lost } = seen;
  if (listJson) {
    for (const d of lost) {
      err(`libxl: error: libxl_domain.c:2335:retrieve_domain_configuration_lock_acquired: Domain ${d.domid}:Fail to get domain configuration\n`);
    }
    out(listJson(s, doms.filter((d) => !lost.includes(d))));
    return 0;
  }
  out(listHeader(o) + doms.map((d) => listRow(s, d, o)).join(''));
  return 0;
}
