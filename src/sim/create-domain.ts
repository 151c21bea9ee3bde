// Domain creation as libxl does it (xl(1)), shared by create,
// restore, incoming migration and the monitor's restarts.
import { statSync } from 'node:fs';
import { createBridgeFailure, hasBridge } from './bridges.js';
import { applyCreateDefaults, instantiate } from './domain-factory.js';
import { allocDomid, type Domain } from './host-state.js';
import { hostPath } from './io.js';
import { freeKb, needMemoryKb } from './overhead.js';
import type { Ctx } from './session.js';

export interface CreateOpts {
  paused: boolean;
  monitor: boolean;
  /** `xl save -D` / `migrate -D`: ask for this domid. */
  domid?: number;
  /** Skip the free-memory check (already done by the caller). */
  noMemCheck?: boolean;
}

export type CreateResult = { domain: Domain } | { stderr: string; code: number; domid?: number };

function domainTypeWarnings(id: number): string {
  return `libxl: error: libxl_xshelp.c:206:libxl__xs_read_mandatory: xenstore read failed: \`/libxl/${id}/type': No such file or directory\n` +
    `libxl: warning: libxl_dom.c:49:libxl__domain_type: unable to get domain type for domid=${id}, assuming HVM\n`;
}

function strerror(code: string | undefined): string {
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'ENOTDIR': return 'Not a directory';
    default: return 'Input/output error';
  }
}

export function memoryNeedKb(cfg: Record<string, any>): number {
  const c = applyCreateDefaults(cfg);
  const b = c.b_info;
  return needMemoryKb({
    type: c.c_info.type ?? 'pv', target_kb: b.target_memkb, max_kb: b.max_memkb, max_vcpus: b.max_vcpus,
    hap: c.c_info.hap !== 'False', shadow_kb: b.shadow_memkb,
  });
}

export function createDomain(ctx: Ctx, rawCfg: Record<string, any>, opts: CreateOpts): CreateResult {
  const s = ctx.state;
  const cfg = applyCreateDefaults(rawCfg);
  // xl's freemem(): the domain must fit in free memory (docs/xl-toolstack.md §5).
  if (!opts.noMemCheck && memoryNeedKb(cfg) > freeKb(s, ctx.freeFaultMib)) {
    return { stderr: 'failed to free memory for the domain\n', code: 3 };
  }
  let id: number;
  if (opts.domid !== undefined) {
    if (s.domains.some((d) => d.domid === opts.domid)) {
      return { stderr: `libxl: error: libxl_create.c:672:libxl__domain_make: Domain ${opts.domid}:domain creation fail: File exists\nlibxl: error: libxl_create.c:1296:initiate_domain_create: Domain ${opts.domid}:cannot make domain: -3\n`, code: 3 };
    }
    id = opts.domid;
  } else {
    id = allocDomid(s);
  }
  ctx.dirty = true; // the id is consumed even if creation fails below (docs/xl-toolstack.md §4)
  const name: string = cfg.c_info.name ?? '';
  if (name !== '' && s.domains.some((d) => d.name === name)) {
    return {
      stderr: `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${id}:Domain with name "${name}" already exists.\n` +
        `libxl: error: libxl_create.c:1296:initiate_domain_create: Domain ${id}:cannot make domain: -6\n` +
        domainTypeWarnings(id) + domainTypeWarnings(id),
      code: 3, domid: id,
    };
  }
  if (s.host.check_disk_paths) {
    const disks: any[] = cfg.disks ?? [];
    for (let i = 0; i < disks.length; i++) {
      const d = disks[i];
      if (!d.pdev_path) continue;
      try { statSync(hostPath(d.pdev_path)); } catch (e) {
        return {
          stderr: `libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=${d.vdev} failed to stat: ${d.pdev_path}: ${strerror((e as NodeJS.ErrnoException).code)}\n` +
            `libxl: error: libxl_create.c:1318:initiate_domain_create: Domain ${id}:Unable to set disk defaults for disk ${i}\n` +
            domainTypeWarnings(id),
          code: 3, domid: id,
        };
      }
    }
  }
  // The vif hotplug script checks the bridge; libxl then tears the half-built domain down.
  const missing = ((cfg.nics ?? []) as Array<{ bridge?: string }>).find((n) => !hasBridge(s, n.bridge ?? 'xenbr0'));
  if (missing) return { stderr: createBridgeFailure(id, missing.bridge ?? 'xenbr0', process.pid + 1), code: 3, domid: id };
  const dom = instantiate(s, cfg, id, ctx.now, { paused: opts.paused, monitor: opts.monitor });
  s.domains.push(dom);
  s.domains.sort((a, b) => a.domid - b.domid);
  return { domain: dom };
}

export { strerror };
