// xl network-attach / network-detach / network-list (tools/xl/xl_nic.c; docs/xl-toolstack.md §6).
import { attachBridgeFailure, hasBridge } from '../bridges.js';
import { getopts } from '../cli-args.js';
import { NIC_ORDER, ordered } from '../config-order.js';
import { domainById, findDomain } from '../domain-arg.js';
import type { Domain } from '../host-state.js';
import type { Globals } from '../globals.js';
import { err, out } from '../io.js';
import { yajl } from '../json-yajl.js';
import { padL, padR } from '../printf.js';
import { withHost } from '../session.js';
import { randomMac } from '../uuid-mac.js';
import { applyNicItem, type NicJson } from '../vif-spec.js';

const HEADER = `${padR('Idx', 3)} ${padR('BE', 2)} ${padR('Mac Addr.', 17)} ${padR('handle', 6)} ${padR('state', 5)} ${padR('evt-ch', 6)} ${padL('tx-', 5)}/${padR('rx-ring-ref', 5)} ${padR('BE-path', 30)}\n`;

function rows(d: Domain): string {
  return (d.config.nics ?? []).map((n: NicJson) => {
    const id = Number(n.devid);
    return `${padR(id, 3)} ${padR(0, 2)} ${n.mac}${padL(id, 6)} ${padL(4, 5)} ${padL(30 + id, 6)} ${padL(768 + 2 * id, 5)}/${padR(769 + 2 * id, 11)} ${padR(`/local/domain/0/backend/vif/${d.domid}/${id}`, 30)}\n`;
  }).join('');
}

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  if (cmd === 'network-list') {
    const p = await getopts(cmd, argv, '', [], 1);
    return withHost(g.dir, (ctx) => {
      out(HEADER);
      for (const a of p.args) {
        const d = domainById(ctx.state, findDomain(ctx.state, a));
        if (d) out(rows(d));
      }
      return 0;
    });
  }
  if (cmd === 'network-detach') {
    const p = await getopts(cmd, argv, '', [], 2);
    return withHost(g.dir, (ctx) => {
      const id = findDomain(ctx.state, p.args[0]!);
      const which = p.args[1]!;
      const d = domainById(ctx.state, id);
      const nics: NicJson[] = d?.config.nics ?? [];
      let idx: number;
      if (which.includes(':')) {
        idx = nics.findIndex((n) => String(n.mac).toLowerCase() === which.toLowerCase());
        if (idx < 0) { err(`Unknown device ${which}.\n`); return 1; }
      } else {
        // xl reads the device id with atoi(): text that does not start with a number is devid 0.
        const devid = parseInt(which, 10) || 0;
        idx = nics.findIndex((n) => Number(n.devid) === devid);
        if (idx < 0) {
          err(`libxl: error: libxl_xshelp.c:206:libxl__xs_read_mandatory: xenstore read failed: \`/libxl/${id}/device/vif/${devid}': No such file or directory\nUnknown device ${which}.\n`);
          return 1;
        }
      }
      const [gone] = nics.splice(idx, 1);
      if (d) delete d.nets[String(gone!.devid)];
      if (d && nics.length === 0) delete d.config.nics;
      ctx.dirty = true;
      return 0;
    });
  }
  // network-attach <Domain> [key=value ...]
  const p = await getopts(cmd, argv, '', [], 1);
  return withHost(g.dir, (ctx) => {
    const id = findDomain(ctx.state, p.args[0]!);
    const nic: NicJson = {};
    for (const item of p.args.slice(1)) {
      const e = applyNicItem(nic, item, 'command line');
      if (e) { err(e); return 1; }
    }
    if (g.dryrun) { out(`vif: ${yajl(ordered(nic, NIC_ORDER))}\n\n`); return 0; }
    const d = domainById(ctx.state, id);
    if (!d || d.domid === 0) { err('libxl_device_nic_add failed.\n'); return 1; }
    const nics: NicJson[] = (d.config.nics ??= []);
    if (nic.devid === undefined) nic.devid = nics.reduce((m, n) => Math.max(m, Number(n.devid) + 1), 0);
    else if (nics.some((n) => Number(n.devid) === Number(nic.devid))) { err('libxl_device_nic_add failed.\n'); return 1; }
    if (!nic.mac) nic.mac = randomMac();
    if (!nic.bridge) nic.bridge = 'xenbr0';
    if (!nic.nictype) nic.nictype = 'vif';
    nics.push(nic);
    d.nets[String(nic.devid)] = { rx_bytes: 0, tx_bytes: 0, rx_pkts: 0, tx_pkts: 0 };
    ctx.dirty = true;
    // libxl stored the nic before the hotplug script ran and does not roll it back.
    if (!hasBridge(ctx.state, String(nic.bridge))) {
      err(attachBridgeFailure(d.domid, Number(nic.devid), String(nic.bridge), process.pid + 1));
      return 1;
    }
    return 0;
  });
}
