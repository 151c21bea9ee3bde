// The simulated host's xenstore as the dom0 tools see it (xenstore-read/-write/-ls...): nodes
// derived from the domains (name, domid, memory, the vif frontends and backends as libxl
// writes them), overlaid with what was written with xenstore-write. A vif's `rate` is read by
// netback from `backend/vif/<domid>/<devid>/rate` ("<bytes>,<usecs>"); a write changes the live
// value only: the domain's stored config (xl list -l, a save image) keeps the attach-time rate,
// as libxl never reads it back.
import type { Domain, HostState } from './host-state.js';

export const DOM0_HOME = '/local/domain/0';
const REL_PATH_MAX = 2048;
const ABS_PATH_MAX = 3072;

/** A path as xenstored resolves it: relative ones against dom0's home; undefined when invalid (EINVAL). */
export function resolvePath(key: string): string | undefined {
  const p = key.startsWith('/') || key.startsWith('@') ? key : `${DOM0_HOME}/${key}`;
  if (p.startsWith('@')) return undefined; // special watch paths are not nodes
  if (p !== '/' && (p.endsWith('/') || p.includes('//'))) return undefined;
  if (!/^[A-Za-z0-9\-/_@]+$/.test(p) || p.length > ABS_PATH_MAX) return undefined;
  const m = /^\/local\/domain\/[0-9]+\/(.*)$/.exec(p);
  if (m && m[1]!.length > REL_PATH_MAX) return undefined;
  return p;
}

/** The domain whose lifetime a node shares: its own subtree and its devices' backends in dom0. */
function ownerOf(s: HostState, path: string): Domain | undefined {
  const m = /^\/local\/domain\/0\/backend\/[^/]+\/([0-9]+)(\/|$)/.exec(path) ?? /^\/local\/domain\/([0-9]+)(\/|$)/.exec(path);
  const id = m ? Number(m[1]) : -1;
  if (id <= 0) return undefined;
  return s.domains.find((d) => d.domid === id);
}

const NETBACK_FEATURES: readonly [string, string][] = [
  ['feature-sg', '1'], ['feature-gso-tcpv4', '1'], ['feature-gso-tcpv6', '1'], ['feature-ipv6-csum-offload', '1'],
  ['feature-rx-copy', '1'], ['feature-xdp-headroom', '1'], ['feature-rx-flip', '0'], ['feature-multicast-control', '1'],
  ['feature-dynamic-multicast-control', '1'], ['feature-split-event-channels', '1'],
];

function derived(s: HostState): Map<string, string> {
  const t = new Map<string, string>();
  const dom0Vcpus = s.domains.find((d) => d.domid === 0)?.vcpus.length ?? 1;
  for (const d of s.domains) {
    const home = `/local/domain/${d.domid}`;
    t.set(`${home}/name`, d.name);
    t.set(`${home}/domid`, String(d.domid));
    if (d.domid === 0) continue;
    t.set(`${home}/vm`, `/vm/${d.uuid}`);
    t.set(`${home}/memory/target`, String(d.target_kb - Number(d.config?.b_info?.video_memkb ?? 0)));
    t.set(`${home}/memory/static-max`, String(d.max_kb));
    t.set(`/vm/${d.uuid}/uuid`, d.uuid);
    t.set(`/vm/${d.uuid}/name`, d.name);
    for (const n of (d.config?.nics ?? []) as Array<Record<string, string | number>>) {
      const id = String(n.devid);
      const fe = `${home}/device/vif/${id}`;
      const be = `${DOM0_HOME}/backend/vif/${d.domid}/${id}`;
      t.set(`${fe}/backend`, be);
      t.set(`${fe}/backend-id`, '0');
      t.set(`${fe}/state`, '4');
      t.set(`${fe}/handle`, id);
      t.set(`${fe}/mac`, String(n.mac));
      t.set(`${be}/frontend`, fe);
      t.set(`${be}/frontend-id`, String(d.domid));
      t.set(`${be}/online`, '1');
      t.set(`${be}/state`, '4');
      t.set(`${be}/script`, '/etc/xen/scripts/vif-bridge');
      t.set(`${be}/mac`, String(n.mac));
      if (n.ip !== undefined) t.set(`${be}/ip`, String(n.ip));
      if (Number(n.rate_interval_usecs ?? 0) > 0) t.set(`${be}/rate`, `${n.rate_bytes_per_interval},${n.rate_interval_usecs}`);
      t.set(`${be}/bridge`, String(n.bridge ?? 'xenbr0'));
      t.set(`${be}/handle`, id);
      t.set(`${be}/type`, n.nictype === 'vif_ioemu' ? 'vif_ioemu' : 'vif');
      t.set(`${be}/hotplug-status`, 'connected');
      // what netback's probe writes (drivers/net/xen-netback/xenbus.c netback_probe)
      for (const f of NETBACK_FEATURES) t.set(`${be}/${f[0]}`, f[1]);
      t.set(`${be}/multi-queue-max-queues`, String(Math.min(dom0Vcpus, 8)));
      t.set(`${be}/feature-ctrl-ring`, '1');
    }
  }
  return t;
}

/** Every node with its value, parents included (a parent made implicitly holds ""). */
export function xenstoreNodes(s: HostState): Map<string, string> {
  const t = derived(s);
  const apply = (overlay: Record<string, string | null> | undefined): void => {
    for (const [p, v] of Object.entries(overlay ?? {})) {
      if (v !== null) { t.set(p, v); continue; }
      for (const k of [...t.keys()]) if (k === p || k.startsWith(`${p}/`)) t.delete(k);
    }
  };
  for (const d of s.domains) apply(d.xs);
  apply(s.xenstore);
  // A parent made implicitly comes before its first child (creation order).
  const out = new Map<string, string>([['/', '']]);
  for (const [p, v] of t) {
    const parents: string[] = [];
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
      const parent = p.slice(0, i);
      if (out.has(parent)) break;
      parents.unshift(parent);
    }
    for (const parent of parents) out.set(parent, '');
    out.set(p, v);
  }
  return out;
}

/** Children of a node, in the order they appear (creation order, as C xenstored lists them). */
export function childrenOf(nodes: Map<string, string>, path: string): string[] {
  const prefix = path === '/' ? '/' : `${path}/`;
  const out: string[] = [];
  for (const p of nodes.keys()) {
    if (p === path || !p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    if (!rest.includes('/')) out.push(rest);
  }
  return out;
}

/**
 * Store a written node (null: removed with its subtree) with its domain (gone when the domain
 * goes) or with the host; the newest change of a path is applied last.
 */
export function writeNode(s: HostState, path: string, value: string | null): void {
  const d = ownerOf(s, path);
  const overlay = d ? (d.xs ??= {}) : (s.xenstore ??= {});
  delete overlay[path];
  overlay[path] = value;
}

/** Output escaping of xs_lib.c sanitise_value. */
export function escapeValue(v: string): string {
  let o = '';
  for (const ch of Buffer.from(v, 'utf8')) {
    if (ch === 0x5c) o += '\\\\';
    else if (ch === 0x09) o += '\\t';
    else if (ch === 0x0a) o += '\\n';
    else if (ch === 0x0d) o += '\\r';
    else if (ch < 8) o += `\\${ch.toString(8).padStart(3, '0')}`;
    else if (ch >= 0x20 && ch <= 0x7e) o += String.fromCharCode(ch);
    else o += `\\x${ch.toString(16).padStart(2, '0')}`;
  }
  return o;
}

/** Input unescaping of xs_lib.c unsanitise_value. */
export function unescapeValue(v: string): string {
  let o = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\' || i + 1 >= v.length) { o += c; continue; }
    const n = v[++i]!;
    if (n === 't') o += '\t';
    else if (n === 'n') o += '\n';
    else if (n === 'r') o += '\r';
    else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(v.slice(i + 1));
      if (m) { o += String.fromCharCode(parseInt(m[0], 16)); i += m[0].length; } else o += 'x';
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(v.slice(i))!;
      o += String.fromCharCode(parseInt(m[0], 8));
      i += m[0].length - 1;
    } else o += n;
  }
  return o;
}
