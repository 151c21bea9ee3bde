/** `xl block-list` (xl-reference §4.5). The column headed `handle` is the frontend domid. */
export interface BlockListRow {
  /** Numeric device id (xvda = 51712). */
  vdevId: number;
  vdev?: string;
  backendDomid: number;
  domid: number;
  state: number;
  eventChannel: number;
  ringRef: number;
  backendPath: string;
  backend: 'vbd' | 'qdisk' | string;
}

export function parseBlockList(text: string): BlockListRow[] {
  const rows: BlockListRow[] = [];
  for (const raw of text.split('\n')) {
    const m = /^(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(\S+)\s*$/.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const id = Number(m[1]);
    const row: BlockListRow = {
      vdevId: id,
      backendDomid: Number(m[2]),
      domid: Number(m[3]),
      state: Number(m[4]),
      eventChannel: Number(m[5]),
      ringRef: Number(m[6]),
      backendPath: m[7]!,
      backend: /\/backend\/([^/]+)\//.exec(m[7]!)?.[1] ?? 'unknown',
    };
    const name = vdevName(id);
    if (name) row.vdev = name;
    rows.push(row);
  }
  return rows;
}

/** Numeric Xen virtual device id → name (xvd: 202<<8 | disk<<4; extended (1<<28)|(disk<<8); hd: 3/22). */
export function vdevName(id: number): string | undefined {
  const letters = (n: number): string => {
    let s = '';
    n += 1;
    while (n > 0) {
      n -= 1;
      s = String.fromCharCode(97 + (n % 26)) + s;
      n = Math.floor(n / 26);
    }
    return s;
  };
  if (id & (1 << 28)) {
    const disk = (id >> 8) & 0xfffff;
    return (id & 0xff) === 0 ? 'xvd' + letters(disk) : undefined;
  }
  const major = id >> 8;
  const minor = id & 0xff;
  if (major === 202 && minor % 16 === 0) return 'xvd' + letters(minor / 16);
  if (major === 3 && minor % 64 === 0) return 'hd' + letters(minor / 64);
  if (major === 22 && minor % 64 === 0) return 'hd' + letters(2 + minor / 64);
  if (major === 8 && minor % 16 === 0) return 'sd' + letters(minor / 16);
  return undefined;
}
