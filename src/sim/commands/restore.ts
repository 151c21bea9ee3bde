// xl restore [-p] [-e] [-d] [-V|-A] [<ConfigFile>] <CheckpointFile> (docs/xl-toolstack.md §7).
import { readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { getopts, has } from '../cli-args.js';
import { buildConfig } from '../config-build.js';
import { createDomain, strerror } from '../create-domain.js';
import type { Globals } from '../globals.js';
import { endsWithRecord, rateOf, readMemory } from '../image-io.js';
import { err, hostPath } from '../io.js';
import { decodeSaveFile, HEADER_BYTES } from '../save-file.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'FpedVA', [
    { name: 'vncviewer', hasArg: false, val: 'V' }, { name: 'vncviewer-autopass', hasArg: false, val: 'A' },
  ], 1);
  if (p.args.length > 2) { const { printHelp } = await import('../cli-args.js'); await printHelp(cmd); return 2; }
  const [cfgFile, file] = p.args.length === 2 ? [p.args[0], p.args[1]!] : [undefined, p.args[0]!];
  // One descriptor reads the whole image, sequentially, as xl's does: its position is the progress.
  let fh: FileHandle;
  try { fh = await open(hostPath(file), 'r'); } catch (e) {
    err(`Can't open restore file: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
    return 1;
  }
  try {
    return await restoreFrom(fh, file, cfgFile, has(p, 'p'), !has(p, 'e'), g);
  } finally {
    await fh.close();
  }
}

async function restoreFrom(fh: FileHandle, file: string, cfgFile: string | undefined, paused: boolean, monitor: boolean, g: Globals): Promise<number> {
  const buf = await readHead(fh);
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
  // The configuration is parsed before the memory stream is read, as xl does.
  const plan = withHost(g.dir, (ctx) => {
    const rate = rateOf(ctx.state.host, 'restore');
    if (cfgFile === undefined) {
      err('Parsing config from <saved>\n');
      return { config: dec.config, rate };
    }
    let text: string;
    try { text = readFileSync(hostPath(cfgFile), 'utf8'); } catch (e) {
      err(`Failed to read config file: ${cfgFile}: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
      return 3;
    }
    err(`Parsing config from ${cfgFile}\n`);
    const r = buildConfig(text, cfgFile, ctx.state.host);
    if (r.error !== undefined) { err(r.error); return r.code ?? 1; }
    return { config: r.config!, rate };
  });
  if (typeof plan === 'number') return plan;
  // The memory stream, read over modelled time with no lock held (image-io.ts). One that ends
  // early (a save killed midway, a file cut short) is read to its end and fails there, as libxc's
  // does (its read_record error; libxl's own lines that follow are not reproduced): no domain.
  const size = (await fh.stat()).size;
  const complete = await endsWithRecord(fh, buf.length, size);
  await readMemory(fh, buf.length, size, plan.rate);
  if (!complete) {
    err('xc: error: Failed to read Record Header from stream (0 = Success): Internal error\n');
    return 1;
  }
  const config = plan.config;
  const want: number | undefined = config.c_info?.domid || undefined;
  if (config.c_info) delete config.c_info.domid;
  return withHost(g.dir, (ctx) => {
    const res = createDomain(ctx, config, { paused, monitor, domid: want });
    if ('stderr' in res) { err(res.stderr); return res.code; }
    return 0;
  });
}

/** The xl header and the configuration after it, read from the descriptor's position (sequentially). */
async function readHead(fh: FileHandle): Promise<Buffer> {
  const head = await readUpTo(fh, HEADER_BYTES);
  if (head.length < HEADER_BYTES) return head;
  return Buffer.concat([head, await readUpTo(fh, head.readUInt32LE(HEADER_BYTES - 4))]);
}

async function readUpTo(fh: FileHandle, n: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.min(n, 1 << 24));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, null);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
