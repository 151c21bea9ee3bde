/**
 * Shortcuts for tests that change one thing of one system through the model's compound
 * operations (VirtManager.changeResources / modifySystemSettings / requestStateChange): the
 * product has one way to change a system; tests that are about something else need a line.
 */
import type { Job } from '../../src/virt/jobs.js';
import type { VirtManager } from '../../src/virt/manager.js';
import { RESOURCE_FIELDS, type ResourcePatch, type SettingsPatch } from '../../src/virt/changes.js';
import type { TargetState } from '../../src/virt/states.js';
import type { DiskSpec, NicSpec, Rate, SystemPatch, VirtualSystem } from '../../src/virt/types.js';

export async function addDisk(vm: VirtManager, name: string, disk: DiskSpec): Promise<DiskSpec> {
  const r = await vm.changeResources([{ system: name, action: 'add_disk', disk }]);
  return r.systems.get(name)!.config.disks.find((d) => d.vdev === disk.vdev)!;
}

export async function removeDisk(vm: VirtManager, name: string, vdev: string): Promise<void> {
  await vm.changeResources([{ system: name, action: 'remove_disk', vdev }]);
}

export async function addInterface(vm: VirtManager, name: string, nic: NicSpec): Promise<NicSpec & { mac: string }> {
  const r = await vm.changeResources([{ system: name, action: 'add_nic', nic }]);
  const mac = r.outcomes[0]!.device!;
  return r.systems.get(name)!.config.nics.find((n) => n.mac === mac)!;
}

export async function removeInterface(vm: VirtManager, name: string, mac: string): Promise<void> {
  await vm.changeResources([{ system: name, action: 'remove_nic', mac }]);
}

export async function setInterfaceRate(vm: VirtManager, name: string, mac: string, rate: Rate | null): Promise<void> {
  await vm.changeResources([{ system: name, action: 'set_nic_rate', mac, rate }]);
}

/** Resources through changeResources, policies through modifySystemSettings. */
export async function modifySystem(vm: VirtManager, name: string, patch: SystemPatch): Promise<VirtualSystem> {
  const resources: ResourcePatch = {};
  const settings: SettingsPatch = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    Object.assign(RESOURCE_FIELDS.includes(k as keyof ResourcePatch) ? resources : settings, { [k]: v });
  }
  let sys: VirtualSystem | undefined;
  if (Object.keys(resources).length > 0) sys = (await vm.changeResources([{ system: name, action: 'patch', patch: resources }])).systems.get(name);
  if (Object.keys(settings).length > 0) sys = await vm.modifySystemSettings(name, { patch: settings });
  return sys ?? vm.getSystem(name);
}

export function renameSystem(vm: VirtManager, name: string, newName: string): Promise<VirtualSystem> {
  return vm.modifySystemSettings(name, { name: newName });
}

/** The job of a state change (the system must not already be there). */
export async function requestStateJob(vm: VirtManager, name: string, target: TargetState): Promise<Job<VirtualSystem>> {
  const c = await vm.requestStateChange(name, target);
  if (c.kind !== 'job') throw new Error(`'${name}' is already ${target}: no job`);
  return c.job;
}
