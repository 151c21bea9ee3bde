/**
 * Xen_VirtualSystemSettingData ⇄ the virt system definition (DSP1057 §7.3). Decisions:
 * - VirtualSystemType out: "Xen" (PV, as libvirt-cim), "XenFV" (HVM, cimtest's name), "Xen PVH";
 *   in: those plus "Xen PV", "Xen HVM", "DMTF:XEN:PV|HVM|PVH", case-insensitively; plain "Xen"
 *   follows IsFullVirt.
 * - AutomaticStartupAction ⇄ autostart (4 Always startup / 2 None), AutoStart mirrors it.
 * - AutomaticStartupActionSequenceNumber = 1000 − priority (lower starts first; priority
 *   −1000..1000 where higher starts first).
 * - AutomaticShutdownAction ⇄ on_poweroff and AutomaticRecoveryAction ⇄ on_crash (libvirt-cim's
 *   reading); values without a DMTF code use libvirt-cim's 123 (preserve) and vendor codes 32768+.
 */
import type { CimInstance } from '../../cim/index.js';
import type { LifecycleAction, SystemType, VirtualSystem, VirtualSystemSpec } from '../../virt/index.js';
import type { Values } from '../shared/build.js';
import { badParam } from '../shared/errors.js';
import { type SettingsRole, vssdId } from '../shared/naming.js';
import { readBoolean, readNumber, readString, readStrings } from '../shared/params.js';

export const VIRTUAL_SYSTEM_TYPE: Readonly<Record<SystemType, string>> = { pv: 'Xen', hvm: 'XenFV', pvh: 'Xen PVH' };

/** 'generic' = plain "Xen": PV unless IsFullVirt says otherwise. */
export function parseSystemType(text: string): SystemType | 'generic' {
  const t = text.toLowerCase().replace(/^dmtf:/, '').replace(/[\s:_-]/g, '');
  switch (t) {
    case 'xen': return 'generic';
    case 'xenpv': return 'pv';
    case 'xenhvm': case 'xenfv': return 'hvm';
    case 'xenpvh': return 'pvh';
    default:
      throw badParam(`VirtualSystemType "${text}" is not supported (use Xen, Xen PV, Xen HVM, XenFV or Xen PVH)`);
  }
}

const RECOVERY: Readonly<Record<LifecycleAction, number>> = {
  destroy: 2, restart: 3, preserve: 123, rename_restart: 32768, coredump_destroy: 32769, coredump_restart: 32770, soft_reset: 32771,
};
const SHUTDOWN: Readonly<Record<LifecycleAction, number>> = { ...RECOVERY, restart: 32772 };

function actionOf(table: Readonly<Record<LifecycleAction, number>>, code: number, what: string): LifecycleAction {
  const found = (Object.keys(table) as LifecycleAction[]).find((a) => table[a] === code);
  if (found) return found;
  // DMTF "Shutdown" (4) of the host means the guest is powered off: the same as Turn Off for on_poweroff.
  if (table === SHUTDOWN && code === 4) return 'destroy';
  if (table === RECOVERY && code === 32772) return 'restart';
  throw badParam(`${what} ${code} is not supported (values: ${Object.entries(table).map(([a, c]) => `${c} ${a}`).join(', ')})`);
}

export function vssdValues(sys: VirtualSystem, role: SettingsRole): Values {
  const c = sys.config;
  return {
    InstanceID: vssdId(sys.name, role),
    ElementName: sys.name,
    VirtualSystemIdentifier: sys.name,
    VirtualSystemType: VIRTUAL_SYSTEM_TYPE[c.type],
    Caption: role === 'defined' ? 'Defined configuration' : 'Current configuration',
    Description: role === 'defined'
      ? `Settings of ${sys.name} used at its next activation`
      : `Settings of ${sys.name} as it runs now`,
    // DSP1057 §7.3: the defined configuration persists; the state one lasts while the system is active.
    ChangeableType: role === 'defined' ? 2 : 1,
    UUID: sys.uuid,
    AutoStart: c.autostart ? 1 : 0,
    AutomaticStartupAction: c.autostart ? 4 : 2,
    AutomaticStartupActionSequenceNumber: 1000 - c.priority,
    AutomaticShutdownAction: SHUTDOWN[c.onPoweroff],
    AutomaticRecoveryAction: RECOVERY[c.onCrash],
    IsFullVirt: c.type === 'hvm',
    Bootloader: c.boot.bootloader,
    Kernel: c.boot.kernel,
    Ramdisk: c.boot.ramdisk,
    CommandLine: c.boot.cmdline,
  };
}

/** What a client's VSSD says; only properties it gave (non-NULL) appear. */
export interface SystemSettingsInput {
  name?: string;
  uuid?: string;
  type?: SystemType;
  boot: VirtualSystemSpec['boot'] & object;
  autostart?: boolean;
  onPoweroff?: LifecycleAction;
  onCrash?: LifecycleAction;
  priority?: number;
}

/** What the system has now, for a VSSD that was read, changed and sent back (ModifySystemSettings). */
export interface CurrentSettings {
  name: string;
  autostart: boolean;
}

/**
 * Two properties that carry one setting. Get-modify-put: a client that read the instance and
 * changed one of them sends the other back as read (equal to `current`), so the changed one wins;
 * they conflict only when both differ from what the system has (or there is no current value,
 * as in DefineSystem) and from each other.
 */
function oneOf<T>(a: { prop: string; value: T | undefined; shown: string }, b: { prop: string; value: T | undefined; shown: string }, current: T | undefined): T | undefined {
  if (a.value === undefined) return b.value;
  if (b.value === undefined || a.value === b.value) return a.value;
  if (current !== undefined && a.value === current) return b.value;
  if (current !== undefined && b.value === current) return a.value;
  throw badParam(`${a.prop} ${a.shown} contradicts ${b.prop} ${b.shown}: both say the same setting${current === undefined ? '' : ', and both were changed'}`);
}

export function parseSystemSettings(inst: CimInstance, current?: CurrentSettings): SystemSettingsInput {
  const out: SystemSettingsInput = { boot: {} };
  const str = (name: string) => readString(inst, name, 'SystemSettings');
  const num = (name: string) => readNumber(inst, name, 'SystemSettings');
  const bool = (name: string) => readBoolean(inst, name, 'SystemSettings');
  const vsi = str('VirtualSystemIdentifier');
  const elementName = str('ElementName');
  // The system name is both ElementName and VirtualSystemIdentifier.
  const name = oneOf(
    { prop: 'ElementName', value: elementName, shown: JSON.stringify(elementName) },
    { prop: 'VirtualSystemIdentifier', value: vsi, shown: JSON.stringify(vsi) },
    current?.name,
  );
  if (name !== undefined) out.name = name;
  const uuid = str('UUID');
  if (uuid) out.uuid = uuid;

  const vst = str('VirtualSystemType');
  const full = bool('IsFullVirt');
  const parsed = vst ? parseSystemType(vst) : undefined;
  if (parsed === 'generic' || parsed === undefined) {
    if (full === true) out.type = 'hvm';
    else if (parsed === 'generic') out.type = 'pv';
  } else {
    if (full !== undefined && full !== (parsed === 'hvm')) {
      throw badParam(`IsFullVirt ${String(full).toUpperCase()} contradicts VirtualSystemType "${vst}"`);
    }
    out.type = parsed;
  }

  const kernel = str('Kernel');
  const ramdisk = str('Ramdisk');
  const cmdline = str('CommandLine');
  const bootloader = str('Bootloader');
  if (kernel) out.boot.kernel = kernel;
  if (ramdisk) out.boot.ramdisk = ramdisk;
  if (cmdline) out.boot.cmdline = cmdline;
  if (bootloader) out.boot.bootloader = bootloader;
  if (str('BootloaderArgs')) throw badParam('BootloaderArgs is not supported');
  if (readStrings(inst, 'BootDevices', 'SystemSettings').length > 0) throw badParam('BootDevices is not supported (HVM guests boot from their first disk)');
  if (str('Emulator')) throw badParam('Emulator is not supported (xl chooses the device model)');

  // uint16 as libvirt-cim declares it: 1 starts the guest with the host, 0 does not.
  const autoStartCode = num('AutoStart');
  if (autoStartCode !== undefined && autoStartCode !== 0 && autoStartCode !== 1) throw badParam(`AutoStart ${autoStartCode} is not 0 (no) or 1 (start with the host)`);
  const autoStart = autoStartCode === undefined ? undefined : autoStartCode === 1;
  const startup = num('AutomaticStartupAction');
  if (startup !== undefined && ![2, 3, 4].includes(startup)) throw badParam(`AutomaticStartupAction ${startup} is not supported (2 None, 3 or 4 start with the host)`);
  const fromStartup = startup === undefined ? undefined : startup !== 2;
  const autostart = oneOf(
    { prop: 'AutoStart', value: autoStart, shown: String(autoStartCode) },
    { prop: 'AutomaticStartupAction', value: fromStartup, shown: String(startup) },
    current?.autostart,
  );
  if (autostart !== undefined) out.autostart = autostart;

  const seq = num('AutomaticStartupActionSequenceNumber');
  if (seq !== undefined) {
    if (seq < 0 || seq > 2000) throw badParam(`AutomaticStartupActionSequenceNumber ${seq} must be 0..2000 (priority = 1000 - it)`);
    out.priority = 1000 - seq;
  }
  const shutdown = num('AutomaticShutdownAction');
  if (shutdown !== undefined) out.onPoweroff = actionOf(SHUTDOWN, shutdown, 'AutomaticShutdownAction');
  const recovery = num('AutomaticRecoveryAction');
  if (recovery !== undefined) out.onCrash = actionOf(RECOVERY, recovery, 'AutomaticRecoveryAction');
  return out;
}
