/**
 * The Node flags the server ships with, read from the `xen-wbem` command's first line (the one
 * place they are set; `npm start` and contrib/xen-wbem.service repeat them, and
 * test/cli/shipped-flags.test.ts checks they agree). Every bench server runs with them, so a figure
 * is the shipped server's; `BENCH_NODE_DEFAULTS=1` measures with Node's defaults instead.
 */
import { readFileSync } from 'node:fs';

/** The flags on the command's first line. */
export function commandNodeFlags(): string[] {
  const shebang = readFileSync(new URL('../../bin/xen-wbem', import.meta.url), 'utf8').split('\n', 1)[0]!;
  const m = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s*$/.exec(shebang);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

/** What a bench server runs with: the shipped flags, or none under BENCH_NODE_DEFAULTS. */
export function shippedNodeFlags(): string[] {
  return process.env['BENCH_NODE_DEFAULTS'] ? [] : commandNodeFlags();
}
