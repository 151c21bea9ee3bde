// xl save [-c] [-p] [-D] <Domain> <CheckpointFile> [<ConfigFile>] (docs/xl-toolstack.md §7).
import { writeFileSync } from 'node:fs';
import { getopts, has } from '../cli-args.js';
import { removeDomain } from '../clock.js';
import { domainById, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err, hostPath } from '../io.js';
import { encodeSaveFile } from '../save-file.js';
import { configToEmbed } from '../saved-config.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'cpD', [], 2);
  const [arg, file, cfgFile] = p.args as [string, string, string | undefined];
  return withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const id = findDomain(s, arg);
    const d = domainById(s, id);
    if (!d || id === 0) { err('unable to retrieve domain configuration\n'); return 1; }
    const config = configToEmbed(s, d, cfgFile);
    if (!config) return 1;
    if (has(p, 'D')) config.c_info = { ...config.c_info, domid: id };
    const { buf, optLen } = encodeSaveFile(config, { saved_at: ctx.now, domid: id, host: s.host.hostname });
    try {
      writeFileSync(hostPath(file), buf);
    } catch {
      err(`Failed to open temp file ${file} for writing\n`);
      return 1;
    }
    err(`Saving to ${file} new xl format (info 0x3/0x0/${optLen})\n`);
    if (has(p, 'c')) return 0;           // checkpoint: keep running
    if (has(p, 'p')) { d.pause_count = Math.max(1, d.pause_count); ctx.dirty = true; return 0; }
    removeDomain(s, d, ctx.now);
    ctx.dirty = true;
    return 0;
  });
}
