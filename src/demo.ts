/**
 * The demo seeded into a fresh simulated host on first start (README, Set-up): a small virtual
 * topology of Xen virtual routers, as in the paper — two running core routers, an edge router
 * kept paused (ready to launch at once) and a backup router defined but stopped — defined as the
 * virtual network `demo` (its shared switch and two links with bandwidth), plus the network
 * `emergency`: three more routers parked paused, ready to be launched in one call.
 */
import { closeSync, existsSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { LinkSpec, TargetState, VirtManager, VirtualSystem, VirtualSystemSpec } from './virt/index.js';

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

/** The routers of the emergency network: defined stopped, then parked paused as a whole. */
const EMERGENCY: VirtualSystemSpec[] = ['vr-em1', 'vr-em2', 'vr-em3'].map((name, i) => ({
  name, type: 'pv', memoryMiB: 128, vcpus: 1, priority: i === 0 ? 10 : 5,
  disks: [{ target: `/var/lib/xen/images/${name}.img`, vdev: 'xvda' }],
}));

const MBIT = 1_000_000;

/** The interface of `sys` on `bridge` (a link end given by MAC). */
function nicOn(sys: VirtualSystem, bridge: string): string {
  const nic = sys.config.nics.find((n) => n.bridge === bridge);
  if (!nic) throw new Error(`demo router ${sys.name} has no interface on ${bridge}`);
  return nic.mac;
}

/** Creates `file` and makes it durable (fsync of the file and of its directory). */
function markDurably(file: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, 'the demo is being seeded; the next start finishes it\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    const dir = openSync(path.dirname(file), 'r');
    try { fsyncSync(dir); } finally { closeSync(dir); }
  } catch { /* not every platform lets a directory be fsynced */ }
}

/**
 * Seeds the demo routers and networks when the host has no virtual systems yet; returns the
 * routers' names. `progressFile` is there while a seed runs: a seed cut short (a failed step, a
 * kill) is finished by the next start, each step done only where it is missing, instead of the
 * host being taken as in use and the demo left half made.
 */
export async function seedDemoNetwork(virt: VirtManager, log: (line: string) => void, progressFile?: string): Promise<string[]> {
  try {
    return await seed(virt, log, progressFile);
  } catch (e) {
    throw new Error(`the demo could not be seeded: ${e instanceof Error ? e.message : String(e)} `
      + '(the next start tries again; --no-demo starts without it)');
  }
}

async function seed(virt: VirtManager, log: (line: string) => void, progressFile?: string): Promise<string[]> {
  const resuming = progressFile !== undefined && existsSync(progressFile);
  if (!resuming && (await virt.listSystems()).length > 0) return [];
  if (progressFile !== undefined && !resuming) markDurably(progressFile);
  const existing = new Map((await virt.listSystems()).map((sys) => [sys.name, sys]));
  for (const { spec, state } of ROUTERS) {
    const now = existing.get(spec.name)?.state ?? (await virt.defineSystem(spec)).state;
    if (state === 'running' && now !== 'running') await reach(virt, spec.name, 'running');
    if (state === 'paused' && now !== 'paused') {
      if (now !== 'running') await reach(virt, spec.name, 'running');
      await reach(virt, spec.name, 'paused');
    }
  }
  const [core1, core2, edge1] = await Promise.all(['vr-core1', 'vr-core2', 'vr-edge1'].map((n) => virt.getSystem(n)));
  // The core routers' uplinks to the edge are the links; xenbr0 is the shared management segment.
  const links: LinkSpec[] = [
    { name: 'core1-edge1', switch: 'xenbr1', ends: [{ system: 'vr-core1', mac: nicOn(core1!, 'xenbr1') }, { system: 'vr-edge1', mac: nicOn(edge1!, 'xenbr1') }], limitBitsPerSecond: 100 * MBIT, reservationBitsPerSecond: 50 * MBIT },
    { name: 'core2-edge1', switch: 'xenbr2', ends: [{ system: 'vr-core2', mac: nicOn(core2!, 'xenbr2') }, { system: 'vr-edge1', mac: nicOn(edge1!, 'xenbr2') }], limitBitsPerSecond: 100 * MBIT, reservationBitsPerSecond: 50 * MBIT },
  ];
  const networks = new Set((await virt.networks.list()).map((n) => n.name));
  if (!networks.has('demo')) await virt.networks.define({ name: 'demo', members: ROUTERS.map((r) => ({ system: r.spec.name })), switches: ['xenbr0'], links });
  await Promise.all(EMERGENCY.filter((spec) => !existing.has(spec.name)).map((spec) => virt.defineSystem(spec)));
  if (!networks.has('emergency')) {
    await virt.networks.define({
      name: 'emergency', members: EMERGENCY.map((s) => ({ system: s.name })),
      links: [
        { name: 'em1-em2', ends: [{ system: 'vr-em1' }, { system: 'vr-em2' }], limitBitsPerSecond: 1000 * MBIT, reservationBitsPerSecond: 200 * MBIT },
        { name: 'em1-em3', ends: [{ system: 'vr-em1' }, { system: 'vr-em3' }], limitBitsPerSecond: 1000 * MBIT, reservationBitsPerSecond: 200 * MBIT },
      ],
    });
  }
  const park = await virt.networks.requestStateChange('emergency', 'paused');
  // A router that could not be parked is reported, not fatal: the server still starts.
  if (park.kind === 'job') await park.job.done.catch((e: unknown) => log(`demo: ${e instanceof Error ? e.message : String(e)}`));
  if (progressFile !== undefined) rmSync(progressFile, { force: true });
  const names = [...ROUTERS.map((r) => r.spec.name), ...EMERGENCY.map((s) => s.name)];
  log(`demo network seeded${resuming ? ' (a seed cut short, finished)' : ''}: ${ROUTERS.map((r) => `${r.spec.name} (${r.state})`).join(', ')}; networks: demo, emergency (${EMERGENCY.map((s) => s.name).join(', ')} parked paused)`);
  return names;
}
