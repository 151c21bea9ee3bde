// xl uptime [-s] [Domain…] (tools/xl/xl_misc.c; samples in test/data/xl-samples).
import { getopts, has } from '../cli-args.js';
import { domainById, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { out } from '../io.js';
import { padL, padR } from '../printf.js';
import { withHost } from '../session.js';

const two = (n: number) => String(n).padStart(2, '0');

function long(sec: number): string {
  const days = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const hms = `${padL(h, 2)}:${two(m)}:${two(s)}`;
  if (days > 1) return `${days} days, ${hms}`;
  if (days === 1) return `1 day, ${hms}`;
  return hms;
}

function short(sec: number): string {
  const days = Math.floor(sec / 86400);
  const hm = `${padL(Math.floor((sec % 86400) / 3600), 2)}:${two(Math.floor((sec % 3600) / 60))}`;
  if (days > 1) return `${days} days, ${hm}`;
  if (days === 1) return `1 day, ${hm}`;
  return hm;
}

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const p = await getopts(cmd, argv, 's', [], 0);
  return withHost(g.dir, (ctx) => {
    const s = ctx.state;
    const doms = p.args.length
      ? p.args.map((a) => domainById(s, findDomain(s, a))).filter((d) => d !== undefined)
      : [...s.domains];
    const up = (d: (typeof doms)[number]) => Math.floor((ctx.now - (d.domid === 0 ? s.boot_ms : d.start_ms)) / 1000);
    if (has(p, 's')) {
      const t = new Date(ctx.now);
      const clock = `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
      out(doms.map((d) => ` ${clock} up ${short(up(d))}, ${d.name} (${d.domid})\n`).join(''));
      return 0;
    }
    let o = `${padR('Name', 33)} ${padL('ID', 4)} Uptime\n`;
    for (const d of doms) o += `${padR(d.name, 33)} ${padL(d.domid, 4)} ${long(up(d))}\n`;
    out(o);
    return 0;
  });
}
