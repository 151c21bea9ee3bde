/**
 * VSMS.DefineSystem (DSP1042 §8.2.1): a VSSD, RASDs and/or a ReferenceConfiguration to copy
 * from. What is not given comes from the reference, else from the Default allocation templates
 * (DSP1043). The new system is Defined (EnabledState 3).
 * A definition whose guaranteed memory or CPU could never fit the host's advertised capacity is
 * refused now rather than at its first start (the model checks it: "insufficient resources").
 */
import type { CimInstance, CimValue, NameMap } from '../../cim/index.js';
import { cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import type { DiskSpec, NicSpec, SystemPatch, VirtualSystemConfig, VirtualSystemSpec } from '../../virt/index.js';
import {
  type RasdKind, classifyRasd, refuseUnknownSwitch, parseDiskRasd, parseMemRasd, parseNetRasd, parseProcRasd,
} from '../dsp1041-resource-allocation/index.js';
import { defaultAllocation } from '../dsp1043-allocation-capabilities/index.js';
import { findConfiguration, parseSystemSettings } from '../dsp1057-virtual-system/index.js';
import { refuseNewConnection } from '../dsp1050-ethernet-port-allocation/index.js';
import { defineSwitch, isSwitchSettings } from '../dsp1097-virtual-ethernet-switch/index.js';
import { parseSnapshotVssdId } from '../dsp1042-virtual-system-snapshot/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { VSSD_CLASS, computerSystemName } from '../shared/naming.js';
import { designates, readInstance, readInstances, readRef } from '../shared/params.js';

/** A copy of a reference definition under a new name: new UUID and MACs, the same disks (checked by sharedWritable). */
function cloneOf(base: VirtualSystemConfig, name: string): VirtualSystemSpec {
  const { uuid: _uuid, disks, nics, boot, ...rest } = base;
  return {
    ...rest,
    name,
    boot: { ...boot },
    disks: disks.map((d) => ({ ...d })),
    nics: nics.map(({ mac: _mac, ...n }) => ({ ...n })),
  };
}

/**
 * A writable image used by two guests would be corrupted, and dropping it silently would define
 * a guest without its disk: a copy that still has a writable disk of the reference is refused,
 * naming the disks and what to do. The client gives each of them an image of its own in
 * ResourceSettings (same VirtualDevice, another Address).
 */
function refuseSharedWritable(base: VirtualSystemConfig, refName: string, disks: readonly DiskSpec[]): void {
  const writable = new Set(base.disks.filter((d) => !d.readOnly && !d.cdrom).map((d) => d.target));
  const shared = disks.filter((d) => !d.readOnly && !d.cdrom && writable.has(d.target));
  if (shared.length === 0) return;
  const list = shared.map((d) => `${d.vdev} (${d.target})`).join(', ');
  throw badParam(
    `ReferenceConfiguration '${refName}' has writable disk${shared.length > 1 ? 's' : ''} ${list} that a copy cannot share ` +
    '(two guests writing one image corrupt it): give each a disk of its own in ResourceSettings (same VirtualDevice, another Address)',
  );
}

function mergeByKey<T>(base: T[], added: T[], key: (t: T) => string | undefined): T[] {
  const keys = new Set(added.map(key).filter((k) => k !== undefined));
  return [...base.filter((b) => !keys.has(key(b) ?? '\0')), ...added];
}

async function referenceConfig(deps: ProviderDeps, params: NameMap<CimValue>): Promise<VirtualSystemConfig & { name: string } | undefined> {
  const ref = readRef(params, 'ReferenceConfiguration');
  if (!ref) return undefined;
  if (!designates(deps.repository, ref, VSSD_CLASS)) throw badParam(`ReferenceConfiguration ${ref.toString()} is not a reference to a ${VSSD_CLASS}`);
  if (parseSnapshotVssdId(ref.keyString('InstanceID'))) {
    throw badParam(`ReferenceConfiguration ${ref.toString()} is a snapshot: defining a system from a snapshot is not supported (ApplySnapshot returns its system to it)`);
  }
  const found = await findConfiguration(deps, ref.keyString('InstanceID'));
  if (!found) throw cimError('NOT_FOUND', `ReferenceConfiguration ${ref.toString()} does not exist`);
  return { ...found.sys.config, name: found.sys.name };
}

export async function defineSystem(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const settings = readInstance(params, 'SystemSettings');
  if (!settings) throw badParam('SystemSettings (an embedded Xen_VirtualSystemSettingData) is required');
  // DSP1097: a virtual switch is defined through the same method, by its own configuration.
  if (isSwitchSettings(settings)) return defineSwitch(deps, settings, params);
  const input = parseSystemSettings(settings);
  if (!input.name) throw badParam('SystemSettings needs VirtualSystemIdentifier (or ElementName): the name of the new system');
  const base = await referenceConfig(deps, params);

  const spec: VirtualSystemSpec = base
    ? cloneOf(base, input.name)
    : { name: input.name, type: 'pv', memoryMiB: 0, vcpus: 0 };
  const boot = { ...(spec.boot ?? {}), ...input.boot };
  spec.boot = boot;
  spec.type = input.type ?? base?.type ?? (boot.kernel || boot.bootloader ? 'pv' : 'hvm');
  if (input.uuid) spec.uuid = input.uuid;
  if (input.autostart !== undefined) spec.autostart = input.autostart;
  if (input.onPoweroff) spec.onPoweroff = input.onPoweroff;
  if (input.onCrash) spec.onCrash = input.onCrash;
  if (input.priority !== undefined) spec.priority = input.priority;

  const seen = new Set<RasdKind>();
  const disks: DiskSpec[] = [];
  const nics: NicSpec[] = [];
  const nicRasds: Array<{ r: CimInstance; where: string; nic: NicSpec }> = [];
  let patch: SystemPatch = {};
  readInstances(params, 'ResourceSettings').forEach((r: CimInstance, i) => {
    const where = `ResourceSettings[${i}] (${r.className})`;
    refuseNewConnection(r, where);
    const { kind, cdrom } = classifyRasd(r, where);
    if ((kind === 'processor' || kind === 'memory') && seen.has(kind)) throw badParam(`${where}: more than one ${kind} setting`);
    seen.add(kind);
    if (kind === 'processor') patch = { ...patch, ...parseProcRasd(r, where) };
    else if (kind === 'memory') patch = { ...patch, ...parseMemRasd(r, where) };
    else if (kind === 'disk') disks.push(parseDiskRasd(r, where, cdrom));
    else {
      const nic = parseNetRasd(r, where);
      nics.push(nic);
      nicRasds.push({ r, where, nic });
    }
  });
  if (nicRasds.length > 0) {
    const switches = await deps.virt.switches();
    for (const x of nicRasds) refuseUnknownSwitch(x.r, x.where, x.nic.bridge, switches);
  }
  Object.assign(spec, patch);
  spec.disks = mergeByKey(spec.disks ?? [], disks, (d) => d.vdev);
  if (base) refuseSharedWritable(base, base.name, spec.disks);
  spec.nics = [...(spec.nics ?? []), ...nics];

  // Only what nobody gave is defaulted: an explicit 0 reaches the virt checks and is refused there.
  if (!base && (patch.memoryMiB === undefined || patch.vcpus === undefined)) {
    const defaults = await defaultAllocation(deps.virt);
    if (patch.memoryMiB === undefined) spec.memoryMiB = defaults.memoryMiB;
    if (patch.vcpus === undefined) spec.vcpus = defaults.vcpus;
  }
  if (base && patch.memoryMiB !== undefined && patch.maxMemoryMiB === undefined && spec.maxMemoryMiB !== undefined && spec.maxMemoryMiB < spec.memoryMiB) {
    spec.maxMemoryMiB = spec.memoryMiB;
  }
  if (base && patch.vcpus !== undefined && spec.maxVcpus !== undefined && spec.maxVcpus < spec.vcpus) spec.maxVcpus = spec.vcpus;
  if (base && patch.memoryMiB !== undefined && patch.memoryReservationMiB === undefined && base.memoryReservationMiB === base.memoryMiB) {
    // The reference's reservation followed its memory: keep following.
    delete spec.memoryReservationMiB;
  }

  try {
    const sys = await deps.virt.defineSystem(spec);
    deps.log(`DefineSystem: defined '${sys.name}' (${sys.config.type}, ${sys.config.memoryMiB} MiB, ${sys.config.vcpus} vCPU)`);
    return { returnValue: 0, out: { ResultingSystem: computerSystemName(sys.name) } };
  } catch (e) {
    throw toCimError(e, 'DefineSystem');
  }
}
