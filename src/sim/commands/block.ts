// xl block-attach / block-detach / block-list (tools/xl/xl_block.c; docs/xl-toolstack.md §6).
import { statSync } from 'node:fs';
import { getopts } from '../cli-args.js';
import { DISK_ORDER, ordered } from '../config-order.js';
import { strerror } from '../create-domain.js';
import { domainById, findDomain, qualifierToDomid } from '../domain-arg.js';
import { diskBackendKind, parseDiskSpec, vdevToDevid } from '../disk-spec.js';
import type { Domain } from '../host-state.js';
import type { Globals } from '../globals.js';
import { err, hostPath, out } from '../io.js';
import { yajl } from '../json-yajl.js';
import { padR } from '../printf.js';
import { withHost } from '../session.js';

const HEADER = `${padR('Vdev', 5)} ${padR('BE', 3)} ${padR('handle', 6)} ${padR('state', 5)} ${padR('evt-ch', 6)} ${padR('ring-ref', 8)} ${padR('BE-path', 30)}\n`;

function rows(d: Domain): string {
  return (d.config.disks ?? []).map((k: Record<string, any>, i: number) => {
    const devid = vdevToDevid(k.vdev);
    const kind = diskBackendKind(k);
    return `${padR(devid, 5)} ${padR(0, 3)} ${padR(d.domid, 6)} ${padR(4, 5)} ${padR(23 + 2 * i, 6)} ${padR(10 + i, 8)} ${padR(`/local/domain/0/backend/${kind}/${d.domid}/${devid}`, 30)}\n`;
  }).join('');
}

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  if (cmd === 'block-list') {
    const p = await getopts(cmd, argv, '', [], 1);
    return withHost(g.dir, (ctx) => {
      out(HEADER);
      for (const a of p.args) {
        const id = qualifierToDomid(ctx.state, a);
        // block-list reports an unknown domain and carries on (exit 0).
        if (id === null) { err(`${a} is an invalid domain identifier\n`); continue; }
        const d = domainById(ctx.state, id);
        if (d) out(rows(d));
      }
      return 0;
    });
  }
  if (cmd === 'block-detach') {
    const p = await getopts(cmd, argv, 'f', [{ name: 'force', hasArg: false, val: 'f' }], 2);
    return withHost(g.dir, (ctx) => {
      const id = findDomain(ctx.state, p.args[0]!);
      const which = p.args[1]!;
      const d = domainById(ctx.state, id);
      const devid = vdevToDevid(which);
      const disks: Array<Record<string, any>> = d?.config.disks ?? [];
      const idx = disks.findIndex((k) => k.vdev === which || vdevToDevid(k.vdev) === devid);
      if (idx < 0) {
        if (devid >= 0) err(`libxl: error: libxl_disk.c:516:libxl__disk_from_xenstore: disk /libxl/${id}/device/vbd/${devid} does not exist (no backend path\n`);
        err(`Error: Device ${which} not connected.\n`);
        return 1;
      }
      const [gone] = disks.splice(idx, 1);
      if (d) delete d.vbds[gone!.vdev];
      if (d && disks.length === 0) delete d.config.disks;
      ctx.dirty = true;
      return 0;
    });
  }
  // block-attach <Domain> <disk-spec-component(s)>...
  const p = await getopts(cmd, argv, '', [], 2);
  return withHost(g.dir, (ctx) => {
    const id = qualifierToDomid(ctx.state, p.args[0]!);
    if (id === null) { err(`${p.args[0]} is an invalid domain identifier\n`); return 1; }
    const spec = p.args.slice(1).join(',');
    const disk = parseDiskSpec(spec, 'command line');
    if (typeof disk === 'string') { err(disk); return 1; }
    if (g.dryrun) { out(`disk: ${yajl(ordered(disk as unknown as Record<string, unknown>, DISK_ORDER))}\n\n`); return 0; }
    const d = domainById(ctx.state, id);
    // The list is made only once the disk is added: a failure must leave the domain as it was.
    const disks: Array<Record<string, any>> = d?.config.disks ?? [];
    if (!d || d.domid === 0 || disks.some((k) => k.vdev === disk.vdev)) { err('libxl_device_disk_add failed.\n'); return 1; }
    if (ctx.state.host.check_disk_paths && disk.pdev_path) {
      try { statSync(hostPath(disk.pdev_path)); } catch (e) {
        err(`libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=${disk.vdev} failed to stat: ${disk.pdev_path}: ${strerror((e as NodeJS.ErrnoException).code)}\nlibxl_device_disk_add failed.\n`);
        return 1;
      }
    }
    disks.push({ ...disk });
    d.config.disks = disks;
    d.vbds[disk.vdev] = { oo: 0, rd: 0, wr: 0, rsect: 0, wsect: 0 };
    ctx.dirty = true;
    return 0;
  });
}
