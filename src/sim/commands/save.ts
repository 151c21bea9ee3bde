// xl save [-c] [-p] [-D] <Domain> <CheckpointFile> [<ConfigFile>] (docs/xl-toolstack.md §7).
// The xl header and configuration go first, then the guest's memory, written over modelled time
// (image-io.ts: the file grows to the memory's size as it is written) with no lock held; the domain is checked again and removed (or kept, with -c or
// -p) once the image is complete.
import { open, type FileHandle } from 'node:fs/promises';
import { getopts, has } from '../cli-args.js';
import { removeDomain } from '../clock.js';
import { domainById, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import type { Domain, HostState } from '../host-state.js';
import { pagesOf, rateOf, writeMemory } from '../image-io.js';
import { err, hostPath } from '../io.js';
import { encodeSaveFile } from '../save-file.js';
import { configToEmbed } from '../saved-config.js';
import { withHost } from '../session.js';

/** Shutdown reason 2: the guest suspended itself for the save (SHUTDOWN_suspend). */
const SUSPEND = 2;

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 'cpD', [], 2);
  const [arg, file, cfgFile] = p.args as [string, string, string | undefined];
  const pre = withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const id = findDomain(s, arg);
    const d = domainById(s, id);
    if (!d || id === 0) { err('unable to retrieve domain configuration\n'); return 1; }
    const config = configToEmbed(s, d, cfgFile);
    if (!config) return 1;
    if (has(p, 'D')) config.c_info = { ...config.c_info, domid: id };
    const { buf, optLen } = encodeSaveFile(config, { saved_at: ctx.now, domid: id, host: s.host.hostname });
    return { id, uuid: d.uuid, buf, optLen, pages: pagesOf(d.target_kb), rate: rateOf(s.host, 'save') };
  });
  if (typeof pre === 'number') return pre;
  /** libxl_domain_resume: the suspended guest runs on (after a failure, or with -c/-p). */
  const resume = (ctx: { state: HostState; dirty: boolean }): Domain | undefined => {
    const d = ctx.state.domains.find((x) => x.domid === pre.id && x.uuid === pre.uuid);
    if (d && d.shutdown_reason === SUSPEND) { d.shutdown_reason = null; ctx.dirty = true; }
    return d;
  };
  let fh: FileHandle;
  try {
    fh = await open(hostPath(file), 'w');
  } catch {
    err(`Failed to open temp file ${file} for writing\n`);
    return 1;
  }
  err(`Saving to ${file} new xl format (info 0x3/0x0/${pre.optLen})\n`);
  try {
    await fh.write(pre.buf, 0, pre.buf.length, null);
    // A save is not live: once the file and its header are written, libxl suspends the guest
    // (shut down, reason suspend: `---ss-`), then writes its memory, and only then destroys or
    // resumes it. An xl killed meanwhile leaves it suspended, which no xl command resumes.
    withHost(g.dir, (ctx) => {
      const d = ctx.state.domains.find((x) => x.domid === pre.id && x.uuid === pre.uuid);
      if (d && d.shutdown_reason === null) { d.shutdown_reason = SUSPEND; ctx.dirty = true; }
    });
    await writeMemory(fh, pre.buf.length, pre.pages, pre.rate);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e; // killed: the image stays partial
    withHost(g.dir, resume);
    err('Failed to save domain, resuming domain\n');
    return 1;
  } finally {
    await fh.close();
  }
  return withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const d = s.domains.find((x) => x.domid === pre.id && x.uuid === pre.uuid);
    // Gone while its memory was written: libxc loses its domain.
    if (!d) { err('Failed to save domain, resuming domain\n'); return 1; }
    // -p: xl pauses the domain (one more pause, up to Xen's 255), then resumes the suspended
    // guest; -c alone resumes it. Either way it stays.
    if (has(p, 'p') && d.pause_count < 255) { d.pause_count++; ctx.dirty = true; }
    if (has(p, 'p') || has(p, 'c')) { resume(ctx); return 0; }
    removeDomain(s, d, ctx.now);
    ctx.dirty = true;
    return 0;
  });
}
