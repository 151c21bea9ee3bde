/**
 * Start-up reconcile (DESIGN §3.4): the definition store against one fresh snapshot.
 * - running domains we did not define are adopted (their live config becomes their definition);
 * - stored systems expected to run that xl no longer shows are marked vanished;
 * - Domain-0 is the host, never a virtual system; transient and unaddressable names are ignored.
 */
import type { DefinitionStore, ExpectedState } from './definition-store.js';
import { configFromLive } from './live-config.js';
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

export async function reconcile(store: DefinitionStore, snap: Snapshot): Promise<ReconcileResult> {
  const result: ReconcileResult = { adopted: [], vanished: [], ignored: [] };
  for (const view of snap.domains) {
    const why = unadoptableReason(view);
    if (why) {
      if (why !== 'host' && why !== 'transient') result.ignored.push(view.row.name);
      continue;
    }
    const uuid = view.config!.uuid!;
    if (store.findByUuid(uuid) || store.get(view.row.name)) continue;
    await store.put({
      config: configFromLive(view.config!, view.row, uuid),
      origin: 'adopted',
      expected: expectedFromFlags(view),
    });
    result.adopted.push(view.row.name);
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
