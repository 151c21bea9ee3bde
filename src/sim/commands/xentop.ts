// `xl-sim xentop -b [-i N] [-d SECS] [-f] [-n] [-x] [-v] [-r]`: xentop's batch mode
// (samples in test/data/xl-samples). Only batch output exists in the simulator; without -b it behaves as
// if -b were given. CPU(%) is 0.0 in the first iteration, then Δcpu/Δwall.
import { cpuTimeNs } from '../domain-view.js';
import type { Globals } from '../globals.js';
import { domainLines, header, nameWidth, type TopOpts } from '../format/xentop.js';
import { delay, err, out } from '../io.js';
import { withHost } from '../session.js';

const HELP = `Usage: /usr/lib/xen-4.17/bin/xentop [OPTION]
Displays ongoing information about xen vm resources 

-h, --help           display this help and exit
-V, --version        output version information and exit
-d, --delay=SECONDS  seconds between updates (default 3)
-n, --networks       output vif network data
-x, --vbds           output vbd block device data
-r, --repeat-header  repeat table header before each domain
-v, --vcpus          output vcpu data
-b, --batch\t     output in batch mode, no user input accepted
-i, --iterations     number of iterations before exiting
-f, --full-name      output the full domain name (not truncated)

Report bugs to <xen-devel@lists.xen.org>.
`;

const VERSION = `xentop 1.0
Written by Judy Fischbach, David Hendricks, Josh Triplett

Copyright (C) 2005  International Business Machines  Corp
This is free software; see the source for copying conditions.There is NO
warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
`;

export async function run(_cmd: string, argv: string[], g: Globals): Promise<number> {
  const o: TopOpts = { full: false, nets: false, vbds: false, vcpus: false, repeat: false };
  let iterations = Infinity;
  let delaySec = 3;
  const longs: Record<string, string> = {
    help: 'h', version: 'V', delay: 'd', networks: 'n', vbds: 'x', 'repeat-header': 'r', vcpus: 'v',
    batch: 'b', iterations: 'i', 'full-name': 'f',
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
      const c = longs[k];
      if (!c) { err(`/usr/lib/xen-4.17/bin/xentop: unrecognized option '${a}'\n${HELP}`); return 1; }
      a = '-' + c; inline = v;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const arg = () => inline ?? (j + 1 < a.length ? a.slice(j + 1) : argv[++i]);
      switch (c) {
        case 'h': out(HELP); return 0;
        case 'V': out(VERSION); return 0;
        case 'b': break;
        case 'f': o.full = true; break;
        case 'n': o.nets = true; break;
        case 'x': o.vbds = true; break;
        case 'v': o.vcpus = true; break;
        case 'r': o.repeat = true; break;
        case 'i': iterations = Number(arg()); j = a.length; break;
        case 'd': delaySec = Number(arg()); j = a.length; break;
        default:
          err(`/usr/lib/xen-4.17/bin/xentop: invalid option -- '${c}'\n${HELP}`);
          return 1;
      }
    }
  }
  if (!Number.isFinite(delaySec) || delaySec < 0) delaySec = 3;
  let prev = new Map<number, { cpu: number; t: number }>();
  for (let it = 0; it < iterations; it++) {
    if (it > 0) await delay(delaySec * 1000);
    const text = withHost(g.dir, (ctx) => {
      const s = ctx.state;
      const doms = [...s.domains].filter((d) => d.name !== '').sort((a, b) => a.domid - b.domid);
      const w = nameWidth(doms, o);
      const next = new Map<number, { cpu: number; t: number }>();
      let t = o.repeat ? '' : header(w);
      for (const d of doms) {
        const cpu = cpuTimeNs(d);
        next.set(d.domid, { cpu, t: ctx.now });
        const p = prev.get(d.domid);
        const pct = p && ctx.now > p.t ? ((cpu - p.cpu) / ((ctx.now - p.t) * 1e6)) * 100 : 0;
        if (o.repeat) t += header(w);
        t += domainLines(s, d, w, it === 0 ? 0 : pct, o);
      }
      prev = next;
      return t;
    });
    out(text);
  }
  return 0;
}
