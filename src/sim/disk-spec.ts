// Disk specification parser (xl-disk-configuration(5), libxlu disk lexer).

export interface DiskJson {
  backend_domname?: string;
  pdev_path?: string;
  vdev: string;
  backend?: string;
  format: string;
  script?: string;
  removable?: number;
  readwrite?: number;
  is_cdrom?: number;
}

const FORMATS = new Set(['raw', 'qcow', 'qcow2', 'vhd', 'qed', 'empty']);
const BACKENDS = new Set(['phy', 'qdisk', 'tap', 'standalone']);

/** Parse a disk spec. `source` is "<cfg>" or "command line" for messages. */
export function parseDiskSpec(spec: string, source: string): DiskJson | string {
  const fail = (why: string) => `${source}: config parsing error in disk specification: ${why} in \`${spec}'\n`;
  let target: string | undefined;
  let format: string | undefined;
  let vdev: string | undefined;
  let access: string | undefined;
  let cdrom = false;
  let backend: string | undefined;
  let backendDom: string | undefined;
  let script: string | undefined;
  let legacy = false;
  const positional: string[] = [];
  let rest = spec;
  while (rest.length > 0 || positional.length === 0) {
    rest = rest.replace(/^[ \t\n]+/, '');
    if (rest.startsWith('target=')) { target = rest.slice(7); break; }
    const comma = rest.indexOf(',');
    const item = comma < 0 ? rest : rest.slice(0, comma);
    rest = comma < 0 ? '' : rest.slice(comma + 1);
    const eq = item.indexOf('=');
    if (eq > 0 && /^[a-z-]+$/.test(item.slice(0, eq))) {
      const k = item.slice(0, eq);
      const v = item.slice(eq + 1);
      switch (k) {
        case 'format':
          if (!FORMATS.has(v)) return fail(`unknown value for format: near \`${v}'`);
          format = v; break;
        case 'vdev': vdev = v; break;
        case 'access': access = v; break;
        case 'devtype':
          if (v === 'cdrom') cdrom = true;
          else if (v !== 'disk') return fail(`unknown value for type: near \`${v}'`);
          break;
        case 'backend': backendDom = v; break;
        case 'backendtype':
          if (!BACKENDS.has(v)) return fail(`unknown value for backendtype: near \`${v}'`);
          backend = v; break;
        case 'script': script = v; break;
        case 'specification': case 'transport': case 'vhostuser': break;
        default: return fail(`unknown keyword: near \`${item}'`);
      }
    } else if (item === 'cdrom') {
      cdrom = true;
    } else if (['direct-io-safe', 'discard', 'no-discard', 'trusted', 'untrusted'].includes(item)) {
      // flags accepted; not shown in the JSON we model
    } else {
      positional.push(item);
    }
    if (comma < 0) break;
  }
  // Positional order: target, format, vdev, access; with a deprecated prefix
  // ("phy:", "file:", "tap:aio:") the order is target, vdev, access.
  let pos = positional;
  if (pos.length > 0 && target === undefined) {
    let t = pos[0]!;
    const m = /^(phy|file|tap|tap2|aio|qcow2?|vhd|raw):/.exec(t);
    if (m) {
      legacy = true;
      t = t.slice(m[0].length);
      const m2 = /^(aio|qcow2?|vhd|raw):/.exec(t);
      if (m2) { const f = m2[1]!; if (f !== 'aio') format = f; t = t.slice(m2[0].length); }
      if (['qcow', 'qcow2', 'vhd'].includes(m[1]!)) format = m[1];
    }
    target = t;
    pos = pos.slice(1);
  } else if (target !== undefined && pos.length > 0) {
    // keyword target= ends the spec; anything positional came before it
    return fail(`unknown keyword: near \`${pos[0]}'`);
  }
  const order = legacy ? ['vdev', 'access'] : ['format', 'vdev', 'access'];
  for (let i = 0; i < pos.length; i++) {
    const v = pos[i]!;
    const field = order[i];
    if (field === undefined) return fail(`too many positional parameters: near \`${v}'`);
    if (v === '') continue;
    if (field === 'format') {
      if (!FORMATS.has(v)) return fail(`unknown value for format: near \`${v}'`);
      format = v;
    } else if (field === 'vdev') vdev = v;
    else access = v;
  }
  if (vdev && vdev.endsWith(':cdrom')) { vdev = vdev.slice(0, -6); cdrom = true; }
  else if (vdev && vdev.endsWith(':disk')) vdev = vdev.slice(0, -5);
  if (!vdev) return fail('no vdev specified');
  if (access !== undefined && !['r', 'ro', 'w', 'rw'].includes(access)) return fail(`unknown value for access: near \`${access}'`);
  if (target === '') target = undefined;
  if (target === undefined && !cdrom) return fail('no target specified (and device not removable)');
  if (target !== undefined && !target.startsWith('/')) target = '/dev/' + target;
  const rw = access === undefined ? !cdrom : access === 'w' || access === 'rw';
  const d: DiskJson = { vdev, format: format ?? 'raw' };
  if (backendDom) d.backend_domname = backendDom;
  if (target !== undefined) d.pdev_path = target;
  if (backend) d.backend = backend;
  if (script) d.script = script;
  if (cdrom) d.removable = 1;
  if (rw) d.readwrite = 1;
  if (cdrom) d.is_cdrom = 1;
  return d;
}

/** Frontend device number of a vdev (docs/xl-toolstack.md §6), or -1 when not recognised. */
export function vdevToDevid(vdev: string): number {
  if (/^[0-9]+$/.test(vdev)) return parseInt(vdev, 10);
  let m = /^xvd([a-z]+)([0-9]*)$/.exec(vdev);
  if (m) {
    const disk = letters(m[1]!);
    const part = m[2] ? parseInt(m[2], 10) : 0;
    if (disk < 16 && part < 16) return (202 << 8) | (disk << 4) | part;
    return (1 << 28) | (disk << 8) | part;
  }
  m = /^hd([a-t])([0-9]*)$/.exec(vdev);
  if (m) {
    const disk = m[1]!.charCodeAt(0) - 97;
    const part = m[2] ? parseInt(m[2], 10) : 0;
    const majors = [3, 22, 33, 34, 56, 57, 88, 89, 90, 91];
    return (majors[disk >> 1]! << 8) | ((disk & 1) << 6) | part;
  }
  m = /^sd([a-z]+)([0-9]*)$/.exec(vdev);
  if (m) {
    const disk = letters(m[1]!);
    const part = m[2] ? parseInt(m[2], 10) : 0;
    if (disk < 16) return (8 << 8) | (disk << 4) | part;
    return (1 << 28) | (disk << 8) | part;
  }
  return -1;
}

function letters(s: string): number {
  let n = 0;
  for (const c of s) n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

/** Backend kind: QEMU (qdisk) for image formats and CD-ROMs, blkback (vbd) otherwise. */
export function diskBackendKind(d: { backend?: string; format?: string; is_cdrom?: number }): 'vbd' | 'qdisk' {
  if (d.backend === 'qdisk') return 'qdisk';
  if (d.backend === 'phy') return 'vbd';
  if (d.is_cdrom) return 'qdisk';
  return d.format && d.format !== 'raw' ? 'qdisk' : 'vbd';
}
