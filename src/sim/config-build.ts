// xl.cfg settings → libxl_domain_config JSON, as tools/xl/xl_parse.c parse_config_data builds
// it before libxl applies its defaults (this is what `xl -N create` prints; samples in
// test/data/xl-samples, xl.cfg(5)). Only keys the simulator models are translated; unknown keys are ignored
// silently, like xl does.
import { parseCfg, CfgView } from './config-parse.js';
import { parseCpuList } from './cpumap.js';
import { parseDiskSpec } from './disk-spec.js';
import type { HostConfig } from './host-state.js';
import { err } from './io.js';
import { uuid4 } from './uuid-mac.js';
import { parseVifSpec } from './vif-spec.js';

type Obj = Record<string, any>;

export interface BuildResult { config?: Obj; error?: string; code?: number }

const ACTIONS: Record<string, string> = {
  destroy: 'destroy', restart: 'restart', 'rename-restart': 'restart_rename', restart_rename: 'restart_rename',
  preserve: 'preserve', 'coredump-destroy': 'coredump_destroy', coredump_destroy: 'coredump_destroy',
  'coredump-restart': 'coredump_restart', coredump_restart: 'coredump_restart', 'soft-reset': 'soft_reset',
  soft_reset: 'soft_reset',
};

/** Parse config text (file contents + "\n<k=v>" overrides) into a domain config. */
export function buildConfig(text: string, source: string, host: HostConfig): BuildResult {
  const parsed = parseCfg(text, source);
  if (parsed.errors.length) {
    return { error: parsed.errors.map((l) => l + '\n').join('') + 'Failed to parse config: Invalid argument\n', code: 1 };
  }
  const cfg = new CfgView(parsed.settings, source, (w) => err(w));
  const c_info: Obj = {};
  const b_info: Obj = {};

  // Domain type: matched by prefix, hvm first (xl.cfg(5)).
  let type = 'pv';
  const t = cfg.string('type');
  if (t !== undefined) {
    // strncmp(buf, "<type>", strlen(buf)) in the order hvm, pv, pvh: "p" means pv.
    if ('hvm'.startsWith(t)) type = 'hvm';
    else if ('pv'.startsWith(t)) type = 'pv';
    else if ('pvh'.startsWith(t)) type = 'pvh';
    else return { error: `Invalid domain type ${t}.\n`, code: 1 };
  } else if (cfg.string('builder') === 'hvm') {
    type = 'hvm';
  }
  c_info.type = type;
  const hap = cfg.long('hap');
  if (hap !== undefined) c_info.hap = hap ? 'True' : 'False';

  const name = cfg.string('name');
  if (name === undefined) return { error: 'Domain name must be specified.\n', code: 1 };
  c_info.name = name;
  const uuid = cfg.string('uuid');
  if (uuid !== undefined) {
    if (!/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(uuid)) {
      return { error: `Failed to parse UUID: ${uuid}\n`, code: 1 };
    }
    c_info.uuid = uuid.toLowerCase();
  } else {
    c_info.uuid = uuid4();
  }
  const pool = cfg.string('pool');
  if (pool !== undefined) c_info.pool_name = pool;
  c_info.run_hotplug_scripts = 'True';

  // vCPUs.
  const vcpus = cfg.long('vcpus');
  if (vcpus !== undefined) {
    b_info.max_vcpus = vcpus;
    b_info.avail_vcpus = Array.from({ length: Math.max(0, vcpus) }, (_, i) => i);
  }
  const maxvcpus = cfg.long('maxvcpus');
  if (maxvcpus !== undefined) {
    if (vcpus !== undefined && maxvcpus < vcpus) return { error: 'xl: maxvcpus < vcpus\n', code: 1 };
    b_info.max_vcpus = maxvcpus;
  }
  const nv: number = b_info.max_vcpus ?? 1;
  for (const [key, field] of [['cpus', 'vcpu_hard_affinity'], ['cpus_soft', 'vcpu_soft_affinity']] as const) {
    const raw = cfg.raw(key);
    if (raw === undefined) continue;
    const maps: number[][] = [];
    if (Array.isArray(raw)) {
      for (const r of raw) {
        const m = parseCpuList(r, host);
        if (!m) return { error: `Unable to parse the cpu list \`${r}'\n`, code: 1 };
        maps.push(m);
      }
    } else {
      const m = parseCpuList(raw, host);
      if (!m) return { error: `Unable to parse the cpu list \`${raw}'\n`, code: 1 };
      for (let i = 0; i < nv; i++) maps.push(m);
    }
    b_info[field] = maps;
    b_info.numa_placement = 'False';
  }

  // Memory (MiB in the cfg, KiB in the JSON).
  const memory = cfg.long('memory');
  if (memory !== undefined) { b_info.max_memkb = memory * 1024; b_info.target_memkb = memory * 1024; }
  const maxmem = cfg.long('maxmem');
  if (maxmem !== undefined) b_info.max_memkb = maxmem * 1024;
  if (type === 'hvm') {
    const videoram = cfg.long('videoram');
    if (videoram !== undefined) b_info.video_memkb = videoram * 1024;
  }
  const shadow = cfg.long('shadow_memory');
  if (shadow !== undefined) b_info.shadow_memkb = shadow * 1024;

  const sched: Obj = {};
  const weight = cfg.long('cpu_weight');
  if (weight !== undefined) sched.weight = weight;
  const cap = cfg.long('cap');
  if (cap !== undefined) sched.cap = cap;
  b_info.sched_params = sched;
  b_info.claim_mode = 'True';

  const kernel = cfg.string('kernel');
  if (kernel !== undefined) b_info.kernel = kernel;
  let cmdline = cfg.string('cmdline');
  if (cmdline === undefined) {
    const root = cfg.string('root');
    const extra = cfg.string('extra');
    if (root !== undefined || extra !== undefined) {
      cmdline = [root !== undefined ? `root=${root}` : undefined, extra].filter((x) => x !== undefined).join(' ');
    }
  }
  if (cmdline !== undefined) b_info.cmdline = cmdline;
  const ramdisk = cfg.string('ramdisk');
  if (ramdisk !== undefined) b_info.ramdisk = ramdisk;
  const bootloader = cfg.string('bootloader');
  if (bootloader !== undefined) b_info.bootloader = bootloader;
  const blargs = cfg.raw('bootloader_args');
  if (blargs !== undefined) b_info.bootloader_args = Array.isArray(blargs) ? blargs : blargs.split(/\s+/).filter(Boolean);

  if (type === 'hvm') {
    const hvm: Obj = {};
    const vga: Obj = {};
    const vgaKey = cfg.string('vga');
    if (vgaKey !== undefined) vga.kind = vgaKey;
    else if (cfg.long('stdvga') === 1) vga.kind = 'stdvga';
    hvm.vga = vga;
    const vnc: Obj = {};
    const vncOn = cfg.long('vnc');
    if (vncOn !== undefined) vnc.enable = vncOn ? 'True' : 'False';
    const vl = cfg.string('vnclisten');
    if (vl !== undefined) vnc.listen = vl;
    const vp = cfg.string('vncpasswd');
    if (vp !== undefined) vnc.passwd = vp;
    const vd = cfg.long('vncdisplay');
    if (vd !== undefined) vnc.display = vd;
    hvm.vnc = vnc;
    const sdl: Obj = {};
    const sdlOn = cfg.long('sdl');
    if (sdlOn !== undefined) sdl.enable = sdlOn ? 'True' : 'False';
    hvm.sdl = sdl;
    hvm.spice = {};
    const serial = cfg.raw('serial');
    if (typeof serial === 'string') hvm.serial = serial;
    const boot = cfg.string('boot');
    if (boot !== undefined) hvm.boot = boot;
    const usb = cfg.long('usb');
    if (usb !== undefined) hvm.usb = usb ? 'True' : 'False';
    const usbdevice = cfg.raw('usbdevice');
    if (typeof usbdevice === 'string') hvm.usbdevice = usbdevice;
    hvm.rdm = {};
    b_info['type.hvm'] = hvm;
  } else {
    b_info[`type.${type}`] = {};
  }
  b_info.arch_arm = {};
  b_info.arch_x86 = {};

  const config: Obj = { c_info, b_info };

  const disks = cfg.raw('disk') !== undefined ? cfg.list('disk') : undefined;
  if (disks && disks.length) {
    const out: Obj[] = [];
    for (const spec of disks) {
      const d = parseDiskSpec(spec, source);
      if (typeof d === 'string') return { error: d, code: 1 };
      out.push(d);
    }
    config.disks = out;
  }
  const vifs = cfg.raw('vif') !== undefined ? cfg.list('vif') : undefined;
  if (vifs && vifs.length) {
    const out: Obj[] = [];
    for (let i = 0; i < vifs.length; i++) {
      const n = parseVifSpec(vifs[i]!, i, source);
      if (typeof n === 'string') return { error: n, code: 1 };
      out.push(n);
    }
    config.nics = out;
  }

  // on_* actions: destroy is the IDL default and therefore omitted from the JSON.
  const defaults: Record<string, string> = {
    on_poweroff: 'destroy', on_reboot: 'restart', on_watchdog: 'destroy', on_crash: 'destroy', on_soft_reset: 'soft_reset',
  };
  for (const key of Object.keys(defaults)) {
    const v = cfg.string(key);
    let act = defaults[key]!;
    if (v !== undefined) {
      const a = ACTIONS[v];
      if (!a) return { error: `Unknown ${key} action "${v}" specified\n`, code: 1 };
      act = a;
    }
    if (act !== 'destroy') config[key] = act;
  }
  return { config };
}
