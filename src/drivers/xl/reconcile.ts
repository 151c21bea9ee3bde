/**
 * Start-up reconcile: the definition store against one fresh snapshot (with every
 * domain's configuration, `xl list -l`).
 * - running domains we did not define are adopted (their live config becomes their definition);
 * - stored systems that run get what changed behind our back folded into their definition
 *   (after start-up, reads take configurations from the store and only `xl list -v` from xl);
 * - stored systems expected to run that xl no longer shows are marked vanished;
 * - a definition stored twice with one UUID (a rename cut short) is kept once, and a stored system
 *   xl runs under another name is renamed to it;
 * - Domain-0 is the host, never a virtual system; transient and unaddressable names are ignored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { VirtualSystemConfig } from '../../virt/types.js';
import type { DefinitionStore } from './definition-store.js';
import { type DefinitionFields, type ExpectedState, type StoredDefinition, runningOf } from './definition-types.js';
import { configFromLive, foldLive, liveSettings } from './live-config.js';
import type { DomainView, Snapshot } from './picture.js';
import { isTransientName } from './xl-state.js';
import { validName } from './validate.js';
import { access, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingRecord, OutgoingRecord, RecordDir } from './migration-records.js';

/** The migration records (migration-records.ts) start-up and adoption consult. */
export interface MigrationRecords {
  incoming: RecordDir<IncomingRecord>;
  outgoing: RecordDir<OutgoingRecord>;
}

export interface ReconcileResult {
  adopted: string[];
  vanished: string[];
  ignored: string[];
  /** Definitions removed because another one of the same UUID was kept (a rename cut short). */
  duplicates: string[];
  /** Stored systems moved to the name xl runs them under: `old -> new`. */
  renamed: string[];
  /** Systems a migration of ours moved to another host while we were away: their definitions went with them. */
  moved: string[];
  /** Saved systems whose image was restored while we were away: they run, the stale image is gone. */
  restored: string[];
  /** Running systems our `xl save` saved to the end while we were away: suspended with that image. */
  saved: string[];
}

/** The version written last first: by sequence number (the clock may have been stepped back since), then time. */
function newestFirst(a: StoredDefinition, b: StoredDefinition): number {
  return (b.seq ?? 0) - (a.seq ?? 0) || b.updatedAt.localeCompare(a.updatedAt) || a.config.name.localeCompare(b.config.name);
}

/**
 * One definition per UUID. A rename writes the new file before removing the old one, so a crash in
 * between leaves two: keep the one whose name xl runs the domain under, else the newest (the rename's).
 * A saved image the dropped one names under another path (the rename links the image under the
 * new name first) goes with it: the kept definition's link holds the same image.
 */
async function dropDuplicates(store: DefinitionStore, snap: Snapshot, result: ReconcileResult): Promise<void> {
  for (const group of store.duplicateGroups()) {
    const live = snap.byUuid.get(group[0]!.config.uuid);
    const keep = group.find((d) => live !== undefined && d.config.name === live.row.name) ?? [...group].sort(newestFirst)[0]!;
    for (const d of group) {
      if (d === keep) continue;
      await store.remove(d.config.name);
      if (d.savedImage && keep.savedImage && d.savedImage !== keep.savedImage) await unlink(d.savedImage).catch(() => {});
      result.duplicates.push(`${d.config.name} (UUID ${d.config.uuid} is stored as '${keep.config.name}', ${live ? 'the name xl runs it under' : 'the newer definition'})`);
    }
  }
}

/** A stored system xl runs under another name (`xl rename` behind our back, or our rename cut short) follows xl. */
async function followLiveNames(store: DefinitionStore, snap: Snapshot, result: ReconcileResult): Promise<void> {
  for (const def of store.list()) {
    const live = snap.byUuid.get(def.config.uuid);
    if (!live || live.row.name === def.config.name || unadoptableReason(live) || store.get(live.row.name)) continue;
    await store.move(def.config.name, { ...def, config: { ...def.config, name: live.row.name } });
    result.renamed.push(`${def.config.name} -> ${live.row.name}`);
  }
}

/** Can this domain be a virtual system of ours? (Reason string when not.) */
export function unadoptableReason(view: DomainView): string | undefined {
  if (view.row.domid === 0) return 'host';
  if (isTransientName(view.row.name)) return 'transient';
  try {
    validName(view.row.name);
  } catch {
    return 'name cannot be addressed safely';
  }
  if (!view.config?.uuid) return 'no configuration';
  return undefined;
}

export function expectedFromFlags(view: DomainView): ExpectedState {
  return view.row.flags.paused ? 'paused' : 'running';
}

/**
 * The definition a domain we do not know yet is adopted with, or undefined (known, or not
 * adoptable): the one its sender handed over when it arrives by migration, else its live configuration.
 */
export function adoptionOf(
  store: DefinitionStore, view: DomainView, incoming?: RecordDir<IncomingRecord>,
): Omit<StoredDefinition, 'version' | 'updatedAt'> | undefined {
  if (unadoptableReason(view)) return undefined;
  const uuid = view.config!.uuid!;
  if (store.findByUuid(uuid) || store.get(view.row.name)) return undefined;
  const handed = incoming?.get(uuid);
  if (handed && handed.config.name === view.row.name) {
    const config = handed.config;
    return {
      config, origin: 'defined', expected: expectedFromFlags(view), running: runningOf(config),
      ...(handed.requested ? { requested: handed.requested } : {}),
    };
  }
  const config = configFromLive(view.config!, view.row, uuid);
  return { config, origin: 'adopted', expected: expectedFromFlags(view), running: runningOf(config) };
}

/**
 * Whether a definition still describes a system a migration of ours could have moved: one we
 * expect to run. A change of ours since (shutdown, destroy, save) expects it stopped or saved, so
 * its domain gone is that change's outcome, not a move: the definition must stay.
 */
export function movable(def: StoredDefinition): boolean {
  return (def.expected === 'running' || def.expected === 'paused') && !def.savedImage;
}

/**
 * A migration of ours was under way when the server stopped: a domain no longer here has moved
 * (xl destroys the sender's copy only once the destination runs it), so its definition goes; one
 * still here stays, its record kept until the deadline of the `xl migrate` that may still run.
 */
async function settleOutgoing(store: DefinitionStore, snap: Snapshot, records: RecordDir<OutgoingRecord>, result: ReconcileResult): Promise<void> {
  for (const [uuid, rec] of records.all()) {
    const def = store.findByUuid(uuid);
    if (!snap.byUuid.has(uuid)) {
      if (def && movable(def)) {
        await store.remove(def.config.name);
        result.moved.push(`${def.config.name} -> ${rec.destination}`);
      }
      await records.remove(uuid);
    } else if (rec.expiresAt <= Date.now()) await records.remove(uuid);
  }
}

/**
 * A device whose replacement a crash cut short (its record left, devices.ts) stays in the
 * definition although the domain lacks it now: settleReplacing plugs it back after reconcile.
 */
function keepReplaced(folded: VirtualSystemConfig, def: StoredDefinition): VirtualSystemConfig {
  const r = def.replacing;
  if (!r) return folded;
  if ('disk' in r && !folded.disks.some((d) => d.vdev === r.disk.vdev)) return { ...folded, disks: [...folded.disks, r.disk] };
  if ('nic' in r && !folded.nics.some((n) => n.mac === r.nic.mac)) return { ...folded, nics: [...folded.nics, r.nic] };
  return folded;
}

/**
 * A saved image whose system runs again: `xl save` destroyed the domain, so one of its UUID has been
 * restored since (our restore went on after a crash of the server, or someone restored it by hand)
 * and the image is stale. Kept, it would show the system suspended once the domain stops, and a
 * restore would roll the guest back over newer disk contents. The definition follows the domain;
 * the image goes once that is stored (as after a restore of ours).
 */
async function dropRestoredImages(store: DefinitionStore, snap: Snapshot, result: ReconcileResult): Promise<void> {
  const restored: StoredDefinition[] = [];
  for (const def of store.list()) {
    const live = snap.byUuid.get(def.config.uuid);
    if (def.savedImage && live && !isTransientName(live.row.name)) restored.push(def);
  }
  const next = restored.map((def): DefinitionFields => {
    const { savedImage: _stale, ...rest } = def;
    const state = snap.byUuid.get(def.config.uuid)!.row.flags.paused ? 'paused' : 'running';
    return { ...rest, expected: state, vanished: false, lastState: state, stateChangedAt: new Date().toISOString() };
  });
  await store.putMany(next);
  for (const def of restored) {
    await unlink(def.savedImage!).catch(() => {});
    result.restored.push(def.config.name);
  }
}

/**
 * The image a save of `def` left at its path in `saveDir` (lifecycle.ts names it so) when our
 * `xl save` went on to the end after the server was killed: xl destroys the domain only once the
 * image is complete, and a save that failed resumes the domain instead. An image not written
 * since the definition last changed is some older one's, not taken.
 */
async function imageLeftBySave(saveDir: string | undefined, def: StoredDefinition): Promise<string | undefined> {
  if (!saveDir) return undefined;
  const image = join(saveDir, `${def.config.name}.save`);
  const st = await stat(image).catch(() => undefined);
  return st?.isFile() && st.size > 0 && st.mtimeMs >= Date.parse(def.updatedAt) ? image : undefined;
}

export async function reconcile(
  store: DefinitionStore, snap: Snapshot, migrations?: MigrationRecords, opts: { saveDir?: string } = {},
): Promise<ReconcileResult> {
  const result: ReconcileResult = { adopted: [], vanished: [], ignored: [], duplicates: [], renamed: [], moved: [], restored: [], saved: [] };
  await dropDuplicates(store, snap, result);
  await followLiveNames(store, snap, result);
  await dropRestoredImages(store, snap, result);
  if (migrations) await settleOutgoing(store, snap, migrations.outgoing, result);
  // Each pass writes its definitions in one batch (one directory fsync): adopting 10,000 domains
  // one file at a time costs two fsyncs each.
  const adopt: DefinitionFields[] = [];
  const seen = new Set<string>();
  for (const view of snap.domains) {
    const why = unadoptableReason(view);
    if (why) {
      if (why !== 'host' && why !== 'transient') result.ignored.push(view.row.name);
      continue;
    }
    const def = adoptionOf(store, view, migrations?.incoming);
    // Two domains of one name or uuid (a reboot in progress): the first is adopted, as one at a time would.
    if (!def || seen.has(def.config.name) || seen.has(def.config.uuid)) continue;
    seen.add(def.config.name).add(def.config.uuid);
    adopt.push(def);
    result.adopted.push(view.row.name);
  }
  await store.putMany(adopt);
  if (migrations) {
    for (const d of adopt) await migrations.incoming.remove(d.config.uuid);
    for (const [uuid, rec] of migrations.incoming.all()) if (rec.expiresAt <= Date.now()) await migrations.incoming.remove(uuid);
  }
  const folds: DefinitionFields[] = [];
  for (const def of store.list()) {
    const live = snap.byUuid.get(def.config.uuid);
    if (live?.config) {
      const folded = keepReplaced(foldLive(def.config, live.config, live.row, def.running), def);
      const running = liveSettings(live.config, live.row, folded);
      if (!isDeepStrictEqual(folded, def.config) || !isDeepStrictEqual(running, def.running)) folds.push({ ...def, config: folded, running });
    }
  }
  await store.putMany(folds);
  const marks: DefinitionFields[] = [];
  for (const def of store.list()) {
    const present = snap.byUuid.has(def.config.uuid);
    let lost = false;
    if ((def.expected === 'running' || def.expected === 'paused') && !present) {
      const image = def.savedImage ? undefined : await imageLeftBySave(opts.saveDir, def);
      if (image) {
        marks.push({ ...def, expected: 'suspended', savedImage: image, vanished: false, lastState: 'suspended', stateChangedAt: new Date().toISOString() });
        result.saved.push(def.config.name);
        continue;
      }
      lost = true;
    }
    if (def.expected === 'suspended' && def.savedImage) {
      lost = await access(def.savedImage).then(() => false, () => true);
    }
    if (lost !== !!def.vanished) {
      // Lost while we were away: noticed now (the time of the loss itself is unknown).
      const noticed = lost ? { lastState: def.savedImage ? 'suspended' as const : 'defined' as const, stateChangedAt: new Date().toISOString() } : {};
      marks.push({ ...def, vanished: lost, ...noticed });
    }
    if (lost) result.vanished.push(def.config.name);
  }
  await store.putMany(marks);
  return result;
}
