/**
 * The logical devices of a virtual system (DSP1057 §7.5; libvirt-cim's device classes):
 * Xen_Processor per online vCPU (`<sys>/<n>`), Xen_Memory (`<sys>/mem`), Xen_LogicalDisk
 * (`<sys>/<vdev>`) and Xen_NetworkPort (`<sys>/<mac>`). Devices represent the system's current
 * state, so they exist only while a domain exists for it (running, paused, crashed or in
 * transition); a defined-only or saved system has settings (RASDs) but no devices.
 */
import { type CimInstance, type CimInstanceName, sameName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualSystem } from '../../virt/index.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { CS_CLASS, MEM_DEVID, PROC_DEVID, type ResourceKind, deviceName, parseDeviceId } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { findSystem, perSystem } from '../shared/systems.js';

const DEVICE_CLASS = {
  processor: 'Xen_Processor',
  memory: 'Xen_Memory',
  disk: 'Xen_LogicalDisk',
  network: 'Xen_NetworkPort',
} as const satisfies Record<ResourceKind, string>;

const PAGE = 4096;

export interface SystemDevice {
  kind: ResourceKind;
  className: string;
  devid: string;
  /** The devid of the RASD that defines this device (SettingsDefineState) and names its pool. */
  rasdDevid: string;
  values: Values;
}

/** Properties every device has (extended with Object.assign: spreading it into a literal is slow in V8). */
function common(sys: VirtualSystem, className: string, devid: string): Values {
  return {
    SystemCreationClassName: CS_CLASS,
    SystemName: sys.name,
    CreationClassName: className,
    DeviceID: `${sys.name}/${devid}`,
    ElementName: devid,
    // A paused guest's devices are quiesced with it.
    EnabledState: sys.state === 'paused' ? 9 : 2,
    RequestedState: 12,
    HealthState: 5,
    OperationalStatus: [2],
  };
}

/** The devices of a system's current state; none when no domain exists. */
export function systemDevices(sys: VirtualSystem): SystemDevice[] {
  const live = sys.live;
  if (!live) return [];
  const c = sys.config;
  const out: SystemDevice[] = [];
  for (let n = 0; n < live.onlineVcpus; n++) {
    const devid = String(n);
    out.push({
      kind: 'processor', className: DEVICE_CLASS.processor, devid, rasdDevid: PROC_DEVID,
      values: Object.assign(common(sys, DEVICE_CLASS.processor, devid), { CPUStatus: 1, NumberOfEnabledCores: 1 }),
    });
  }
  out.push({
    kind: 'memory', className: DEVICE_CLASS.memory, devid: MEM_DEVID, rasdDevid: MEM_DEVID,
    values: Object.assign(common(sys, DEVICE_CLASS.memory, MEM_DEVID), {
      // Pages of 4 KiB (libvirt-cim's BlockSize), counted correctly: the maximum and what the guest holds now.
      BlockSize: PAGE,
      NumberOfBlocks: (live.maxMemoryMiB * 1024 * 1024) / PAGE,
      ConsumableBlocks: (live.memoryMiB * 1024 * 1024) / PAGE,
      Volatile: true,
    }),
  });
  for (const d of c.disks) {
    out.push({
      kind: 'disk', className: DEVICE_CLASS.disk, devid: d.vdev, rasdDevid: d.vdev,
      values: Object.assign(common(sys, DEVICE_CLASS.disk, d.vdev), {
        Name: d.vdev,
        NameFormat: 12,
        // CIM_StorageExtent.Access: 1 Readable, 3 Read/Write Supported.
        Access: d.readOnly || d.cdrom ? 1 : 3,
      }),
    });
  }
  for (const n of c.nics) {
    const bits = n.rate ? n.rate.bytesPerSecond * 8 : undefined;
    out.push({
      kind: 'network', className: DEVICE_CLASS.network, devid: n.mac, rasdDevid: n.mac,
      values: Object.assign(common(sys, DEVICE_CLASS.network, n.mac), {
        // CIM_EthernetPort convention: twelve hex digits without separators.
        PermanentAddress: n.mac.replace(/:/g, '').toUpperCase(),
        NetworkAddresses: [n.mac],
        LinkTechnology: 2,
        Speed: bits,
        MaxSpeed: bits,
      }),
    });
  }
  return out;
}

export function deviceRef(system: string, d: Pick<SystemDevice, 'className' | 'devid'>): CimInstanceName {
  return deviceName(d.className, system, d.devid);
}

function buildDevice(ctx: ProviderContext, d: SystemDevice): CimInstance {
  return build(ctx, d.className, d.values);
}

/** The devices of one class of every system: one snapshot for all. */
function deviceSource(deps: ProviderDeps, className: string): ClassSource {
  return {
    ...perSystem(deps, (ctx, s) => systemDevices(s).filter((d) => d.className === className).map((d) => buildDevice(ctx, d))),
    async get(ctx, name) {
      const id = name.keyString('DeviceID');
      const parsed = id === undefined ? undefined : parseDeviceId(id);
      const okKeys = parsed && name.keyString('SystemName') === parsed.system
        && sameName(name.keyString('SystemCreationClassName'), CS_CLASS)
        && sameName(name.keyString('CreationClassName'), className);
      const sys = okKeys ? await findSystem(deps, parsed.system) : undefined;
      const dev = sys ? systemDevices(sys).find((d) => d.className === className && d.devid === parsed!.devid) : undefined;
      return dev ? buildDevice(ctx, dev) : undefined;
    },
  };
}

export function deviceClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return Object.fromEntries(Object.values(DEVICE_CLASS).map((c) => [c, deviceSource(deps, c)]));
}
