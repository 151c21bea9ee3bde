// xl restore [-p] [-e] [-d] [-V|-A] [<ConfigFile>] <CheckpointFile> (docs/xl-toolstack.md §7).
import { readFileSync } from 'node:fs';
import { getopts, has } from '../cli-args.js';
import { buildConfig } from '../config-build.js';
import { createDomain, strerror } from '../create-domain.js';
import type { Globals } from '../globals.js';
import { err, hostPath } from '../io.js';
import { decodeSaveFile } from '../save-file.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'FpedVA', [
    { name: 'vncviewer', hasArg: false, val: 'V' }, { name: 'vncviewer-autopass', hasArg: false, val: 'A' },
  ], 1);
  if (p.args.length > 2) { const { printHelp } = await import('../cli-args.js'); await printHelp(cmd); return 2; }
  const [cfgFile, file] = p.args.length === 2 ? [p.args[0], p.args[1]!] : [undefined, p.args[0]!];
  let buf: Buffer;
  try { buf = readFileSync(hostPath(file)); } catch (e) {
    err(`Can't open restore file: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
    return 1;
  }
  const dec = decodeSaveFile(buf);
  if (!dec.ok) {
    if (dec.error === 'short') {
      err(`libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading header from ${file}\n` +
        'xl: fatal error: xl_vmcontrol.c:713: Protocol error: libxl_read_exactly( ctx, restore_fd, &hdr, sizeof(hdr), restore_source, "header")\n');
    } else if (dec.error === 'magic') err('File has wrong magic number - corrupt or for a different tool?\n');
    else if (dec.error === 'byteorder') err('File has wrong byte order\n');
    else err('Config file not specified and none in save file\n');
    return 1;
  }
  err(`Loading new save file ${file} (new xl fmt info 0x${dec.mandatory.toString(16)}/0x${dec.optional.toString(16)}/${dec.optLen})\n`);
  err(' Savefile contains xl domain config in JSON format\n');
  return withHost(g.dir, (ctx) => {
    let config = dec.config;
    if (cfgFile !== undefined) {
      let text: string;
      try { text = readFileSync(hostPath(cfgFile), 'utf8'); } catch (e) {
        err(`Failed to read config file: ${cfgFile}: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
        return 3;
      }
      err(`Parsing config from ${cfgFile}\n`);
      const r = buildConfig(text, cfgFile, ctx.state.host);
      if (r.error !== undefined) { err(r.error); return r.code ?? 1; }
      config = r.config!;
    } else {
      err('Parsing config from <saved>\n');
    }
    const want: number | undefined = config.c_info?.domid || undefined;
    if (config.c_info) delete config.c_info.domid;
    const res = createDomain(ctx, config, { paused: has(p, 'p'), monitor: !has(p, 'e'), domid: want });
    if ('stderr' in res) { err(res.stderr); return res.code; }
    return 0;
  });
}
