/** `xl info`: `"%-23s: %s"` lines. Values stay strings; helpers convert. */
export type XlInfo = Record<string, string>;

export function parseInfo(text: string): XlInfo {
  const out: XlInfo = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s*: ?(.*)$/.exec(line.replace(/\r$/, ''));
    if (m) out[m[1]!] = m[2]!.trimEnd();
  }
  return out;
}

export function infoNumber(info: XlInfo, key: string): number {
  const v = Number(info[key]);
  return Number.isFinite(v) ? v : 0;
}

/** dom0_mem=[min:X,][max:Y,][Z] on the Xen command line fixes dom0's size. */
export function dom0MemoryFixed(info: XlInfo): boolean {
  return /(^|\s)dom0_mem=/.test(info['xen_commandline'] ?? '');
}
