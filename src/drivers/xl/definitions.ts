/**
 * Definitions: define (no xl call), undefine, rename (`xl rename` while a domain exists, then the
 * definition moves) and the requested state kept with the definition.
 */
import { randomUUID } from 'node:crypto';
import { link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtError } from '../../virt/errors.js';
import { normalizeSpec } from '../../virt/spec.js';
import { TRANSITIONAL_STATES, isActive, type TargetState } from '../../virt/states.js';
import type { VirtualSystem, VirtualSystemConfig, VirtualSystemSpec } from '../../virt/types.js';
import { writeCfg } from './cfg-writer.js';
import { change, ensureDef, liveName, reached } from './change.js';
import { checkPaths } from './paths.js';
import type { XlCore } from './core.js';
import type { DefinitionFields } from './definition-types.js';
import { generateMac } from './live-config.js';
import { arrivingConflict } from './migrate.js';
import { validMac, validName, validUuid } from './validate.js';
import { resolve, toSystem } from './view.js';

export async function define(core: XlCore, spec: VirtualSystemSpec): Promise<VirtualSystem> {
  const n = normalizeSpec(spec);
  validName(n.name);
  const config: VirtualSystemConfig = {
    ...n,
    uuid: n.uuid ? validUuid(n.uuid) : randomUUID(),
    nics: n.nics.map((nic) => ({ ...nic, mac: validMac(nic.mac ?? generateMac()) })),
  };
  writeCfg(config); // validates every value that will ever reach xl
  await checkPaths(core.paths, config.boot, config.disks);
  const leave = core.enter([config.name]);
  try {
    // The picture: only a domain created outside us within the last refresh interval could be missed, and
    // xl itself refuses to create a second domain of that name.
    const snap = await core.cache.get();
    if (core.store.get(config.name) || snap.byName.has(config.name)) {
      throw new VirtError('conflict', `a virtual system named '${config.name}' already exists`);
    }
    const other = core.store.findByUuid(config.uuid)?.config.name ?? snap.byUuid.get(config.uuid)?.row.name;
    if (other !== undefined) throw new VirtError('conflict', `UUID ${config.uuid} is already used by '${other}'`);
    const arriving = arrivingConflict(core, config.name, config.uuid);
    if (arriving) throw arriving;
    const def = await core.store.put({ config, origin: 'defined', expected: 'stopped', ...reached('defined') });
    return toSystem(core, config.name, def, undefined);
  } finally {
    leave();
  }
}

export function undefine(core: XlCore, name: string): Promise<void> {
  return change(core, name, async (cur) => {
    if (cur.view || isActive(cur.system.state)) {
      throw new VirtError('invalid_state', `'${name}' is ${cur.system.state}; stop it before deleting its definition`);
    }
    if (cur.def?.savedImage) await unlink(cur.def.savedImage).catch(() => {});
    await unlink(join(core.cfgDir, `${cur.name}.cfg`)).catch(() => {});
    await core.store.remove(cur.name);
  });
}

export function setRequestedState(core: XlCore, name: string, target: TargetState | undefined): Promise<void> {
  return change(core, name, async (cur) => {
    await ensureDef(core, cur);
    await core.store.patch(cur.name, { requested: target });
  });
}

/**
 * Rename: `xl rename` while a domain exists, then the definition moves (new file first, then the
 * old one removed: store.move; reconcile copes with a crash in between). A saved image is linked
 * under the new name before the definition points at it. If storing fails after xl renamed the
 * domain, the domain is renamed back. The caller holds the locks of both names.
 */
export async function rename(core: XlCore, name: string, newName: string): Promise<VirtualSystem> {
  const from = validName(name);
  const to = validName(newName);
  if (from === to) return resolve(core, from, await core.cache.get()).system;
  const leave = core.enter([from, to]);
  try {
    const snap = await core.cache.get();
    const cur = resolve(core, from, snap);
    try {
      const state = cur.system.state;
      if (TRANSITIONAL_STATES.includes(state)) throw new VirtError('busy', `'${from}' is ${state}`);
      const taken = snap.byName.get(to);
      if (core.store.get(to) || (taken && taken !== cur.view)) {
        throw new VirtError('conflict', `a virtual system named '${to}' already exists`);
      }
      const arriving = arrivingConflict(core, to);
      if (arriving) throw arriving;
      const def = await ensureDef(core, cur);
      const live = cur.view ? liveName(cur) : undefined;
      if (live !== undefined) await core.xl(['rename', live, to]);
      let image: string | undefined;
      try {
        if (def.savedImage) {
          image = join(core.saveDir, `${to}.save`);
          await unlink(image).catch(() => {}); // a stale file of an earlier system of that name
          await link(def.savedImage, image);
        }
        const latest = core.store.get(from) ?? def;
        const next: DefinitionFields = { ...latest, config: { ...latest.config, name: to } };
        if (image) next.savedImage = image;
        await core.store.move(from, next);
      } catch (err) {
        if (!core.store.get(to)) {
          if (image) await unlink(image).catch(() => {});
          if (live !== undefined) await core.xl(['rename', to, live]).catch(() => {});
        }
        throw err;
      }
      if (def.savedImage) await unlink(def.savedImage).catch(() => {});
      await unlink(join(core.cfgDir, `${from}.cfg`)).catch(() => {});
    } finally {
      core.cache.invalidate();
    }
  } finally {
    leave();
  }
  return resolve(core, to, await core.cache.get()).system;
}
