// xl migrate [-C config] [-s sshcommand] [-e] [--debug] [-p] [-D] [--live] <Domain> <host>
// (tools/xl/xl_migrate.c; docs/xl-toolstack.md §7). The destination is another simulated host
// (registry.ts). Both hosts are locked (in path order) for the whole transfer, so the
// temporary <name>--incoming / <name>--migratedaway names are never observable.
import { resolve } from 'node:path';
import { getopts, has, val } from '../cli-args.js';
import { removeDomain } from '../clock.js';
import { createDomain } from '../create-domain.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err } from '../io.js';
import { resolveHost } from '../registry.js';
import { encodeSaveFile } from '../save-file.js';
import { configToEmbed } from '../saved-config.js';
import { closeCtx, openCtx, type Ctx } from '../session.js';
import { acquireLocks } from '../store.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'FC:s:epD', [
    { name: 'debug', hasArg: false, val: 'x' }, { name: 'live', hasArg: false, val: 'L' },
  ], 2);
  const [arg, hostName] = p.args as [string, string];
  const cfgFile = val(p, 'C');
  const dest = resolveHost(hostName, g.dir, g.hostsFile);
  const srcDir = resolve(g.dir);
  const dirs = dest ? [srcDir, dest] : [srcDir];
  const locks = acquireLocks(dirs);
  let src: Ctx | undefined;
  let dst: Ctx | undefined;
  try {
    src = openCtx(srcDir);
    const s = src.state;
    const id = findDomain(s, arg);
    const d = domainById(s, id);
    if (!dest) {
      // What ssh prints for an unknown host, then libxl's view of the dead transport.
      err(`ssh: Could not resolve hostname ${hostName}: Name or service not known\r\n` +
        'libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading banner from migration receiver stream\n' +
        `libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${process.pid + 1}] exited with error status 255\n`);
      return 1;
    }
    if (!d || id === 0) { err('unable to retrieve domain configuration\n'); return 1; }
    dst = resolve(dest) === srcDir ? src : openCtx(dest);
    const config = configToEmbed(s, d, cfgFile);
    if (!config) return 1;
    const name = d.name;
    if (has(p, 'D')) config.c_info = { ...config.c_info, domid: id };
    const { optLen } = encodeSaveFile(config, {});
    err('migration target: Ready to receive domain.\n');
    err(`Saving to migration stream new xl format (info 0x3/0x0/${optLen})\n`);
    err(`Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/${optLen})\n`);
    err(' Savefile contains xl domain config in JSON format\n');
    err('Parsing config from <saved>\n');
    const incoming = { ...config, c_info: { ...config.c_info, name: `${name}--incoming` } };
    delete incoming.c_info.domid;
    const res = createDomain(dst, incoming, { paused: true, monitor: !has(p, 'e'), domid: has(p, 'D') ? id : undefined });
    if ('stderr' in res) {
      err(res.stderr);
      err(`migration target: Domain creation failed (code -${res.code}).\n`);
      err(`migration sender: libxl_domain_suspend failed (rc=-${res.code})\n`);
      err('Migration failed, resuming at sender.\n');
      return 1;
    }
    const nd = res.domain;
    err('migration target: Transfer complete, requesting permission to start domain.\n');
    err('migration sender: Target has acknowledged transfer.\n');
    d.name = `${name}--migratedaway`;
    err('migration sender: Giving target permission to start.\n');
    err('migration target: Got permission, starting domain.\n');
    if (name !== '' && dst.state.domains.some((x) => x !== nd && x.name === name)) {
      err(`libxl: error: libxl_domain.c:81:libxl__domain_rename: ${domPrefix(nd.domid)}Domain with name "${name}" already exists.\n`);
      err('migration target: Failure, destroying our copy.\n');
      removeDomain(dst.state, nd, dst.now);
      err('migration target: Cleanup OK, granting sender permission to resume.\n');
      err('migration sender: Target reports startup failure (status code 6).\n');
      err('migration sender: Trying to resume at our end.\n');
      d.name = name;
      err('migration sender: Resumed OK.\n');
      err('Migration failed due to problems at target.\n');
      dst.dirty = true;
      return 1;
    }
    nd.name = name;
    if (!has(p, 'p')) { nd.pause_count = 0; nd.has_run = true; }
    err('migration target: Domain started successsfully.\n');
    err('migration sender: Target reports successful startup.\n');
    removeDomain(s, d, src.now);
    src.dirty = true;
    dst.dirty = true;
    err('Migration successful.\n');
    return 0;
  } finally {
    try {
      if (src) closeCtx(src);
      if (dst && dst !== src) closeCtx(dst);
    } finally {
      for (const l of locks) l.release();
    }
  }
}
