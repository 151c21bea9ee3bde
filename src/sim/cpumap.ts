// CPU list syntax of xl.cfg cpus=/cpus_soft= and xl vcpu-pin ("0-3,5,^1", "all",
// "nodes:0-1,^node:2"), and the way xl prints CPU maps ("all", "none", "0-3,8").
import type { HostConfig } from './host-state.js';

function nodeCpus(h: HostConfig, node: number): number[] {
  const per = Math.ceil(h.nr_cpus / h.nr_nodes);
  const r: number[] = [];
  for (let c = node * per; c < Math.min(h.nr_cpus, (node + 1) * per); c++) r.push(c);
  return r;
}

/** Parse a CPU list; returns the sorted set or null when the syntax is invalid. CPUs beyond the host are dropped. */
export function parseCpuList(spec: string, h: HostConfig): number[] | null {
  const set = new Set<number>();
  for (const rawTok of spec.split(',')) {
    let tok = rawTok.trim();
    if (tok === '') return null;
    let neg = false;
    if (tok.startsWith('^')) { neg = true; tok = tok.slice(1); }
    let cpus: number[] = [];
    if (tok === 'all') {
      cpus = Array.from({ length: h.nr_cpus }, (_, i) => i);
    } else {
      let nodes = false;
      const m0 = /^(nodes?:)(.*)$/.exec(tok);
      if (m0) { nodes = true; tok = m0[2]!; }
      const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(tok);
      if (!m) return null;
      const a = Number(m[1]);
      const b = m[2] !== undefined ? Number(m[2]) : a;
      if (b < a) return null;
      for (let i = a; i <= b; i++) {
        if (nodes) cpus.push(...nodeCpus(h, i));
        else cpus.push(i);
      }
    }
    for (const c of cpus) if (c < h.nr_cpus) { if (neg) set.delete(c); else set.add(c); }
  }
  return [...set].sort((x, y) => x - y);
}

/** xl's print_bitmap: "all" when every CPU is set, "none" when empty, else ranges. */
export function formatCpuMap(cpus: number[] | null, nrCpus: number): string {
  if (cpus === null) return 'all';
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  if (s.length === 0) return 'none';
  if (s.length >= nrCpus && s[0] === 0 && s[s.length - 1] === nrCpus - 1) return 'all';
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
