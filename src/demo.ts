/**
 * The demo network seeded into a fresh simulated host on first start (README, Set-up): a small
 * virtual topology of Xen virtual routers, as in the paper — two running core routers, an edge
 * router kept paused (ready to launch at once) and a backup router defined but stopped.
 */
import type { TargetState, VirtManager, VirtualSystemSpec } from './virt/index.js';

const ROUTERS: { spec: VirtualSystemSpec; state: 'running' | 'paused' | 'defined' }[] = [
  {
    state: 'running',
    spec: {
      name: 'vr-core1', type: 'pv', memoryMiB: 256, vcpus: 1, cpuWeight: 512, priority: 10,
      nics: [{ bridge: 'xenbr0' }, { bridge: 'xenbr1', rate: { bytesPerSecond: 12_500_000 } }],
      disks: [{ target: '/var/lib/xen/images/vr-core1.img', vdev: 'xvda' }],
    },
  },
  {
    state: 'running',
    spec: {
      name: 'vr-core2', type: 'pv', memoryMiB: 256, vcpus: 1, cpuWeight: 512, priority: 10,
      nics: [{ bridge: 'xenbr0' }, { bridge: 'xenbr2', rate: { bytesPerSecond: 12_500_000 } }],
      disks: [{ target: '/var/lib/xen/images/vr-core2.img', vdev: 'xvda' }],
    },
  },
  {
    state: 'paused',
    spec: {
      name: 'vr-edge1', type: 'pv', memoryMiB: 128, vcpus: 1, priority: 5,
      nics: [{ bridge: 'xenbr1' }, { bridge: 'xenbr2' }],
      disks: [{ target: '/var/lib/xen/images/vr-edge1.img', vdev: 'xvda' }],
    },
  },
  {
    state: 'defined',
    spec: {
      name: 'vr-backup', type: 'pv', memoryMiB: 256, vcpus: 1,
      nics: [{ bridge: 'xenbr0' }],
      disks: [{ target: '/var/lib/xen/images/vr-backup.img', vdev: 'xvda' }],
    },
  },
];

/** Drives a system to a state and waits for the job, if one was needed. */
/** The bridges the demo routers plug into: a NIC on a bridge the host does not have is refused. */
export const DEMO_BRIDGES = ['xenbr0', 'xenbr1', 'xenbr2'];

/** Runs iproute2's `ip` on the simulated host (`xl-sim ip ...`). */
export type IpCommand = (args: string[]) => Promise<{ stdout: string }>;

/**
 * Creates the demo's bridges the simulated host lacks and brings them up, as an operator would
 * with iproute2 on a real host; returns the ones it created.
 */
export async function ensureDemoBridges(ip: IpCommand): Promise<string[]> {
  const have = new Set((JSON.parse((await ip(['-j', 'link', 'show', 'type', 'bridge'])).stdout) as Array<{ ifname: string }>).map((l) => l.ifname));
  const created: string[] = [];
  for (const br of DEMO_BRIDGES.filter((b) => !have.has(b))) {
    await ip(['link', 'add', 'name', br, 'type', 'bridge']);
    await ip(['link', 'set', 'dev', br, 'up']);
    created.push(br);
  }
  return created;
}

async function reach(virt: VirtManager, name: string, target: TargetState): Promise<void> {
  const change = await virt.requestStateChange(name, target, { timeoutMs: 30_000 });
  if (change.kind === 'job') await change.job.done;
}

/** Seeds the demo routers when the host has no virtual systems yet; returns their names. */
export async function seedDemoNetwork(virt: VirtManager, log: (line: string) => void): Promise<string[]> {
  if ((await virt.listSystems()).length > 0) return [];
  for (const { spec, state } of ROUTERS) {
    await virt.defineSystem(spec);
    if (state === 'running') await reach(virt, spec.name, 'running');
    if (state === 'paused') {
      await reach(virt, spec.name, 'running');
      await reach(virt, spec.name, 'paused');
    }
  }
  log(`demo network seeded: ${ROUTERS.map((r) => `${r.spec.name} (${r.state})`).join(', ')}`);
  return ROUTERS.map((r) => r.spec.name);
}
