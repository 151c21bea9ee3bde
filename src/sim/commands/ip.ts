// `xl-sim ip ...`: the part of iproute2's `ip link` that manages the control domain's bridges
// (iproute2 6.1 texts and exit statuses: 2 when the kernel refuses, 1 for a missing device,
// 255 for an argument ip itself rejects). Success is silent. Only bridges (and the loopback
// device) exist in the simulated control domain.
import { bridgeMac, bridgesOf } from '../bridges.js';
import type { BridgeLink, HostState } from '../host-state.js';
import type { Globals } from '../globals.js';
import { err, out } from '../io.js';
import { withHost } from '../session.js';

const IFNAMSIZ = 16; // including the terminating NUL (Linux include/uapi/linux/if.h)

interface Shown { ifindex: number; ifname: string; up: boolean; loopback: boolean; master?: string; address?: string }

/** Linux `dev_valid_name` without the length rule (the kernel's policy check reports that one). */
function validName(n: string): boolean {
  return n !== '' && n !== '.' && n !== '..' && !/[/:\s]/.test(n);
}

function jsonOf(l: Shown): Record<string, unknown> {
  const flags = l.loopback ? ['LOOPBACK', 'UP', 'LOWER_UP'] : l.up ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'];
  return {
    ifindex: l.ifindex, ifname: l.ifname, flags, mtu: l.loopback ? 65536 : 1500,
    qdisc: l.up ? 'noqueue' : 'noop',
    ...(l.master !== undefined ? { master: l.master } : {}),
    operstate: l.loopback ? 'UNKNOWN' : l.up ? 'UP' : 'DOWN', linkmode: 'DEFAULT', group: 'default', txqlen: 1000,
    link_type: l.loopback ? 'loopback' : 'ether',
    address: l.address ?? (l.loopback ? '00:00:00:00:00:00' : bridgeMac(l.ifname)),
    broadcast: l.loopback ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff',
  };
}

function textOf(l: Shown): string {
  const j = jsonOf(l);
  return `${l.ifindex}: ${l.ifname}: <${(j.flags as string[]).join(',')}> mtu ${j.mtu} qdisc ${j.qdisc}${l.master !== undefined ? ` master ${l.master}` : ''} state ${j.operstate} mode DEFAULT group default qlen 1000\n` +
    `    link/${j.link_type} ${j.address} brd ${j.broadcast}\n`;
}

function notSimulated(argv: string[]): number {
  err(`xl-sim: 'ip ${argv.join(' ')}' is not simulated\n`);
  return 1;
}

/**
 * The ports of a bridge: the uplink on its bridge (a Xen host's bridged setup) and the vif of every
 * domain's interface on it, named as netback names them (`vif<domid>.<devid>`).
 */
function portsOf(s: HostState, bridge: string): Shown[] {
  const ports: Shown[] = [];
  if ((s.host.uplink_bridge ?? s.host.bridges?.[0] ?? 'xenbr0') === bridge) {
    ports.push({ ifindex: 2, ifname: s.host.uplink, up: true, loopback: false, master: bridge });
  }
  for (const d of s.domains) {
    for (const n of (d.config.nics ?? []) as { bridge?: string; devid?: number | string }[]) {
      if ((n.bridge ?? 'xenbr0') !== bridge) continue;
      ports.push({ ifindex: 1000 + d.domid * 16 + Number(n.devid ?? 0), ifname: `vif${d.domid}.${n.devid ?? 0}`, up: true, loopback: false, master: bridge, address: 'fe:ff:ff:ff:ff:ff' });
    }
  }
  return ports;
}

function show(s: HostState, links: BridgeLink[], args: string[], json: boolean, argv: string[]): number {
  let dev: string | undefined;
  let type: string | undefined;
  let master: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'type' && args[i + 1] !== undefined) type = args[++i];
    else if (a === 'dev' && args[i + 1] !== undefined) dev = args[++i];
    else if (a === 'master' && args[i + 1] !== undefined) master = args[++i];
    else if (dev === undefined && !a.startsWith('-') && a !== 'type' && a !== 'dev' && a !== 'master') dev = a;
    else return notSimulated(argv);
  }
  if (type !== undefined && type !== 'bridge') return notSimulated(argv);
  if (master !== undefined) {
    if (type !== undefined || dev !== undefined) return notSimulated(argv);
    if (!links.some((b) => b.ifname === master)) { err(`Device "${master}" does not exist.\n`); return 1; }
    const ports = portsOf(s, master);
    out(json ? JSON.stringify(ports.map(jsonOf)) + '\n' : ports.map(textOf).join(''));
    return 0;
  }
  let all: Shown[] = links.map((b) => ({ ...b, loopback: false }));
  if (type === undefined) all = [{ ifindex: 1, ifname: 'lo', up: true, loopback: true }, ...all];
  if (dev !== undefined) {
    all = all.filter((l) => l.ifname === dev);
    if (all.length === 0) { err(`Device "${dev}" does not exist.\n`); return 1; }
  }
  out(json ? JSON.stringify(all.map(jsonOf)) + '\n' : all.map(textOf).join(''));
  return 0;
}

export async function run(_cmd: string, argv: string[], g: Globals): Promise<number> {
  let i = 0;
  let json = false;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    if (argv[i] === '-j' || argv[i] === '-json') json = true;
    else return notSimulated(argv);
  }
  if (argv[i] !== 'link') return notSimulated(argv);
  const verb = argv[i + 1] ?? 'show';
  const rest = argv.slice(i + 2);
  return withHost(g.dir, (ctx) => {
    const links = bridgesOf(ctx.state);
    if (verb === 'show' || verb === 'list' || verb === 'ls') return show(ctx.state, links, rest, json, argv);
    if (verb === 'add') {
      const r = rest[0] === 'name' ? rest.slice(1) : rest;
      const name = r[0];
      if (name === undefined || r[1] !== 'type' || r[2] === undefined || r.length !== 3) return notSimulated(argv);
      if (!validName(name)) { err(`Error: argument "${name}" is wrong: "dev" not a valid ifname\n`); return 255; }
      if (Buffer.byteLength(name) >= IFNAMSIZ) { err('Error: Attribute failed policy validation.\n'); return 2; }
      if (r[2] !== 'bridge') { err('Error: Unknown device type.\n'); return 2; }
      if (name === 'lo' || links.some((b) => b.ifname === name)) { err('RTNETLINK answers: File exists\n'); return 2; }
      const ifindex = ctx.state.next_ifindex ?? links.length + 2;
      // A new bridge is DOWN until `ip link set dev <br> up`.
      links.push({ ifname: name, ifindex, up: false });
      ctx.state.next_ifindex = ifindex + 1;
      ctx.dirty = true;
      return 0;
    }
    if (verb === 'del' || verb === 'delete') {
      const r = rest[0] === 'dev' ? rest.slice(1) : rest;
      const name = r[0];
      if (name === undefined || (r.length !== 1 && !(r.length === 3 && r[1] === 'type'))) return notSimulated(argv);
      const at = links.findIndex((b) => b.ifname === name);
      if (at < 0) { err(`Cannot find device "${name}"\n`); return 1; }
      // Deleting a bridge releases its ports; the vifs themselves stay.
      links.splice(at, 1);
      ctx.dirty = true;
      return 0;
    }
    if (verb === 'set') {
      // `ip link set [dev] <br> up|down`
      const r = rest[0] === 'dev' ? rest.slice(1) : rest;
      const name = r[0];
      if (name === undefined || r.length !== 2 || (r[1] !== 'up' && r[1] !== 'down')) return notSimulated(argv);
      const b = links.find((l) => l.ifname === name);
      if (!b) { err(`Cannot find device "${name}"\n`); return 1; }
      b.up = r[1] === 'up';
      ctx.dirty = true;
      return 0;
    }
    return notSimulated(argv);
  });
}
