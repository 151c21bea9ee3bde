// xl migrate [-C config] [-s sshcommand] [-e] [--debug] [-p] [-D] [--live] <Domain> <host>
// (tools/xl/xl_migrate.c; docs/xl-toolstack.md §7). The destination is another simulated host
// (registry.ts); `-s` is accepted (the transport is the state directory) and ignored.
//
// Time model (migration-model.ts): libxc's iterative pre-copy runs while the domain keeps
// running at the sender, with no lock held (other calls on either host go on); progress lines
// go to stderr as it goes. Then the hand-over is one step under both hosts' locks (in path
// order): the domain leaves the sender and runs at the target, so the temporary
// <name>--incoming / <name>--migratedaway names are never observable, and a caller killed at
// any moment leaves the domain on exactly one host (the two state files: handover.ts). The figures of the last migration are
// written to `<sender state dir>/last-migration.json` (the downtime the model implies).
import { unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getopts, has, val } from '../cli-args.js';
import { removeDomain } from '../clock.js';
import { createDomain } from '../create-domain.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { delay, err } from '../io.js';
import { migrationPlan, recordMigration } from '../migration-model.js';
import { resolveHost } from '../registry.js';
import { encodeSaveFile } from '../save-file.js';
import { configToEmbed } from '../saved-config.js';
import { closeCtx, openCtx, withHost, type Ctx } from '../session.js';
import { HANDOVER_FILE, newHandover, noteReceived } from '../handover.js';
import { acquireLocks, atomicWrite, saveState } from '../store.js';

/** What xl prints when the sender cannot read the target's final report (xl_migrate.c, failed_badly). */
const FINAL_HANDSHAKE_BROKE = '** Migration failed during final handshake **\n' +
  'Domain state is now undefined !\n' +
  'Please CHECK AT BOTH ENDS for running instances, before renaming and\n' +
  ' resuming at most one instance.  Two simultaneous instances of the domain\n' +
  ' would probably result in SEVERE DATA LOSS and it is now your\n' +
  ' responsibility to avoid that.  Sorry.\n';
/** Shutdown reason 2: suspended (SHUTDOWN_suspend). */
const SUSPEND = 2;

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'FC:s:epD', [
    { name: 'debug', hasArg: false, val: 'x' }, { name: 'live', hasArg: false, val: 'L' },
  ], 2);
  const [arg, hostName] = p.args as [string, string];
  const cfgFile = val(p, 'C');
  const dest = resolveHost(hostName, g.dir, g.hostsFile);
  const srcDir = resolve(g.dir);
  // What the sender knows before the transfer: the domain, its size and whether it runs.
  const pre = withHost(srcDir, (src) => {
    const id = findDomain(src.state, arg);
    const d = domainById(src.state, id);
    if (!d || id === 0) return undefined;
    const config = configToEmbed(src.state, d, cfgFile);
    if (config && has(p, 'D')) config.c_info = { ...config.c_info, domid: id };
    return { domid: id, uuid: d.uuid, memKiB: d.target_kb, paused: d.pause_count > 0, host: src.state.host, config };
  });
  if (!dest) {
    // What ssh prints for an unknown host, then libxl's view of the dead transport.
    err(`ssh: Could not resolve hostname ${hostName}: Name or service not known\r\n` +
      'libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading banner from migration receiver stream\n' +
      `libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${process.pid + 1}] exited with error status 255\n`);
    return 1;
  }
  if (!pre) { err('unable to retrieve domain configuration\n'); return 1; }
  const config = pre.config;
  if (!config) return 1;
  err('migration target: Ready to receive domain.\n');
  // The xl header and configuration go first, then libxc's memory stream.
  const { optLen } = encodeSaveFile(config, {});
  err(`Saving to migration stream new xl format (info 0x3/0x0/${optLen})\n`);
  err(`Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/${optLen})\n`);
  err(' Savefile contains xl domain config in JSON format\n');
  err('Parsing config from <saved>\n');
  const plan = migrationPlan(pre.memKiB, pre.paused, pre.host);
  const t0 = Date.now();
  // Pre-copy: the domain keeps running at the sender.
  for (const it of plan.iterations) {
    const steps = it === plan.iterations[0] ? 10 : 1;
    for (let k = 1; k <= steps; k++) {
      await delay(it.ms / steps);
      const done = Math.round((it.pages * k) / steps);
      err(`xc: Frames iteration ${it.index} of ${plan.maxIterations}: ${done}/${it.pages} ${String(Math.floor((100 * done) / Math.max(1, it.pages))).padStart(3)}%\n`);
    }
  }
  if (g.crashMidway) return 139; // the sender died before the hand-over: nothing moved
  // Stop-and-copy: the domain is suspended at the sender while the last dirty pages go over
  // (libxc names it the last iteration).
  await delay(plan.downtimeMs);
  const lastPages = plan.figures.pages_sent - plan.iterations.reduce((a, it) => a + it.pages, 0);
  err(`xc: Frames iteration ${plan.maxIterations} of ${plan.maxIterations}: ${lastPages}/${lastPages} 100%\n`);
  const locks = acquireLocks([srcDir, resolve(dest)]);
  let src: Ctx | undefined;
  let dst: Ctx | undefined;
  try {
    src = openCtx(srcDir);
    const s = src.state;
    const d = s.domains.find((x) => x.domid === pre.domid && x.uuid === pre.uuid);
    // Gone (or restarted) during the pre-copy: libxc loses its domain.
    if (!d) {
      err(`migration sender: libxl_domain_suspend failed (rc=-3)\nMigration failed, resuming at sender.\n`);
      return 1;
    }
    const id = d.domid;
    dst = resolve(dest) === srcDir ? src : openCtx(dest);
    const name = d.name;
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
    if (g.brokenHandshake) {
      // The link breaks here: the sender cannot learn what the target did, and leaves its copy
      // suspended (xl neither resumes nor destroys it); two copies, or none running.
      d.shutdown_reason = SUSPEND;
      if (g.brokenHandshake.started) {
        err('migration target: Got permission, starting domain.\n');
        nd.name = name;
        if (!has(p, 'p')) { nd.pause_count = 0; nd.has_run = true; }
        err('migration target: Domain started successsfully.\n');
      } else removeDomain(dst.state, nd, dst.now);
      src.dirty = true;
      dst.dirty = true;
      err(FINAL_HANDSHAKE_BROKE);
      return 1;
    }
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
    // The target unpauses unless -p, whatever the domain was at the sender.
    if (!has(p, 'p')) { nd.pause_count = 0; nd.has_run = true; }
    err('migration target: Domain started successsfully.\n');
    err('migration sender: Target reports successful startup.\n');
    removeDomain(s, d, src.now);
    if (dst !== src) {
      // Two files: the hand-over is recorded first, so a kill between the writes is finished
      // by the sender's next transaction (handover.ts). The target is written before the sender.
      const rec = newHandover(pre.uuid, resolve(dest));
      atomicWrite(join(srcDir, HANDOVER_FILE), JSON.stringify(rec));
      noteReceived(dst.state, rec);
      // Neither is written again on the way out: the sender (which no longer holds the domain)
      // only once the target holds it, so a target write that fails leaves the domain at home.
      const sender = src, target = dst;
      src = undefined;
      dst = undefined;
      saveState(target.dir, target.state);
      if (g.crashInHandover) return 139; // dies here: the sender's state is not written
      saveState(sender.dir, s);
      unlinkSync(join(srcDir, HANDOVER_FILE));
    } else src.dirty = true;
    recordMigration(srcDir, { domain: name, uuid: pre.uuid, destination: hostName, ...plan.figures, elapsed_ms: Date.now() - t0 });
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
