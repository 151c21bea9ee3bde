/**
 * Life cycle: create (start), shutdown, destroy, reboot, reset, pause, unpause, save, restore.
 * Each checks the transition table against its own view (the safety net), runs xl with the
 * caller's cancel signal (aborting kills xl), and only then records the outcome in the store, so
 * a failed xl call leaves the definition intact.
 */
import { access, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationOptions, StartOptions } from '../../virt/driver.js';
import { VirtError } from '../../virt/errors.js';
import type { VirtualSystemConfig } from '../../virt/types.js';
import { placeCfg } from './cfg-file.js';
import { change, check, ensureDef, listedRow, liveName, reached, setExpected } from './change.js';
import { failSave } from './left-suspended.js';
import { watchBytes, whileReading } from './image-progress.js';
import type { XlCore } from './core.js';
import { runningOf } from './definition-types.js';
import type { ListRow } from './parse/list.js';
import { withPaused } from './picture.js';
import { validName } from './validate.js';
import { reapplyRates } from './xenstore.js';

/**
 * xl's answer when an HVM guest has no PV drivers to receive a graceful shutdown or reboot
 * (libxl ERROR_NOPARAVIRT); `fallback` then does it the way such a guest understands.
 */
async function withoutPvControl<T>(attempt: Promise<T>, fallback: () => Promise<unknown>): Promise<void> {
  try {
    await attempt;
  } catch (err) {
    if (!(err instanceof VirtError) || !/PV control interface not available/.test(`${err.message}\n${err.detail ?? ''}`)) throw err;
    await fallback();
  }
}

async function createFrom(core: XlCore, config: VirtualSystemConfig, paused: boolean, opts: OperationOptions): Promise<void> {
  // The paths are checked also for a definition stored before the allow-list was configured (or adopted).
  const cfgPath = await placeCfg(core, config);
  try {
    await core.xl(['create', ...(paused ? ['-p'] : []), cfgPath], core.runOptions(opts));
  } catch (err) {
    if (opts.signal?.aborted || VirtError.is(err, 'timeout')) await discardPartial(core, config);
    throw err;
  }
}

/** A create killed half-way may leave a domain being built: it goes, so a cancelled start changes nothing. */
async function discardPartial(core: XlCore, config: VirtualSystemConfig): Promise<void> {
  try {
    const snap = await core.cache.fresh();
    const left = snap.byUuid.get(config.uuid);
    if (left) await core.xl(['destroy', String(left.row.domid)]);
  } catch {
    // Best effort: the next snapshot shows what is left, and the caller has the create's error.
  }
}

export function start(core: XlCore, name: string, opts: StartOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, opts.paused ? 'start_paused' : 'start');
    const def = await ensureDef(core, cur);
    await core.withInflight(cur.name, 'starting', () => createFrom(core, def.config, !!opts.paused, opts));
    cur.added = await listedRow(core, def.config.name, def.config.uuid);
    await setExpected(core, cur, opts.paused ? 'paused' : 'running', { running: runningOf(def.config) }, opts.paused ? 'paused' : 'running');
  });
}

export function shutdown(core: XlCore, name: string, opts: OperationOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'shutdown');
    const ack = core.runOptions(opts); // the guest's deadline (deadlines.ts)
    await withoutPvControl(core.xl(['shutdown', liveName(cur)], ack), () =>
      // An HVM guest without PV drivers: press its ACPI power button; the guest's OS powers off.
      core.xl(['shutdown', '-F', liveName(cur)], ack));
    await setExpected(core, cur, 'stopped');
  });
}

export function destroy(core: XlCore, name: string, opts: OperationOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'destroy');
    if (cur.view) await core.xl(['destroy', liveName(cur)], core.runOptions(opts));
    else if (cur.def?.savedImage) await unlink(cur.def.savedImage).catch(() => {});
    await setExpected(core, cur, 'stopped', {}, 'defined');
  });
}

export function reboot(core: XlCore, name: string, opts: OperationOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'reboot');
    // The guest comes back with a new domid; we follow it by uuid.
    const ack = core.runOptions(opts); // the guest's deadline (deadlines.ts)
    let viaPvControl = true;
    // -w: xl returns once the old domain is gone, so the change ends with the router back
    // (DSP1057: Reboot ends Enabled), not while it is still going down: a save or a pause asked
    // for right after would otherwise meet the dying domain.
    await withoutPvControl(core.xl(['reboot', '-w', liveName(cur)], ack), async () => {
      viaPvControl = false;
      // No PV drivers, and Xen cannot send an HVM guest the ACPI reset (`xl reboot -F` fails):
      // a clean power-off by the ACPI power button, waited for, then a start of the same definition.
      await ensureDef(core, cur);
      const config = cur.system.config;
      await core.withInflight(cur.name, 'rebooting', async () => {
        await core.xl(['shutdown', '-F', '-w', liveName(cur)], ack);
        // on_poweroff = restart brings it back by itself.
        if (!(await core.cache.fresh()).byUuid.get(config.uuid)) {
          try {
            await createFrom(core, config, false, opts);
          } catch (err) {
            await core.store.patch(cur.name, { config, expected: 'stopped', ...reached('defined') });
            const e = err as VirtError;
            throw new VirtError(e.kind ?? 'failed', `'${name}' was shut down to reboot it but could not be started again: ${e.message}`, e.detail);
          }
        }
      });
      await core.store.patch(cur.name, { config, expected: 'running', vanished: false, running: runningOf(config), ...reached('running') });
    });
    if (viaPvControl) {
      const rebuilt = await rebuiltAfterReboot(core, cur.system.uuid, cur.view?.row.domid, opts.signal);
      // xl's monitor built the new domain from libxl's record, whose vif rates are those the
      // interfaces were plugged with: a rate changed live since (xenstore.ts) is set again.
      if (rebuilt) await reapplyRates(core, rebuilt.name, cur.system.config.nics, rebuilt.domid);
    }
  });
}

/**
 * A domain restored with its image's own configuration has the name it was saved under: one
 * renamed while suspended is renamed after (best effort: the next start-up follows xl's name).
 */
async function followName(core: XlCore, config: VirtualSystemConfig): Promise<void> {
  try {
    const v = (await core.cache.fresh()).byUuid.get(config.uuid);
    if (v && v.row.name !== config.name) await core.xl(['rename', validName(v.row.name), validName(config.name)]);
  } catch (e) {
    core.log('warn', `restored '${config.name}' but could not give it its current name: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** How long the domain xl's monitor builds again after a reboot may take to show. */
const REBUILD_WAIT_MS = 10_000;
const REBUILD_POLL_MS = 50;

/**
 * After `xl reboot -w` the old domain is gone and xl's monitor builds the new one (on_reboot =
 * restart): wait until the picture shows it (the same uuid under another domid), and return its
 * row. A domain whose on_reboot policy does not bring it back is not waited for past REBUILD_WAIT_MS.
 */
async function rebuiltAfterReboot(core: XlCore, uuid: string, oldDomid: number | undefined, signal?: AbortSignal): Promise<ListRow | undefined> {
  const until = Date.now() + REBUILD_WAIT_MS;
  for (;;) {
    const v = (await core.cache.fresh()).byUuid.get(uuid);
    if (v && v.row.domid !== oldDomid) return v.row;
    if (Date.now() > until || signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, REBUILD_POLL_MS));
  }
}

export function reset(core: XlCore, name: string, opts: OperationOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'reset');
    await ensureDef(core, cur);
    const config = cur.system.config;
    await core.withInflight(cur.name, 'rebooting', async () => {
      await core.xl(['destroy', liveName(cur)], core.runOptions(opts));
      try {
        await createFrom(core, config, false, opts);
      } catch (err) {
        await core.store.patch(cur.name, { config, expected: 'stopped', ...reached('defined') });
        const e = err as VirtError;
        throw new VirtError(e.kind ?? 'failed', `'${name}' was powered off but could not be started again: ${e.message}`, e.detail);
      }
    });
    await core.store.patch(cur.name, { config, expected: 'running', vanished: false, running: runningOf(config), ...reached('running') });
  });
}

export function pause(core: XlCore, name: string, opts: OperationOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'pause');
    await core.xl(['pause', liveName(cur)], core.runOptions(opts));
    cur.confirmed = (row) => withPaused(row, true);
    await setExpected(core, cur, 'paused', {}, 'paused');
  });
}

export function unpause(core: XlCore, name: string, opts: OperationOptions = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'unpause');
    await core.xl(['unpause', liveName(cur)], core.runOptions(opts));
    cur.confirmed = (row) => withPaused(row, false);
    await setExpected(core, cur, 'running', {}, 'running');
  });
}

export function save(core: XlCore, name: string, opts: OperationOptions & { progress?: (fraction: number) => void } = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, 'save');
    await ensureDef(core, cur);
    const image = join(core.saveDir, `${cur.name}.save`);
    await core.withInflight(cur.name, 'suspending', async () => {
      try {
        // The image's size against the memory is the progress (image-progress.ts).
        const run = () => core.xl(['save', liveName(cur), image], core.runOptions(opts));
        await (opts.progress ? watchBytes(image, cur.system.config.memoryMiB * 1024 * 1024, opts.progress, run) : run());
      } catch (err) {
        await unlink(image).catch(() => {}); // a partial image is useless
        await failSave(core, cur, err); // a guest the cut left suspended is powered off
      }
    });
    await setExpected(core, cur, 'suspended', { savedImage: image, config: cur.system.config }, 'suspended');
  });
}

export function restore(core: XlCore, name: string, opts: OperationOptions & { paused?: boolean; progress?: (fraction: number) => void } = {}): Promise<void> {
  return change(core, name, async (cur) => {
    check(cur, opts.paused ? 'restore_paused' : 'restore');
    const image = cur.def?.savedImage;
    if (!image || !(await access(image).then(() => true, () => false))) {
      throw new VirtError('not_found', `the saved image of '${name}' is missing`);
    }
    // A system of ours is restored from its definition (xl restore <cfg> <image>): renamed or given
    // other devices while suspended, it comes back as the definition says, and its domain was
    // built from the same cfg writing, so the image's device state fits. An adopted one may hold
    // settings the cfg writing leaves out (an HVM guest's video memory...), which its device state
    // needs: it is restored with the image's own configuration, then given its current name.
    const config = cur.system.config;
    const fromDefinition = cur.def?.origin !== 'adopted';
    const cfgArgs: string[] = [];
    if (fromDefinition) cfgArgs.push(await placeCfg(core, config));
    // The bytes xl has read of the image are the progress (image-progress.ts).
    await core.withInflight(cur.name, 'resuming', () => whileReading(image, opts.progress, (onSpawn) =>
      core.xl(['restore', ...(opts.paused ? ['-p'] : []), ...cfgArgs, image], { ...core.runOptions(opts), ...(onSpawn ? { onSpawn } : {}) })));
    cur.added = await listedRow(core, config.name, config.uuid);
    if (!cur.added && !fromDefinition) {
      await followName(core, config);
      cur.added = await listedRow(core, config.name, config.uuid);
    }
    // From the definition's cfg, xl plugged the vifs at the definition's rates (a live change is
    // kept in it); from the image's own configuration, at the rates of the save: set again.
    if (!fromDefinition) await reapplyRates(core, validName(config.name), config.nics, cur.added?.domid);
    // Built from the definition's cfg, it runs with the definition's settings (a weight changed while suspended).
    await setExpected(core, cur, opts.paused ? 'paused' : 'running', fromDefinition ? { running: runningOf(config) } : {}, opts.paused ? 'paused' : 'running');
    // Restored: an old image must never be restored again over newer disk contents.
    await unlink(image).catch(() => {});
  });
}
