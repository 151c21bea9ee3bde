// GNU getopt_long as xl uses it (tools/xl/xl_utils.c def_getopt, docs/xl-toolstack.md §1):
// options and operands may be mixed (operands are permuted to the end), "--" ends
// options, unknown options and missing option arguments are usage errors (exit 2).
import { err, out, Exit } from './io.js';

export interface LongOpt { name: string; hasArg: boolean; val: string }

export interface Parsed {
  opts: Array<[string, string | undefined]>;
  args: string[];
}

class OptError extends Error {
  constructor(public readonly optopt: string) { super('opt'); }
}

function parse(argv: string[], short: string, longs: LongOpt[]): Parsed {
  const opts: Array<[string, string | undefined]> = [];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { args.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      let lo = longs.find((l) => l.name === name);
      if (!lo) {
        const cands = longs.filter((l) => l.name.startsWith(name));
        if (cands.length === 1) lo = cands[0];
      }
      if (!lo) throw new OptError('\0');
      // getopt_long returns --help before it looks at what follows: the help wins.
      if (lo.val === 'h') throw new OptError('h');
      if (lo.hasArg) {
        if (eq >= 0) opts.push([lo.val, a.slice(eq + 1)]);
        else if (i + 1 < argv.length) opts.push([lo.val, argv[++i]]);
        else throw new OptError(lo.val.length === 1 ? lo.val : '\0');
      } else {
        if (eq >= 0) throw new OptError(lo.val.length === 1 ? lo.val : '\0');
        opts.push([lo.val, undefined]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const k = short.indexOf(c);
        if (k < 0 || c === ':' || c === 'h') throw new OptError(c);
        if (short[k + 1] === ':') {
          if (j + 1 < a.length) { opts.push([c, a.slice(j + 1)]); break; }
          if (i + 1 < argv.length) { opts.push([c, argv[++i]]); break; }
          throw new OptError(c);
        }
        opts.push([c, undefined]);
      }
      continue;
    }
    args.push(a);
  }
  return { opts, args };
}

/** Print `xl help <cmd>` text on stdout. */
export async function printHelp(cmd: string): Promise<void> {
  const { COMMAND_HELP } = await import('./usage-text.js');
  out(COMMAND_HELP[cmd] ?? '');
}

/** Parse a sub-command's options like def_getopt: help → exit 0, bad option → exit 2. */
export async function getopts(cmd: string, argv: string[], short: string, longs: LongOpt[], reqargs: number): Promise<Parsed> {
  let p: Parsed;
  try {
    p = parse(argv, 'h' + short, [{ name: 'help', hasArg: false, val: 'h' }, ...longs]);
  } catch (e) {
    if (e instanceof OptError) {
      if (e.optopt === 'h') { await printHelp(cmd); throw new Exit(0); }
      err(`option \`${e.optopt}' not supported.\n`);
      throw new Exit(2);
    }
    throw e;
  }
  if (p.opts.some(([o]) => o === 'h')) { await printHelp(cmd); throw new Exit(0); }
  if (p.args.length < reqargs) {
    err(`'xl ${cmd}' requires at least ${reqargs} argument${reqargs > 1 ? 's' : ''}.\n\n`);
    await printHelp(cmd);
    throw new Exit(2);
  }
  return p;
}

export function has(p: Parsed, o: string): boolean {
  return p.opts.some(([k]) => k === o);
}

export function count(p: Parsed, o: string): number {
  return p.opts.filter(([k]) => k === o).length;
}

export function val(p: Parsed, o: string): string | undefined {
  let v: string | undefined;
  for (const [k, x] of p.opts) if (k === o) v = x;
  return v;
}
