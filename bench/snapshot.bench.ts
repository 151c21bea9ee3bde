/**
 * Snapshots against xl-sim run as processes (bin/xl-sim, as the server runs it without Xen), with
 * a router of two real disks (a 1 MiB qcow2 image and a 1 MiB raw image): CreateSnapshot (full)
 * and ApplySnapshot through the model, beside the bare tools they stand on — `xl save -c` alone,
 * and the whole bare sequence (xl pause, xl save -c, qemu-img snapshot -c, copy of the raw image,
 * xl unpause); `xl restore` alone, and xl destroy + qemu-img snapshot -a + copy back + xl restore.
 * Medians of interleaved runs.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createXlDriver, simulatorPath } from '../src/drivers/xl/index.js';
import { VirtManager } from '../src/virt/manager.js';
import { median } from './stats.js';

const ROUNDS = 10;
const fmt = (x: number): string => x.toFixed(1);

export async function runSnapshotBench(report: (line: string) => void): Promise<void> {
  let xlPath: string;
  try {
    xlPath = simulatorPath();
  } catch {
    report('snapshots: skipped (bin/xl-sim not found)');
    return;
  }
  if ((await execa('qemu-img', ['--version'], { reject: false })).exitCode !== 0) {
    report('snapshots: skipped (qemu-img not installed: Debian qemu-utils)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-snap-'));
  try {
    const state = join(dir, 'xl-sim');
    mkdirSync(state, { recursive: true });
    const env = { XL_SIM_STATE: state };
    const xl = (...args: string[]) => execa(xlPath, args, { env: { ...process.env, ...env } });
    const qcow2 = join(dir, 'r.qcow2');
    const raw = join(dir, 'r.img');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '1M']);
    writeFileSync(raw, Buffer.alloc(1024 * 1024, 0x41));
    const driver = createXlDriver({ xlPath, dataDir: dir, env });
    const vm = new VirtManager(driver, { pollIntervalMs: 20, snapshots: { limits: { maxPerSystem: 1000 } } });
    await vm.init();
    await vm.defineSystem({
      name: 'r', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: qcow2, vdev: 'xvda', format: 'qcow2' }, { target: raw, vdev: 'xvdb' }],
    });
    await vm.requestState('r', 'running');
    const svc = vm.snapshots!;
    const image = join(dir, 'bare.save');
    const rawCopy = join(dir, 'bare.raw');
    const t = { saveC: [] as number[], bareCreate: [] as number[], create: [] as number[], restore: [] as number[], bareApply: [] as number[], apply: [] as number[], applySteps: [] as number[] };
    const time = async (into: number[], work: () => Promise<unknown>): Promise<void> => {
      const t0 = performance.now();
      await work();
      into.push(performance.now() - t0);
    };
    let kept = '';
    for (let i = 0; i < ROUNDS; i++) {
      await time(t.saveC, () => xl('save', '-c', 'r', image));
      await time(t.bareCreate, async () => {
        await xl('pause', 'r');
        await xl('save', '-c', 'r', image);
        await execa('qemu-img', ['snapshot', '-c', `bare${i}`, qcow2]);
        copyFileSync(raw, rawCopy);
        await xl('unpause', 'r');
      });
      // The bare calls changed the host behind the driver's back: a fresh picture, not timed.
      driver.invalidate();
      await vm.listSystems();
      await time(t.create, async () => {
        const { job, snapshot } = await svc.create('r', 'full');
        await job.done;
        kept = snapshot.id;
      });
      // Bare restore: the domain must be gone first (not timed).
      await xl('destroy', 'r');
      await time(t.restore, () => xl('restore', image));
      await time(t.bareApply, async () => {
        await xl('destroy', 'r');
        await execa('qemu-img', ['snapshot', '-a', `bare${i}`, qcow2]);
        copyFileSync(rawCopy, raw);
        await xl('restore', image);
      });
      driver.invalidate();
      await vm.listSystems();
      await time(t.apply, async () => {
        const { job } = await svc.apply(kept);
        const seen = new Set<number>();
        const timer = setInterval(() => seen.add(job.percentComplete), 5);
        await job.done.finally(() => clearInterval(timer));
        t.applySteps.push(seen.size);
      });
      await execa('qemu-img', ['snapshot', '-d', `bare${i}`, qcow2]);
    }
    const size = (await svc.get(kept))!.bytes;
    report(`snapshots: a running router (256 MiB, a 1 MiB qcow2 and a 1 MiB raw disk) on xl-sim processes, median of ${ROUNDS}; a snapshot holds ${size} bytes here`);
    const ratio = (a: number[], b: number[]): string => `${(median(a) / median(b)).toFixed(2)}×`;
    report(`  bare xl save -c ${fmt(median(t.saveC))} ms; bare create sequence (pause, save -c, qemu-img snapshot -c, raw copy, unpause) ${fmt(median(t.bareCreate))} ms; ` +
      `CreateSnapshot (full) ${fmt(median(t.create))} ms = ${ratio(t.create, t.saveC)} bare xl save -c, ${ratio(t.create, t.bareCreate)} the bare sequence`);
    report(`  bare xl restore ${fmt(median(t.restore))} ms; bare apply sequence (destroy, qemu-img snapshot -a, raw copy back, restore) ${fmt(median(t.bareApply))} ms; ` +
      `ApplySnapshot ${fmt(median(t.apply))} ms = ${ratio(t.apply, t.restore)} bare xl restore, ${ratio(t.apply, t.bareApply)} the bare sequence; ` +
      `PercentComplete took ${median(t.applySteps)} values (median) during an apply`);
    if (existsSync(image)) unlinkSync(image);
    await driver.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
