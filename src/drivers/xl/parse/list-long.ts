/**
 * `xl list -l` JSON: an array of {domid, config: libxl_domain_config}.
 * Parse the JSON, never its text layout; a missing key means libxl's default; defbools are the
 * strings "True"/"False"; actions use underscores.
 */
import { VirtError } from '../../../virt/errors.js';
import type { DiskFormat, LifecycleAction, SystemType } from '../../../virt/types.js';

export interface XlDisk {
  target: string;
  vdev: string;
  format: DiskFormat | 'empty';
  readOnly: boolean;
  cdrom: boolean;
}

export interface XlNic {
  devid: number;
  mac?: string;
  bridge?: string;
  ip?: string;
  model?: string;
  rateBytesPerInterval?: number;
  rateIntervalUs?: number;
}

export interface XlDomainConfig {
  domid: number;
  name: string;
  uuid?: string;
  type: SystemType;
  maxVcpus?: number;
  onlineVcpus?: number;
  maxMemKiB?: number;
  targetMemKiB?: number;
  videoMemKiB: number;
  sched?: string;
  weight: number;
  cap: number;
  kernel?: string;
  ramdisk?: string;
  cmdline?: string;
  bootloader?: string;
  disks: XlDisk[];
  nics: XlNic[];
  onPoweroff: LifecycleAction;
  onReboot: LifecycleAction;
  onCrash: LifecycleAction;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const ACTIONS: readonly string[] = ['destroy', 'restart', 'rename_restart', 'preserve', 'coredump_destroy', 'coredump_restart', 'soft_reset'];
function action(v: unknown, dflt: LifecycleAction): LifecycleAction {
  return typeof v === 'string' && ACTIONS.includes(v) ? (v as LifecycleAction) : dflt;
}

export function parseListLong(text: string): XlDomainConfig[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch {
    // xl's global output_format (/etc/xen/xl.conf) switches it to S-expressions; no option of the command overrides it.
    const hint = trimmed.startsWith('(') ? ': set output_format="json" (the default) in /etc/xen/xl.conf' : '';
    throw new VirtError('failed', `xl list -l printed something that is not JSON${hint}`, trimmed.slice(0, 200));
  }
  const arr = Array.isArray(data) ? data : [data];
  const out: XlDomainConfig[] = [];
  for (const entry of arr) {
    if (!isObj(entry)) continue;
    const cfg = isObj(entry['config']) ? entry['config'] : entry;
    const parsed = parseDomainConfig(cfg, num(entry['domid']) ?? -1);
    if (parsed) out.push(parsed);
  }
  return out;
}

export function parseDomainConfig(cfg: Obj, domid: number): XlDomainConfig | undefined {
  const c = isObj(cfg['c_info']) ? cfg['c_info'] : {};
  const b = isObj(cfg['b_info']) ? cfg['b_info'] : {};
  const name = str(c['name']);
  if (name === undefined) return undefined;
  const t = str(c['type']);
  const type: SystemType = t === 'hvm' || t === 'pvh' ? t : 'pv';
  const sp = isObj(b['sched_params']) ? b['sched_params'] : {};
  const avail = Array.isArray(b['avail_vcpus']) ? b['avail_vcpus'] : undefined;
  const disks: XlDisk[] = (Array.isArray(cfg['disks']) ? cfg['disks'] : []).filter(isObj).map((d) => {
    const fmt = str(d['format']);
    return {
      target: str(d['pdev_path']) ?? '',
      vdev: str(d['vdev']) ?? '',
      format: (fmt === 'qcow' || fmt === 'qcow2' || fmt === 'vhd' || fmt === 'qed' || fmt === 'empty' ? fmt : 'raw') as XlDisk['format'],
      readOnly: num(d['readwrite']) !== 1, // absent = read-only
      cdrom: num(d['is_cdrom']) === 1,
    };
  });
  const nics: XlNic[] = (Array.isArray(cfg['nics']) ? cfg['nics'] : []).filter(isObj).map((n, i) => {
    const nic: XlNic = { devid: num(n['devid']) ?? i };
    const mac = str(n['mac']);
    if (mac) nic.mac = mac;
    const bridge = str(n['bridge']);
    if (bridge) nic.bridge = bridge;
    const ip = str(n['ip']);
    if (ip) nic.ip = ip;
    const model = str(n['model']);
    if (model) nic.model = model;
    const rb = num(n['rate_bytes_per_interval']);
    const ri = num(n['rate_interval_usecs']);
    if (rb !== undefined && rb > 0) {
      nic.rateBytesPerInterval = rb;
      nic.rateIntervalUs = ri ?? 50_000;
    }
    return nic;
  });
  const out: XlDomainConfig = {
    domid,
    name,
    type,
    videoMemKiB: Math.max(0, num(b['video_memkb']) ?? 0),
    weight: num(sp['weight']) ?? 256,
    cap: num(sp['cap']) ?? 0,
    disks,
    nics,
    onPoweroff: action(cfg['on_poweroff'], 'destroy'),
    onReboot: action(cfg['on_reboot'], 'restart'),
    onCrash: action(cfg['on_crash'], 'destroy'),
  };
  const set = <K extends keyof XlDomainConfig>(k: K, v: XlDomainConfig[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('uuid', str(c['uuid']));
  set('maxVcpus', num(b['max_vcpus']));
  set('onlineVcpus', avail ? avail.length : undefined);
  set('maxMemKiB', num(b['max_memkb']));
  set('targetMemKiB', num(b['target_memkb']));
  set('sched', str(sp['sched']));
  set('kernel', str(b['kernel']));
  set('ramdisk', str(b['ramdisk']));
  set('cmdline', str(b['cmdline']));
  set('bootloader', str(b['bootloader']));
  return out;
}
