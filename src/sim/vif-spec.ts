// Network interface spec (xl-network-configuration(5), tools/xl/xl_parse.c parse_nic_config,
// tools/libs/util/libxlu_vif.c rate parsing; xl-network-configuration(5)).
import { err } from './io.js';

export type NicJson = Record<string, string | number>;

/** rate=<N>[GMK]<B|b>/s[@<interval>] → [bytes per interval, interval µs] or an error reason. */
export function parseRate(rate: string): [number, number] | string {
  const [r, interval] = rate.split('@', 2) as [string, string | undefined];
  const m = /^([0-9]+)([GMK]?)([Bb])\/s$/.exec(r);
  if (!m) return `invalid rate in \`${rate}'`;
  // libxlu_vif.c: the number before the multiplier is read with strtoull and refused above UINT32_MAX.
  if (Number(m[1]) > 0xffffffff) return `rate overflow in \`${r}'`;
  let bytes = Number(m[1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]!]!;
  if (m[3] === 'b') bytes /= 8;
  let us = 50_000;
  if (interval !== undefined) {
    const im = /^([0-9]+)([mu]?)(s?)$/.exec(interval);
    if (!im) return `invalid replenishment interval in \`${rate}'`;
    const n = Number(im[1]);
    us = im[2] === 'm' ? n * 1000 : im[2] === 'u' ? n : n * 1_000_000;
    if (us > 0xffffffff) return `replenishment interval overflow in \`${rate}'`;
  }
  if (bytes === 0) return `no rate specified in \`${rate}'`;
  const per = Math.floor((bytes * us) / 1e6);
  if (per > Number.MAX_SAFE_INTEGER) return `rate overflow in \`${rate}'`;
  return [per, us];
}

/**
 * Apply one `key=value` item to a nic. Returns an error text to print (and fail with
 * exit 1), or null. Warnings (bad MAC) are printed and parsing continues.
 */
export function applyNicItem(nic: NicJson, item: string, source: string): string | null {
  const eq = item.indexOf('=');
  const key = eq < 0 ? item : item.slice(0, eq);
  const v = eq < 0 ? '' : item.slice(eq + 1);
  switch (key) {
    case 'mac': {
      const parts = v.split(':');
      const bytes = [0, 0, 0, 0, 0, 0];
      let ok = parts.length === 6;
      for (let i = 0; i < 6 && i < parts.length; i++) {
        if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i]!)) { ok = false; break; }
        bytes[i] = parseInt(parts[i]!, 16);
      }
      if (!ok) err("Invalid parameter `mac'.\n");
      nic.mac = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
      return null;
    }
    case 'bridge': nic.bridge = v; return null;
    case 'ip': nic.ip = v; return null;
    case 'script': nic.script = v; return null;
    case 'backend': nic.backend_domname = v; return null;
    case 'vifname': nic.ifname = v; return null;
    case 'model': nic.model = v; return null;
    case 'gatewaydev': nic.gatewaydev = v; return null;
    case 'mtu': { const n = Number(v); if (!Number.isInteger(n)) { err("Invalid parameter `mtu'.\n"); return null; } nic.mtu = n; return null; }
    case 'devid': nic.devid = Number(v); return null;
    case 'type':
      if (v === 'ioemu') nic.nictype = 'vif_ioemu';
      else if (v === 'vif') nic.nictype = 'vif';
      else return "Invalid parameter `type'.\n";
      return null;
    case 'rate': {
      const r = parseRate(v);
      if (typeof r === 'string') return `${source}: config parsing error in vif: ${r}\n`;
      nic.rate_bytes_per_interval = r[0];
      nic.rate_interval_usecs = r[1];
      return null;
    }
    case 'accel': case 'trusted': case 'untrusted': case 'forwarddev': case 'netdev':
      return null;
    default:
      return `unrecognized argument \`${item}'\n`;
  }
}

/** A vif= entry from a config file: comma-separated items. */
export function parseVifSpec(spec: string, devid: number, source: string): NicJson | string {
  const nic: NicJson = { devid };
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const e = applyNicItem(nic, item, source);
    if (e) return e;
  }
  return nic;
}
