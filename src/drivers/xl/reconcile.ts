/**
 * Start-up reconcile (DESIGN §3.4): the definition store against one fresh snapshot (with every
 * domain's configuration, `xl list -l`).
 * - running domains we did not define are adopted (their live config becomes their definition);
 * - stored systems that run get what changed behind our back folded into their definition
 *   (after start-up, reads take configurations from the store and only `xl list -v` from xl);
 * - stored systems expected to run that xl no longer shows are marked vanished;
 * - Domain-0 is the host, never a virtual system; transient and unaddressable names are ignored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DefinitionStore, ExpectedState, StoredDefinition } from './definition-store.js';
import { configFromLive, foldLive } from './live-config.js';
import type { DomainView, Snapshot } from './snapshot.js';
import { isTransientName } from './xl-state.js';
import { validName } from './validate.js';
import { access } from 'node:fs/promises';

export interface ReconcileResult {
  adopted: string[];
  vanished: string[];
  ignored: string[];
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

/** The definition a domain we do not know yet is adopted with, or undefined (known, or not adoptable). */
export function adoptionOf(store: DefinitionStore, view: DomainView): Omit<StoredDefinition, 'version' | 'updatedAt'> | undefined {
  if (unadoptableReason(view)) return undefined;
  const uuid = view.config!.uuid!;
  if (store.findByUuid(uuid) || store.get(view.row.name)) return undefined;
  return { config: configFromLive(view.config!, view.row, uuid), origin: 'adopted', expected: expectedFromFlags(view) };
}

export async function reconcile(store: DefinitionStore, snap: Snapshot): Promise<ReconcileResult> {
  const result: ReconcileResult = { adopted: [], vanished: [], ignored: [] };
  for (const view of snap.domains) {
    const why = unadoptableReason(view);
    if (why) {
      if (why !== 'host' && why !== 'transient') result.ignored.push(view.row.name);
      continue;
    }
    const def = adoptionOf(store, view);
    if (!def) continue;
    await store.put(def);
    result.adopted.push(view.row.name);
  }
  for (const def of store.list()) {
    const live = snap.byUuid.get(def.config.uuid);
    if (live?.config) {
      const folded = foldLive(def.config, live.config, live.row);
      if (!isDeepStrictEqual(folded, def.config)) await store.put({ ...def, config: folded });
    }
  }
  for (const def of store.list()) {
    const present = snap.byUuid.has(def.config.uuid);
    let lost = false;
    if ((def.expected === 'running' || def.expected === 'paused') && !present) lost = true;
    if (def.expected === 'suspended' && def.savedImage) {
      lost = await access(def.savedImage).then(() => false, () => true);
    }
    if (lost !== !!def.vanished) {
      await store.put({ ...def, vanished: lost });
    }
    if (lost) result.vanished.push(def.config.name);
  }
  return result;
}
