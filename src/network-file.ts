/**
 * A virtual network topology file (YAML, README "Virtual networks"), read into the parameters of
 * Xen_VirtualNetworkManagementService.DefineNetwork: existing routers by name (Routers), new
 * ones as an embedded VSSD with RASDs (RouterSettings, RouterResourceSettings; InstanceID
 * `<router>/<device>` says whose), switches, and links as embedded Xen_VirtualLink instances.
 * Every mistake is refused here, naming its place in the file (`links[1].limit`), before
 * anything is sent.
 */
import { open } from 'node:fs/promises';
import { parseDocument, visit } from 'yaml';

/**
 * The largest topology file read, in bytes: a thousand routers with their links take well under
 * 100 KiB, while YAML's parse of a few MiB takes seconds and a GiB of memory.
 */
export const TOPOLOGY_MAX_BYTES = 1024 * 1024;

/** A property of an embedded instance, typed as its class declares it. */
export interface EmbeddedProperty {
  name: string;
  type: 'string' | 'uint16' | 'uint64' | 'boolean';
  value: string | number | boolean | (string | null)[];
}

export interface EmbeddedInstance {
  className: string;
  properties: EmbeddedProperty[];
}

/** DefineNetwork's parameters, as a topology file gives them. */
export interface DefineNetworkCall {
  networkName: string;
  routers: string[];
  /** null: the router's own priority (its system's). */
  routerPriorities: (number | null)[];
  routerSettings: EmbeddedInstance[];
  routerSettingsPriorities: (number | null)[];
  routerResourceSettings: EmbeddedInstance[];
  switches: string[];
  links: EmbeddedInstance[];
}

export class TopologyFileError extends Error {}

type Node = Record<string, unknown>;

/**
 * A plain YAML scalar read as a number, kept with its text: where a name is expected it is the
 * text as written (`007`, `1e3` and `1.10` are names there, not 7, 1000 and 1.1).
 */
class Written {
  constructor(readonly value: number, readonly text: string) {}
}

const numeric = (v: unknown): unknown => (v instanceof Written ? v.value : v);

function fail(where: string, what: string): never {
  throw new TopologyFileError(`${where}: ${what}`);
}

function object(v: unknown, where: string): Node {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Written) fail(where, 'must be a mapping (key: value)');
  return v as Node;
}

function only(node: Node, where: string, keys: readonly string[]): void {
  for (const k of Object.keys(node)) if (!keys.includes(k)) fail(`${where}.${k}`, `unknown key (expected one of ${keys.join(', ')})`);
}

function str(v: unknown, where: string): string {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (v instanceof Written) return v.text;
  if (typeof v === 'number') return String(v);
  fail(where, 'must be a non-empty text');
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'must be a list');
  return v;
}

function whole(w: unknown, where: string, min = 0): number {
  const v = numeric(w);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
  fail(where, `must be a whole number${min > 0 ? ` of at least ${min}` : ''}`);
}

function priority(w: unknown, where: string): number | null {
  const v = numeric(w);
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1) return v;
  fail(where, 'must be a whole number (higher launches first)');
}

const BANDWIDTH = /^(\d+(?:\.\d+)?)\s*([kKMGT]?)(?:\s*(?:bit\/s|bps|b\/s))?$/;
const SCALE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A value in an error as written (`.inf`, not `null`), cut short: the message names it, it need not repeat a whole line. */
function shown(w: unknown): string {
  const text = w instanceof Written ? w.text : JSON.stringify(w) ?? String(w);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** A bandwidth in bit/s: a number, or a text such as `100M`, `1.5G`, `512k`, `10 Mbit/s` (decimal prefixes). */
export function bitsPerSecond(w: unknown, where: string): number {
  const v = numeric(w);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) fail(where, `${v} is too large`);
  const m = typeof v === 'string' ? BANDWIDTH.exec(v.trim()) : null;
  if (!m) fail(where, `${shown(w)} is not a bandwidth (bit/s: 100000000, "100M", "1.5G", "512k")`);
  const n = Math.round(Number(m[1]) * SCALE[m[2]!]!);
  if (!Number.isSafeInteger(n)) fail(where, `${shown(w)} is too large`);
  return n;
}

function prop(name: string, type: EmbeddedProperty['type'], value: EmbeddedProperty['value']): EmbeddedProperty {
  return { name, type, value };
}

const NEW_ROUTER_KEYS = ['name', 'priority', 'type', 'memory', 'vcpus', 'kernel', 'ramdisk', 'cmdline', 'bootloader', 'disks', 'nics'] as const;

/** A new router: its VSSD and RASDs (InstanceID `<router>/<device>`), the formats DefineSystem takes. */
function newRouter(r: Node, where: string): { vssd: EmbeddedInstance; rasds: EmbeddedInstance[] } {
  only(r, where, NEW_ROUTER_KEYS);
  const name = str(r.name, `${where}.name`);
  const vssd: EmbeddedProperty[] = [prop('VirtualSystemIdentifier', 'string', name), prop('ElementName', 'string', name)];
  if (r.type !== undefined) {
    const type = str(r.type, `${where}.type`).toLowerCase();
    if (!['pv', 'pvh', 'hvm'].includes(type)) fail(`${where}.type`, `"${type}" is not one of pv, pvh, hvm`);
    vssd.push(prop('VirtualSystemType', 'string', type === 'pv' ? 'Xen' : type.toUpperCase()));
  }
  for (const [key, property] of [['kernel', 'Kernel'], ['ramdisk', 'Ramdisk'], ['cmdline', 'CommandLine'], ['bootloader', 'Bootloader']] as const) {
    if (r[key] !== undefined) vssd.push(prop(property, 'string', str(r[key], `${where}.${key}`)));
  }
  const rasds: EmbeddedInstance[] = [];
  if (r.vcpus !== undefined) {
    rasds.push({ className: 'Xen_ProcResourceAllocationSettingData', properties: [
      prop('InstanceID', 'string', `${name}/proc`), prop('ResourceType', 'uint16', 3), prop('VirtualQuantity', 'uint64', whole(r.vcpus, `${where}.vcpus`, 1)),
    ] });
  }
  if (r.memory !== undefined) {
    rasds.push({ className: 'Xen_MemResourceAllocationSettingData', properties: [
      prop('InstanceID', 'string', `${name}/mem`), prop('ResourceType', 'uint16', 4),
      prop('VirtualQuantity', 'uint64', whole(r.memory, `${where}.memory (MiB)`, 1)), prop('AllocationUnits', 'string', 'byte*2^20'),
    ] });
  }
  list(r.disks, `${where}.disks`).forEach((d, i) => {
    const at = `${where}.disks[${i}]`;
    const disk = object(d, at);
    only(disk, at, ['path', 'vdev', 'readonly']);
    const props = [
      prop('InstanceID', 'string', `${name}/${str(disk.vdev, `${at}.vdev`)}`), prop('ResourceType', 'uint16', 17),
      prop('VirtualDevice', 'string', str(disk.vdev, `${at}.vdev`)), prop('Address', 'string', str(disk.path, `${at}.path`)),
    ];
    if (disk.readonly !== undefined) {
      if (typeof disk.readonly !== 'boolean') fail(`${at}.readonly`, 'must be true or false');
      props.push(prop('readonly', 'boolean', disk.readonly));
    }
    rasds.push({ className: 'Xen_DiskResourceAllocationSettingData', properties: props });
  });
  list(r.nics, `${where}.nics`).forEach((n, i) => {
    const at = `${where}.nics[${i}]`;
    const nic = object(n, at);
    only(nic, at, ['switch', 'mac']);
    const props = [prop('InstanceID', 'string', `${name}/nic${i}`), prop('ResourceType', 'uint16', 10), prop('NetworkName', 'string', str(nic.switch, `${at}.switch`))];
    if (nic.mac !== undefined) props.push(prop('Address', 'string', str(nic.mac, `${at}.mac`)));
    rasds.push({ className: 'Xen_NetResourceAllocationSettingData', properties: props });
  });
  return { vssd: { className: 'Xen_VirtualSystemSettingData', properties: vssd }, rasds };
}

/** One end of a link: `router` or `{router, mac}`. */
function linkEnd(v: unknown, where: string): { system: string; mac: string | null } {
  if (typeof v === 'string' || v instanceof Written) return { system: str(v, where), mac: null };
  const end = object(v, where);
  only(end, where, ['router', 'mac']);
  return { system: str(end.router, `${where}.router`), mac: end.mac === undefined ? null : str(end.mac, `${where}.mac`) };
}

function link(v: unknown, where: string): EmbeddedInstance {
  const l = object(v, where);
  only(l, where, ['name', 'ends', 'switch', 'limit', 'reservation']);
  const name = str(l.name, `${where}.name`);
  const ends = list(l.ends, `${where}.ends`);
  if (ends.length !== 2) fail(`${where}.ends`, `a link has two ends, got ${ends.length}`);
  const [a, b] = ends.map((e, i) => linkEnd(e, `${where}.ends[${i}]`)) as [ReturnType<typeof linkEnd>, ReturnType<typeof linkEnd>];
  const props = [
    prop('Name', 'string', name),
    prop('EndpointSystems', 'string', [a.system, b.system]),
  ];
  if (a.mac !== null || b.mac !== null) props.push(prop('EndpointAddresses', 'string', [a.mac, b.mac]));
  if (l.switch !== undefined) props.push(prop('SwitchName', 'string', str(l.switch, `${where}.switch`)));
  if (l.limit !== undefined) props.push(prop('Limit', 'uint64', bitsPerSecond(l.limit, `${where}.limit`)));
  if (l.reservation !== undefined) props.push(prop('Reservation', 'uint64', bitsPerSecond(l.reservation, `${where}.reservation`)));
  return { className: 'Xen_VirtualLink', properties: props };
}

/** Reads a topology file's text into DefineNetwork's parameters; a TopologyFileError names what is wrong and where. */
export function readTopology(text: string, file = 'topology'): DefineNetworkCall {
  if (text.length > TOPOLOGY_MAX_BYTES || Buffer.byteLength(text) > TOPOLOGY_MAX_BYTES) tooLarge(file);
  let doc: unknown;
  try {
    const parsed = parseDocument(text);
    if (parsed.errors.length > 0) throw parsed.errors[0]!;
    visit(parsed, {
      Scalar(key, node) {
        if (key !== 'key' && typeof node.value === 'number' && node.source !== undefined) node.value = new Written(node.value, node.source);
      },
    });
    doc = parsed.toJS();    // aliases expanded within yaml's limit (an alias bomb is refused)
  } catch (e) {
    throw new TopologyFileError(`${file}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const top = object(doc, file);
  only(top, file, ['name', 'routers', 'switches', 'links']);
  const call: DefineNetworkCall = {
    networkName: str(top.name, 'name'),
    routers: [], routerPriorities: [], routerSettings: [], routerSettingsPriorities: [], routerResourceSettings: [],
    switches: list(top.switches, 'switches').map((s, i) => str(s, `switches[${i}]`)),
    links: list(top.links, 'links').map((l, i) => link(l, `links[${i}]`)),
  };
  const routers = list(top.routers, 'routers');
  if (routers.length === 0) fail('routers', 'a network needs at least one router');
  routers.forEach((r, i) => {
    const where = `routers[${i}]`;
    if (typeof r === 'string' || r instanceof Written) {
      call.routers.push(str(r, where));
      call.routerPriorities.push(null);
      return;
    }
    const node = object(r, where);
    if (node.existing !== undefined) {
      only(node, where, ['existing', 'priority']);
      call.routers.push(str(node.existing, `${where}.existing`));
      call.routerPriorities.push(priority(node.priority, `${where}.priority`));
      return;
    }
    const { vssd, rasds } = newRouter(node, where);
    call.routerSettings.push(vssd);
    call.routerSettingsPriorities.push(priority(node.priority, `${where}.priority`));
    call.routerResourceSettings.push(...rasds);
  });
  return call;
}

function tooLarge(file: string): never {
  throw new TopologyFileError(`${file}: larger than ${TOPOLOGY_MAX_BYTES / 1024} KiB: not a topology file`);
}

/** Reads a topology file, never more than TOPOLOGY_MAX_BYTES of it (a huge file, or a device that never ends, is refused). */
export async function readTopologyFile(file: string): Promise<DefineNetworkCall> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(TOPOLOGY_MAX_BYTES + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > TOPOLOGY_MAX_BYTES) tooLarge(file);
    }
    return readTopology(buf.subarray(0, got).toString('utf8'), file);
  } finally {
    await fh.close();
  }
}
