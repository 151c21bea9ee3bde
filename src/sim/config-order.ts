// libxl's JSON generator walks each struct in libxl_types.idl field order, so the key
// order of `xl list -l` / `xl -N create` output is the IDL order (samples in test/data/xl-samples).
// We keep configs as plain objects and re-order them just before printing.

const C_INFO = ['type', 'hap', 'oos', 'ssidref', 'ssid_label', 'name', 'domid', 'uuid', 'xsdata',
  'platformdata', 'poolid', 'pool_name', 'run_hotplug_scripts', 'driver_domain', 'passthrough',
  'xend_suspend_evtchn_compat'];
const B_INFO = ['max_vcpus', 'avail_vcpus', 'cpumap', 'nodemap', 'vcpu_hard_affinity', 'vcpu_soft_affinity',
  'numa_placement', 'tsc_mode', 'max_memkb', 'target_memkb', 'video_memkb', 'shadow_memkb', 'iommu_memkb',
  'rtc_timeoffset', 'exec_ssidref', 'exec_ssid_label', 'localtime', 'disable_migrate', 'cpuid', 'blkdev_start',
  'vnuma_nodes', 'max_grant_frames', 'max_maptrack_frames', 'max_grant_version', 'device_model_version',
  'device_model_stubdomain', 'stubdomain_memkb', 'stubdomain_kernel', 'stubdomain_cmdline', 'stubdomain_ramdisk',
  'device_model', 'device_model_ssidref', 'device_model_ssid_label', 'device_model_user', 'extra', 'extra_pv',
  'extra_hvm', 'sched_params', 'ioports', 'irqs', 'iomem', 'claim_mode', 'event_channels', 'kernel', 'cmdline',
  'ramdisk', 'device_tree', 'acpi', 'bootloader', 'bootloader_args', 'bootloader_restrict', 'bootloader_user',
  'timer_mode', 'nested_hvm', 'apic', 'dm_restrict', 'tee', 'type.hvm', 'type.pv', 'type.pvh', 'arch_arm',
  'arch_x86', 'altp2m', 'vmtrace_buf_kb', 'vpmu'];
const HVM = ['firmware', 'bios', 'pae', 'apic', 'acpi', 'acpi_s3', 'acpi_s4', 'acpi_laptop_slate', 'nx', 'viridian',
  'viridian_enable', 'viridian_disable', 'timeoffset', 'hpet', 'vpt_align', 'mmio_hole_memkb', 'timer_mode',
  'nested_hvm', 'altp2m', 'system_firmware', 'smbios_firmware', 'smbios', 'acpi_firmware', 'hdtype', 'nographic',
  'vga', 'vnc', 'keymap', 'sdl', 'spice', 'gfx_passthru', 'gfx_passthru_kind', 'serial', 'boot', 'usb',
  'usbversion', 'usbdevice', 'vkb_device', 'soundhw', 'xen_platform_pci', 'usbdevice_list', 'vendor_device',
  'ms_vm_genid', 'serial_list', 'rdm', 'rdm_mem_boundary_memkb', 'mca_caps', 'pirq'];
const VNC = ['enable', 'listen', 'passwd', 'display', 'findunused'];
const SCHED = ['sched', 'weight', 'cap', 'period', 'budget', 'extratime', 'slice', 'latency'];
export const DISK_ORDER = ['backend_domid', 'backend_domname', 'pdev_path', 'vdev', 'backend', 'format', 'script',
  'removable', 'readwrite', 'is_cdrom', 'direct_io_safe', 'discard_enable', 'specification', 'transport', 'irq',
  'base', 'colo_enable', 'colo_restore_enable', 'colo_host', 'colo_port', 'colo_export', 'active_disk',
  'hidden_disk', 'trusted'];
export const NIC_ORDER = ['backend_domid', 'backend_domname', 'devid', 'mtu', 'model', 'mac', 'ip', 'bridge',
  'ifname', 'script', 'nictype', 'rate_bytes_per_interval', 'rate_interval_usecs', 'gatewaydev', 'trusted'];
const CONFIG = ['c_info', 'b_info', 'disks', 'nics', 'pcidevs', 'rdms', 'dtdevs', 'vfbs', 'vkbs', 'virtios', 'vtpms',
  'p9s', 'pvcallsifs', 'vdispls', 'vsnds', 'channels', 'usbctrls', 'usbdevs', 'on_poweroff', 'on_reboot',
  'on_watchdog', 'on_crash', 'on_soft_reset'];

type Obj = Record<string, unknown>;

export function ordered(o: Obj, order: string[]): Obj {
  const r: Obj = {};
  for (const k of order) if (o[k] !== undefined) r[k] = o[k];
  for (const k of Object.keys(o)) if (!(k in r) && o[k] !== undefined) r[k] = o[k];
  return r;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a libxl_domain_config with every struct in IDL order. */
export function orderConfig(cfg: Obj): Obj {
  const c = ordered(cfg, CONFIG);
  if (isObj(c.c_info)) c.c_info = ordered(c.c_info, C_INFO);
  if (isObj(c.b_info)) {
    const b = ordered(c.b_info, B_INFO);
    if (isObj(b.sched_params)) b.sched_params = ordered(b.sched_params, SCHED);
    if (isObj(b['type.hvm'])) {
      const h = ordered(b['type.hvm'] as Obj, HVM);
      if (isObj(h.vnc)) h.vnc = ordered(h.vnc, VNC);
      b['type.hvm'] = h;
    }
    c.b_info = b;
  }
  if (Array.isArray(c.disks)) c.disks = (c.disks as Obj[]).map((d) => ordered(d, DISK_ORDER));
  if (Array.isArray(c.nics)) c.nics = (c.nics as Obj[]).map((n) => ordered(n, NIC_ORDER));
  return c;
}
