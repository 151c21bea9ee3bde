// xl create [<ConfigFile>] [options] [key=value …] (tools/xl/xl_vmcontrol.c main_create).
import { readFileSync } from 'node:fs';
import { getopts, has, printHelp, val } from '../cli-args.js';
import { buildConfig } from '../config-build.js';
import { orderConfig } from '../config-order.js';
import { createDomain, strerror } from '../create-domain.js';
import type { Globals } from '../globals.js';
import { err, hostPath, out } from '../io.js';
import { yajl } from '../json-yajl.js';
import { loadState } from '../store.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'Fnqf:pcdeVA', [
    { name: 'dryrun', hasArg: false, val: 'n' }, { name: 'quiet', hasArg: false, val: 'q' },
    { name: 'defconfig', hasArg: true, val: 'f' }, { name: 'vncviewer', hasArg: false, val: 'V' },
    { name: 'vncviewer-autopass', hasArg: false, val: 'A' },
    { name: 'ignore-global-affinity-masks', hasArg: false, val: 'i' },
  ], 0);
  let filename = val(p, 'f');
  const extra: string[] = [];
  for (const a of p.args) {
    if (a.includes('=')) extra.push(a);
    else if (filename === undefined) filename = a;
    else { await printHelp(cmd); return 2; }
  }
  if (filename === undefined) { err('Config file not specified and none in save file\n'); return 6; }
  let text: string;
  try {
    text = readFileSync(hostPath(filename), 'utf8');
  } catch (e) {
    err(`Failed to read config file: ${filename}: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
    return 3;
  }
  if (!has(p, 'q')) err(`Parsing config from ${filename}\n`);
  if (extra.length) text += '\n' + extra.join('\n') + '\n';
  const dry = g.dryrun || has(p, 'n');
  // Host facts needed by the parser (CPU count for cpus=): read without locking.
  const host = loadState(g.dir, Date.now()).state.host;
  const r = buildConfig(text, filename, host);
  if (r.error !== undefined) { err(r.error); return r.code ?? 1; }
  if (dry) { out(yajl(orderConfig(r.config!)) + '\n'); return 0; }
  return withHost(g.dir, (ctx) => {
    const res = createDomain(ctx, r.config!, { paused: has(p, 'p'), monitor: !has(p, 'e') });
    if ('stderr' in res) { err(res.stderr); return res.code; }
    return 0;
  });
}
