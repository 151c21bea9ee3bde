/**
 * Snapshots on xl (virt/snapshots/snapshot-driver.ts): the memory image is a checkpoint, `xl save
 * -c`, after which the domain keeps running; it is brought back with `xl restore [-p] <cfg>
 * <image>` (paused with -p) and the image is kept for the next apply. The configuration given to
 * restore is written from the definition, so a system renamed since comes back under its current
 * name. While the image and the disks are taken, a running domain is paused (`xl pause`, then
 * `xl unpause`), so memory and disks are of one instant. Disks: disk-snapshots.ts. Progress: the
 * bytes of the image written (its size, against the memory) and read back (xl's file position).
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationOptions } from '../../virt/driver.js';
import { VirtError } from '../../virt/errors.js';
import type { CaptureOptions, DiskCapture, RestoreOptions, SnapshotDriver } from '../../virt/snapshots/index.js';
import { checkTransition } from '../../virt/states.js';
import type { DiskFormat, VirtualSystem, VirtualSystemConfig } from '../../virt/types.js';
import { placeCfg } from './cfg-file.js';
import { change, ensureDef, liveName, setExpected } from './change.js';
import type { XlCore } from './core.js';
import { runningOf } from './definition-types.js';
import { DiskSnapshots, SNAPSHOT_DISK_FORMATS } from './disk-snapshots.js';
import { failSave } from './left-suspended.js';
import { checkPaths } from './paths.js';
import { watchBytes, whileReading } from './image-progress.js';
import { validPath } from './validate.js';

const STATE_FILE = 'memory.save';
/** What an image's own snapshot weighs in a capture's progress (it writes little, but takes a moment). */
const NOMINAL_DISK_BYTES = 4 * 1024 * 1024;

export class XlSnapshots implements SnapshotDriver {
  readonly diskFormats: readonly DiskFormat[] = SNAPSHOT_DISK_FORMATS;
  readonly disks: DiskSnapshots;

  constructor(private readonly core: XlCore, readonly dir: string, qemuImg: string) {
    this.disks = new DiskSnapshots(qemuImg, core.paths);
  }

  check(system: VirtualSystem): Promise<void> {
    return this.disks.check(system.name, system.config.disks);
  }

  async estimate(system: VirtualSystem, memory: boolean): Promise<number> {
    return (await this.disks.copyBytes(system.config.disks)) + (memory ? system.config.maxMemoryMiB * 1024 * 1024 : 0);
  }

  capture(system: VirtualSystem, into: string, opts: CaptureOptions): Promise<{ stateFile?: string; disks: DiskCapture[] }> {
    const core = this.core;
    const progress = opts.progress ?? (() => {});
    const o = opts.signal ? { signal: opts.signal } : {};
    return change(core, system.name, async (cur) => {
      if (cur.system.state !== system.state) throw new VirtError('busy', `'${system.name}' changed state (now ${cur.system.state}) while the snapshot was being prepared`);
      const active = cur.view !== undefined;
      if (opts.memory && !active) throw new VirtError('invalid_state', `'${system.name}' is not active: it has no memory state to keep`);
      const pauseIt = active && cur.system.state === 'running';
      if (pauseIt) await core.xl(['pause', liveName(cur)], o);
      try {
        // The image and the disks share the progress by the bytes each writes.
        const memory = opts.memory ? system.config.memoryMiB * 1024 * 1024 : 0;
        const share = memory / Math.max(1, memory + await this.diskBytes(system));
        let stateFile: string | undefined;
        if (opts.memory) {
          await ensureDef(core, cur);
          const image = join(validPath(into, 'snapshot folder'), STATE_FILE);
          await watchBytes(image, memory, (f) => progress(f * share), () =>
            core.xl(['save', '-c', liveName(cur), image], o)).catch((err: unknown) => failSave(core, cur, err));
          // xl closes the image without an fsync: the snapshot's record must not name an image a
          // power cut could leave empty (the raw copies are synced as they are written).
          await syncFile(image);
          stateFile = STATE_FILE;
        }
        const disks = await this.disks.capture(system.config.disks, into, opts.tag, o, (f) => progress(share + f * (1 - share)));
        return { ...(stateFile ? { stateFile } : {}), disks };
      } finally {
        // The checkpoint resumed the domain with our pause still counted: lift it.
        if (pauseIt) await core.xl(['unpause', liveName(cur)]).catch((err: unknown) =>
          core.log('warn', `could not unpause '${system.name}' after its snapshot: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  /** What keeping the disks weighs: the raw copies' bytes, and a nominal part per image's own snapshot. */
  private async diskBytes(system: VirtualSystem): Promise<number> {
    const internal = DiskSnapshots.kept(system.config.disks).filter((d) => (d.format ?? 'raw') !== 'raw').length;
    return (await this.disks.copyBytes(system.config.disks)) + internal * NOMINAL_DISK_BYTES;
  }

  freeBytes(): Promise<number> {
    return this.disks.freeBytes(this.dir);
  }

  async checkRevert(disks: readonly DiskCapture[], from: string, config: VirtualSystemConfig): Promise<void> {
    await checkPaths(this.core.paths, config.boot, config.disks);
    await this.disks.checkRevert(disks, from);
  }

  revertDisks(disks: readonly DiskCapture[], from: string, opts: OperationOptions = {}): Promise<void> {
    return this.disks.revert(disks, from, opts);
  }

  discardDisks(disks: readonly { target: string; format: DiskFormat; method?: string; tag?: string }[]): Promise<void> {
    return this.disks.discard(disks);
  }

  putDefinition(name: string, config: VirtualSystemConfig): Promise<void> {
    const core = this.core;
    return change(core, name, async (cur) => {
      if (cur.view) throw new VirtError('invalid_state', `'${name}' is active: its definition is replaced only while it is stopped`);
      if (config.name !== cur.name || config.uuid !== cur.system.uuid) throw new VirtError('invalid_argument', `a definition of '${config.name}' cannot replace '${name}'`);
      await ensureDef(core, cur);
      await core.store.update(cur.name, (d) => {
        const next = { ...d, config: structuredClone(config), expected: 'stopped' as const, vanished: false, lastState: 'defined' as const, stateChangedAt: new Date().toISOString() };
        delete next.savedImage;
        return next;
      });
    });
  }

  resume(name: string, stateFile: string, opts: RestoreOptions): Promise<void> {
    const core = this.core;
    return change(core, name, async (cur) => {
      checkTransition(cur.name, cur.system.state, opts.paused ? 'start_paused' : 'start');
      const def = await ensureDef(core, cur);
      const image = validPath(stateFile, 'memory image');
      if (!(await stat(image).then((s) => s.isFile(), () => false))) throw new VirtError('not_found', `the memory image of the snapshot of '${name}' is missing`);
      const cfgPath = await placeCfg(core, def.config);
      // The bytes xl has read of the image are the progress (image-progress.ts).
      await core.withInflight(cur.name, 'resuming', () => whileReading(image, opts.progress, (onSpawn) =>
        core.xl(['restore', ...(opts.paused ? ['-p'] : []), cfgPath, image], { ...core.runOptions(opts), ...(onSpawn ? { onSpawn } : {}) })));
      await setExpected(core, cur, opts.paused ? 'paused' : 'running', { running: runningOf(def.config) }, opts.paused ? 'paused' : 'running');
    });
  }
}

async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
