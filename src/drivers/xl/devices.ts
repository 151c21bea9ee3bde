/**
 * Disks and network interfaces: hot-plugged into the running domain when there is one
 * (`block-attach`, `network-attach`...), always stored in the definition. A vif's rate is changed
 * live through xenstore (xenstore.ts), never by unplugging the interface. When the definition
 * cannot be stored after xl changed the running domain, xl's change is undone: the call fails
 * with the domain as its definition still describes it.
 */
import { VirtError } from '../../virt/errors.js';
import { normalizeDisk, normalizeNic } from '../../virt/spec.js';
import type { OperationOptions } from '../../virt/driver.js';
import type { DiskSpec, NicSpec, Rate } from '../../virt/types.js';
import { diskSpec, vifItems } from './cfg-writer.js';
import { change, ensureDef, liveName } from './change.js';
import type { Current } from './view.js';
import { checkPaths } from './paths.js';
import type { XlCore } from './core.js';
import { generateMac } from './live-config.js';
import type { StoredDefinition } from './definition-types.js';
import type { Snapshot } from './picture.js';
import { validMac, validName, validVdev } from './validate.js';
import { rateValue, setLiveRate } from './xenstore.js';

type Nic = NicSpec & { mac: string };

/**
 * Stores the definition after xl changed the running domain (`undo` set). When storing fails, xl's
 * change is undone (without the caller's cancel signal: it must run) so that the domain keeps
 * matching the definition it still has; an undo that fails too is logged, the store's error thrown.
 */
async function storeOrUndo(core: XlCore, store: () => Promise<unknown>, undo: (() => Promise<unknown>) | undefined, what: string): Promise<void> {
  try {
    await store();
  } catch (err) {
    if (undo) {
      await undo().catch((e: unknown) =>
        core.log('warn', `${what} stays so although its definition could not be stored: ${e instanceof Error ? e.message : String(e)}`));
    }
    throw err;
  }
}

/**
 * The device a change acts on (not_found when the system has none), with the definition stored
 * and the running domain's name when there is one.
 */
async function deviceOf<T>(core: XlCore, cur: Current, found: T | undefined, what: string): Promise<{ old: T; live: string | undefined }> {
  if (!found) throw new VirtError('not_found', `'${cur.name}' has no ${what}`);
  await ensureDef(core, cur);
  return { old: found, live: cur.view ? liveName(cur) : undefined };
}

export async function attachDisk(core: XlCore, name: string, disk: DiskSpec, opts: OperationOptions = {}): Promise<DiskSpec> {
  const d: DiskSpec = normalizeDisk({ ...disk, vdev: validVdev(disk?.vdev) });
  const spec = diskSpec(d);
  await checkPaths(core.paths, undefined, [d]);
  await change(core, name, async (cur) => {
    const disks = cur.system.config.disks;
    if (disks.some((x) => x.vdev === d.vdev)) throw new VirtError('conflict', `'${name}' already has a disk ${d.vdev}`);
    await ensureDef(core, cur);
    const live = cur.view ? liveName(cur) : undefined;
    if (live !== undefined) await core.xl(['block-attach', live, spec], core.runOptions(opts));
    await storeOrUndo(core, () => core.store.patch(cur.name, { config: { ...cur.system.config, disks: [...disks, d] } }),
      live === undefined ? undefined : () => core.xl(['block-detach', live, d.vdev]), `disk ${d.vdev} plugged into '${live}'`);
  });
  return d;
}

export async function detachDisk(core: XlCore, name: string, vdev: string, opts: OperationOptions = {}): Promise<void> {
  const v = validVdev(vdev);
  await change(core, name, async (cur) => {
    const disks = cur.system.config.disks;
    const { old, live } = await deviceOf(core, cur, disks.find((x) => x.vdev === v), `disk ${v}`);
    if (live !== undefined) await core.xl(['block-detach', live, v], core.runOptions(opts));
    await storeOrUndo(core, () => core.store.patch(cur.name, { config: { ...cur.system.config, disks: disks.filter((x) => x.vdev !== v) } }),
      live === undefined ? undefined : () => core.xl(['block-attach', live, diskSpec(old)]), `disk ${v} unplugged from '${live}'`);
  });
}

/**
 * Replaces a disk (same vdev). On a running domain the old disk is stored as being replaced,
 * then xl unplugs it and plugs the new one, then the definition takes the new one: a crash
 * between the two xl calls never leaves a definition without the disk (settleReplacing).
 */
export async function replaceDisk(core: XlCore, name: string, vdev: string, disk: DiskSpec, opts: OperationOptions = {}): Promise<DiskSpec> {
  const v = validVdev(vdev);
  const d: DiskSpec = normalizeDisk({ ...disk, vdev: v });
  const spec = diskSpec(d);
  await checkPaths(core.paths, undefined, [d]);
  await change(core, name, async (cur) => {
    const disks = cur.system.config.disks;
    const { old, live } = await deviceOf(core, cur, disks.find((x) => x.vdev === v), `disk ${v}`);
    const plugOld = live === undefined ? undefined : () => core.xl(['block-attach', live, diskSpec(old)]);
    if (live !== undefined) {
      await replug(core, cur.name, { disk: old }, () => core.xl(['block-detach', live, v], core.runOptions(opts)),
        () => core.xl(['block-attach', live, spec], core.runOptions(opts)), plugOld!, `disk ${v} of '${live}'`);
    }
    await storeOrUndo(core, () => core.store.patch(cur.name, { config: { ...cur.system.config, disks: disks.map((x) => (x.vdev === v ? d : x)) }, replacing: undefined }),
      live === undefined ? undefined : async () => { await core.xl(['block-detach', live, v]); await plugOld!(); }, `disk ${v} replaced in '${live}'`);
  });
  return d;
}

/**
 * The running domain's half of a replacement: the old device recorded, unplugged, the new one
 * plugged; a failure plugs the old one back and clears the record before it is rethrown.
 */
async function replug(
  core: XlCore, name: string, replacing: NonNullable<StoredDefinition['replacing']>,
  unplug: () => Promise<unknown>, plug: () => Promise<unknown>, plugOld: () => Promise<unknown>, what: string,
): Promise<void> {
  await core.store.patch(name, { replacing });
  try {
    await unplug();
    try {
      await plug();
    } catch (err) {
      await plugOld().catch((e: unknown) => core.log('warn', `${what} stays unplugged: ${e instanceof Error ? e.message : String(e)}`));
      throw err;
    }
  } catch (err) {
    await core.store.patch(name, { replacing: undefined }).catch(() => {});
    throw err;
  }
}

export async function attachInterface(core: XlCore, name: string, nic: NicSpec, opts: OperationOptions = {}): Promise<Nic> {
  const n = normalizeNic(nic);
  const full: Nic = { ...n, mac: validMac(n.mac ?? generateMac()) };
  const items = vifItems(full);
  await change(core, name, async (cur) => {
    const nics = cur.system.config.nics;
    if (nics.some((x) => x.mac === full.mac)) throw new VirtError('conflict', `'${name}' already has an interface ${full.mac}`);
    await ensureDef(core, cur);
    const live = cur.view ? liveName(cur) : undefined;
    if (live !== undefined) await core.xl(['network-attach', live, ...items], core.runOptions(opts));
    await storeOrUndo(core, () => core.store.patch(cur.name, { config: { ...cur.system.config, nics: [...nics, full] } }),
      live === undefined ? undefined : () => core.xl(['network-detach', live, full.mac]), `interface ${full.mac} plugged into '${live}'`);
  });
  return full;
}

export async function detachInterface(core: XlCore, name: string, mac: string, opts: OperationOptions = {}): Promise<void> {
  const m = validMac(mac);
  await change(core, name, async (cur) => {
    const nics = cur.system.config.nics;
    const { old, live } = await deviceOf(core, cur, nics.find((x) => x.mac === m), `interface ${m}`);
    if (live !== undefined) await core.xl(['network-detach', live, m], core.runOptions(opts));
    await storeOrUndo(core, () => core.store.patch(cur.name, { config: { ...cur.system.config, nics: nics.filter((x) => x.mac !== m) } }),
      live === undefined ? undefined : () => core.xl(['network-attach', live, ...vifItems(old)]), `interface ${m} unplugged from '${live}'`);
  });
}

/** Replaces an interface (same MAC), as replaceDisk replaces a disk. */
export async function replaceInterface(core: XlCore, name: string, mac: string, nic: NicSpec, opts: OperationOptions = {}): Promise<Nic> {
  const m = validMac(mac);
  const full: Nic = { ...normalizeNic(nic), mac: m };
  const items = vifItems(full);
  await change(core, name, async (cur) => {
    const nics = cur.system.config.nics;
    const { old, live } = await deviceOf(core, cur, nics.find((x) => x.mac === m), `interface ${m}`);
    const plugOld = live === undefined ? undefined : () => core.xl(['network-attach', live, ...vifItems(old)]);
    if (live !== undefined) {
      await replug(core, cur.name, { nic: old }, () => core.xl(['network-detach', live, m], core.runOptions(opts)),
        () => core.xl(['network-attach', live, ...items], core.runOptions(opts)), plugOld!, `interface ${m} of '${live}'`);
    }
    await storeOrUndo(core, () => core.store.patch(cur.name, { config: { ...cur.system.config, nics: nics.map((x) => (x.mac === m ? full : x)) }, replacing: undefined }),
      live === undefined ? undefined : async () => { await core.xl(['network-detach', live, m]); await plugOld!(); }, `interface ${m} replaced in '${live}'`);
  });
  return full;
}

/**
 * Start-up, after reconcile: a replacement a crash cut between its two xl calls left its record.
 * reconcile kept the old device in the definition; a domain that lacks it gets it plugged back
 * (the replacement failed as a whole); one that has a device there keeps it. Then the record goes.
 */
export async function settleReplacing(core: XlCore, snap: Snapshot): Promise<void> {
  let plugged = false;
  for (const def of core.store.list()) {
    const r = def.replacing;
    if (!r) continue;
    const view = snap.byUuid.get(def.config.uuid);
    try {
      if (view?.config) {
        const live = validName(view.row.name);
        if ('disk' in r && !view.config.disks.some((x) => x.vdev === r.disk.vdev)) {
          plugged = true;
          await core.xl(['block-attach', live, diskSpec(r.disk)]);
        }
        if ('nic' in r && !view.config.nics.some((x) => x.mac?.toLowerCase() === r.nic.mac)) {
          plugged = true;
          await core.xl(['network-attach', live, ...vifItems(r.nic)]);
        }
      }
      await core.store.patch(def.config.name, { replacing: undefined });
    } catch (err) {
      core.log('warn', `'${def.config.name}': a device replacement cut short could not be settled: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (plugged) core.cache.invalidate();
}

/**
 * A rate change never unplugs the interface: on a running domain the new value goes to the vif's
 * xenstore `rate` key, which netback applies at once (xenstore.ts); the definition keeps it for
 * the next start. A stopped or saved system only has its definition changed.
 */
export async function setInterfaceRate(core: XlCore, name: string, mac: string, rate: Rate | null): Promise<void> {
  const m = validMac(mac);
  await change(core, name, async (cur) => {
    const nics = cur.system.config.nics;
    const old = nics.find((x) => x.mac === m);
    if (!old) throw new VirtError('not_found', `'${name}' has no interface ${m}`);
    const updated = normalizeNic({ ...old, ...(rate ? { rate } : {}) }) as Nic;
    if (!rate) delete updated.rate;
    vifItems(updated); // every value checked before anything changes
    if (updated.rate) rateValue(updated.rate);
    await ensureDef(core, cur);
    const domid = cur.view?.row.domid;
    if (domid !== undefined) await setLiveRate(core, core.xenstore, domid, m, updated.rate ?? null);
    try {
      await core.store.patch(cur.name, { config: { ...cur.system.config, nics: nics.map((x) => (x.mac === m ? updated : x)) } });
    } catch (e) {
      // Not recorded: the running interface goes back to the rate its definition still has.
      if (domid !== undefined) await setLiveRate(core, core.xenstore, domid, m, old.rate ?? null).catch(() => {});
      throw e;
    }
  });
}
