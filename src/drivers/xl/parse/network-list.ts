/** `xl network-list` (xl-reference §4.4). */
export interface NetworkListRow {
  devid: number;
  backendDomid: number;
  mac: string;
  handle: number;
  state: number;
  eventChannel: number;
  txRingRef: number;
  rxRingRef: number;
  backendPath: string;
  /** Frontend domid, from the backend path (/local/domain/0/backend/vif/<domid>/<devid>). */
  domid?: number;
}

export function parseNetworkList(text: string): NetworkListRow[] {
  const rows: NetworkListRow[] = [];
  for (const raw of text.split('\n')) {
    const m = /^(\d+)\s+(\d+)\s+([0-9a-fA-F:]{17})\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\/(-?\d+)\s+(\S+)\s*$/.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const row: NetworkListRow = {
      devid: Number(m[1]),
      backendDomid: Number(m[2]),
      mac: m[3]!.toLowerCase(),
      handle: Number(m[4]),
      state: Number(m[5]),
      eventChannel: Number(m[6]),
      txRingRef: Number(m[7]),
      rxRingRef: Number(m[8]),
      backendPath: m[9]!,
    };
    const d = /\/backend\/vif\/(\d+)\/\d+$/.exec(row.backendPath);
    if (d) row.domid = Number(d[1]);
    rows.push(row);
  }
  return rows;
}
