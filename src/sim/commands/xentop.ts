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

const PROG = '/usr/lib/xen-4.17/bin/xentop';
/** getopt_long's table: name, takes an argument, short letter (in xentop's lopts order). */
const LONGS: Array<[string, boolean, string]> = [
  ['help', false, 'h'], ['version', false, 'V'], ['networks', false, 'n'], ['vbds', false, 'x'],
  ['repeat-header', false, 'r'], ['vcpus', false, 'v'], ['delay', true, 'd'], ['batch', false, 'b'],
  ['iterations', true, 'i'], ['full-name', false, 'f'],
];
const SHORT_WITH_ARG = new Set(['d', 'i']);

/** C atoi(): leading blanks, a sign, digits; anything else ends it (0 when there are none). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m ? Math.trunc(Number(m[1])) | 0 : 0;
}

/**
 * xentop's options as getopt_long("hVnxrvd:bi:f") reads them. Every error is getopt's message on
 * stderr, then xentop's `case '?'`: usage() on stdout and exit 0. Returns the options, or the
 * exit status when the command ends here.
 */
function parseArgs(argv: string[], o: TopOpts): { iterations: number; delaySec: number } | number {
  let iterations = 0; // unsigned in xentop: 0 (or negative) wraps around, practically endless
  let counted = false;
  let delaySec = 3;
  const usage = (msg: string): number => { if (msg) err(`${PROG}: ${msg}\n`); out(HELP); return 0; };
  const apply = (c: string, arg: string | undefined): number | undefined => {
    switch (c) {
      case 'h': return usage('');
      case 'V': out(VERSION); return 0;
      case 'f': o.full = true; break;
      case 'n': o.nets = true; break;
      case 'x': o.vbds = true; break;
      case 'v': o.vcpus = true; break;
      case 'r': o.repeat = true; break;
      case 'i': iterations = atoi(arg!); counted = true; break;
      case 'd': delaySec = atoi(arg!); break;
      default: break; // b: batch is the only mode here
    }
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = LONGS.find(([n]) => n === name);
      const cands = exact ? [exact] : LONGS.filter(([n]) => n.startsWith(name));
      if (cands.length === 0) return usage(`unrecognized option '${a}'`);
      if (cands.length > 1) return usage(`option '--${name}' is ambiguous; possibilities:${cands.map(([n]) => ` '--${n}'`).join('')}`);
      const [full, hasArg, c] = cands[0]!;
      let arg: string | undefined;
      if (hasArg) {
        if (eq >= 0) arg = a.slice(eq + 1);
        else if (i + 1 < argv.length) arg = argv[++i];
        else return usage(`option '--${full}' requires an argument`);
      } else if (eq >= 0) return usage(`option '--${full}' doesn't allow an argument`);
      const r = apply(c, arg);
      if (r !== undefined) return r;
      continue;
    }
    if (!a.startsWith('-') || a === '-') continue; // operands are permuted to the end and unused
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (!'hVnxrvdbif'.includes(c)) return usage(`invalid option -- '${c}'`);
      let arg: string | undefined;
      if (SHORT_WITH_ARG.has(c)) {
        if (j + 1 < a.length) arg = a.slice(j + 1);
        else if (i + 1 < argv.length) arg = argv[++i];
        else return usage(`option requires an argument -- '${c}'`);
      }
      const r = apply(c, arg);
      if (r !== undefined) return r;
      if (arg !== undefined) break;
    }
  }
  return { iterations: counted && iterations > 0 ? iterations : Infinity, delaySec: Math.max(0, delaySec) };
}

export async function run(_cmd: string, argv: string[], g: Globals): Promise<number> {
  const o: TopOpts = { full: false, nets: false, vbds: false, vcpus: false, repeat: false };
  const parsed = parseArgs(argv, o);
  if (typeof parsed === 'number') return parsed;
  const { iterations, delaySec } = parsed;
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
