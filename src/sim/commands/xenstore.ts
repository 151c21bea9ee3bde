// `xl-sim xenstore-read|-write|-exists|-list|-ls ...` and the multi-call `xl-sim xenstore
// <mode> ...`: the dom0 xenstore tools over the simulated host's xenstore (xenstore-tree.ts),
// with the tools' texts and exit statuses (1 for every failure and every usage message),
// multi-key reads that print what they read before a failing key, and multi-pair writes that
// are all or nothing (one transaction).
import type { Globals } from '../globals.js';
import { err, out } from '../io.js';
import { withHost } from '../session.js';
import { childrenOf, escapeValue, resolvePath, unescapeValue, writeNode, xenstoreNodes } from '../xenstore-tree.js';

const USAGE: Record<string, string> = {
  read: '[-h] [-p] [-s] [-R] key [...]',
  write: '[-h] [-s] [-R] key value [...]',
  exists: '[-h] [-p] [-s] key [...]',
  list: '[-h] [-p] [-s] key [...]',
  ls: '[-h] [-f] [-p] [-s] [path]',
  rm: '[-h] [-s] [-t] key [...]',
};
const OPTIONS: Record<string, string> = { read: 'hpsR', write: 'hsR', exists: 'hps', list: 'hps', ls: 'hfps', rm: 'hst' };
/** The tools' long_options (getopt_long: unique prefixes too); `number` takes an argument. */
const LONG: Array<[string, string]> = [
  ['help', 'h'], ['flat', 'f'], ['socket', 's'], ['prefix', 'p'], ['tidy', 't'], ['upto', 'u'],
  ['recurse', 'r'], ['number', 'n'], ['raw', 'R'],
];
const LS_WIDTH = 80; // stdout is never a terminal here

/** `invokedAs` is `xenstore-read` (a link) or `xenstore` (multi-call: the mode is the first argument). */
export async function run(invokedAs: string, argv: string[], g: Globals): Promise<number> {
  let mode: string;
  let prog: string;
  let args: string[];
  if (invokedAs === 'xenstore') {
    prog = 'xenstore';
    if (argv.length === 0) { err('xenstore: Usage: xenstore <mode> [-h] [...]\n'); return 1; }
    mode = argv[0]!;
    args = argv.slice(1);
  } else {
    prog = invokedAs;
    mode = invokedAs.slice('xenstore-'.length);
    args = argv;
  }
  const usageLine = (): number => {
    err(`${prog}: Usage: ${prog === 'xenstore' ? `xenstore ${mode}` : prog} ${USAGE[mode]}\n`);
    return 1;
  };
  if (!(mode in USAGE)) {
    if (['chmod', 'watch'].includes(mode)) { err(`xl-sim: 'xenstore-${mode}' is not simulated\n`); return 1; }
    err(`${prog}: unknown mode ${mode}\n\n`);
    return 1;
  }
  const flags = new Set<string>();
  const rest: string[] = [];
  // getopt_long("hfspturn:R") over argv + 1 for the multi-call binary: its messages name the
  // mode then. What getopt refuses it reports, and the tool carries on (no case for '?').
  const getoptName = prog === 'xenstore' ? mode : prog;
  const complain = (msg: string): void => err(`${getoptName}: ${msg}\n`);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { rest.push(...args.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = LONG.find(([n]) => n === name);
      const cands = exact ? [exact] : LONG.filter(([n]) => n.startsWith(name));
      if (cands.length === 0) { complain(`unrecognized option '${a}'`); continue; }
      if (cands.length > 1) { complain(`option '--${name}' is ambiguous; possibilities:${cands.map(([n]) => ` '--${n}'`).join('')}`); continue; }
      const [full, f] = cands[0]!;
      if (f === 'n') {
        if (eq < 0 && i + 1 >= args.length) { complain(`option '--${full}' requires an argument`); continue; }
        if (eq < 0) i++;
      } else if (eq >= 0) { complain(`option '--${full}' doesn't allow an argument`); continue; }
      if (!OPTIONS[mode]!.includes(f)) return usageLine();
      flags.add(f);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (!'hpsRfturn'.includes(c)) { complain(`invalid option -- '${c}'`); continue; }
        if (c === 'n' && j + 1 === a.length && i + 1 >= args.length) { complain("option requires an argument -- 'n'"); continue; }
        if (!OPTIONS[mode]!.includes(c)) return usageLine();
        flags.add(c);
      }
    } else rest.push(a);
  }
  if (flags.has('h')) return usageLine();
  if (mode === 'rm' && flags.has('t')) { err("xl-sim: 'xenstore-rm -t' is not simulated\n"); return 1; }
  if (mode === 'ls') return ls(g, prog, rest, flags);
  if (rest.length === 0 || (mode === 'write' && rest.length % 2 !== 0)) return usageLine();
  return withHost(g.dir, (ctx) => {
    if (mode === 'write') {
      const pairs: [string, string][] = [];
      for (let i = 0; i < rest.length; i += 2) {
        const p = resolvePath(rest[i]!);
        if (p === undefined) { err(`${prog}: could not write path ${rest[i]}\n`); return 1; }
        pairs.push([p, flags.has('R') ? rest[i + 1]! : unescapeValue(rest[i + 1]!)]);
      }
      for (const [p, v] of pairs) writeNode(ctx.state, p, v);
      ctx.dirty = true;
      return 0;
    }
    // Every node of the host, derived from all its domains: only what reads and removes need.
    const nodes = xenstoreNodes(ctx.state);
    if (mode === 'rm') {
      // one transaction: every key is checked before any is removed
      const gone: string[] = [];
      for (const key of rest) {
        const p = resolvePath(key);
        const parent = p === undefined || p === '/' ? undefined : p.slice(0, p.lastIndexOf('/')) || '/';
        if (p === undefined || parent === undefined || (!nodes.has(p) && !nodes.has(parent))) {
          err(`${prog}: could not remove path ${key}\n`);
          return 1;
        }
        if (nodes.has(p)) gone.push(p);
      }
      for (const p of gone) writeNode(ctx.state, p, null);
      if (gone.length > 0) ctx.dirty = true;
      return 0;
    }
    let text = '';
    let rc = 0;
    for (const key of rest) {
      const p = resolvePath(key);
      const v = p === undefined ? undefined : nodes.get(p);
      if (mode === 'exists') {
        if (v === undefined) rc = 1;
        continue;
      }
      if (v === undefined) {
        err(mode === 'read' ? `${prog}: couldn't read path ${key}\n` : `${prog}: could not list path ${key}\n`);
        rc = 1;
        break;
      }
      if (mode === 'read') {
        const shown = flags.has('R') ? v : escapeValue(v);
        text += flags.has('p') ? `${key}: ${shown}\n` : flags.has('R') ? shown : `${shown}\n`;
      } else {
        for (const c of childrenOf(nodes, p!)) text += flags.has('p') ? `${key}/${c}\n` : `${c}\n`;
      }
    }
    out(text);
    return rc;
  });
}

function ls(g: Globals, prog: string, rest: string[], flags: Set<string>): number {
  if (flags.has('p')) { err("xl-sim: 'xenstore-ls -p' is not simulated\n"); return 1; }
  const key = rest[0] ?? '/';
  return withHost(g.dir, (ctx) => {
    const nodes = xenstoreNodes(ctx.state);
    const p = resolvePath(key);
    if (p === undefined || !nodes.has(p)) { err(`${prog}: xs_directory (${key}): No such file or directory\n`); return 1; }
    let text = '';
    const walk = (path: string, depth: number): void => {
      for (const c of childrenOf(nodes, path)) {
        const full = path === '/' ? `/${c}` : `${path}/${c}`;
        const raw = nodes.get(full) ?? '';
        const v = escapeValue(raw);
        if (flags.has('f')) text += `${full} = "${v}"\n`;
        else {
          const lead = `${' '.repeat(depth)}${c}`;
          // do_ls: a line wider than the output is cut, with `\...` after the cut value
          const room = LS_WIDTH - 8 - lead.length;
          text += lead.length + raw.length + 8 > LS_WIDTH ? `${lead} = "${v.slice(0, Math.max(0, room))}\\..."\n` : `${lead} = "${v}"\n`;
        }
        walk(full, depth + 1);
      }
    };
    walk(p, 0);
    out(text);
    return 0;
  });
}
