/** `xl vcpu-list` (xl-reference §4.2). Name = everything before the last 7+ fields. */
export interface VcpuRow {
  name: string;
  domid: number;
  vcpu: number;
  /** Physical CPU, undefined when offline. */
  cpu?: number;
  online: boolean;
  running: boolean;
  blocked: boolean;
  cpuTimeSec: number;
  hardAffinity: string;
  softAffinity: string;
}

// id vcpu cpu state time hard / soft   (cpu is '-' when offline)
const ROW = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+([-rbp]{3})\s+([\d.]+)\s+(\S+) \/ (\S+)\s*$/;

export function parseVcpuList(text: string): VcpuRow[] {
  const rows: VcpuRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('Name ') || line.trim() === '') continue;
    const m = ROW.exec(line);
    if (!m) continue;
    const st = m[5]!;
    const row: VcpuRow = {
      name: m[1]!.trim(),
      domid: Number(m[2]),
      vcpu: Number(m[3]),
      online: st[2] !== 'p',
      running: st[0] === 'r',
      blocked: st[1] === 'b',
      cpuTimeSec: Number(m[6]),
      hardAffinity: m[7]!,
      softAffinity: m[8]!,
    };
    if (m[4] !== '-') row.cpu = Number(m[4]);
    rows.push(row);
  }
  return rows;
}
