/**
 * Lifecycle indications of virtual systems (DSP1054 §7.3; CIM_InstCreation, CIM_InstModification
 * with PreviousInstance, CIM_InstDeletion), made from the model's one event stream and matched
 * against every enabled subscription's filter: the indication class ISA the class after FROM,
 * and a `SourceInstance ISA <class>` condition against the source's class. What is matched goes
 * to `send` with the subscription's listener destination; delivery is the caller's business.
 */
import { CimDateTime, type CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { ModelEvent } from '../../virt/index.js';
import { computerSystemInstance } from '../dsp1057-virtual-system/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { CS_CLASS, INTEROP_NS, VIRT_NS } from '../shared/naming.js';
import type { FilterRecord, SubscriptionStore } from './store.js';

/** Where a matched indication goes: the destination URL and the destination's identity (its own sequence). */
export type Send = (destination: { id: string; url: string }, indication: CimInstance) => void;

const CLASS_OF = { created: 'CIM_InstCreation', modified: 'CIM_InstModification', deleted: 'CIM_InstDeletion' } as const;

/** Whether the filter selects this indication (FROM class, and an ISA condition on SourceInstance). */
export function matches(repo: ProviderDeps['repository'], f: FilterRecord, indicationClass: string, sourceClass: string): boolean {
  if (!repo.isSubclassOf(INTEROP_NS, indicationClass, f.fromClass) && indicationClass.toLowerCase() !== f.fromClass.toLowerCase()) return false;
  const isa = /SourceInstance\s+ISA\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(f.query);
  if (isa && !(sourceClass.toLowerCase() === isa[1]!.toLowerCase() || repo.isSubclassOf(VIRT_NS, sourceClass, isa[1]!))) return false;
  return f.sourceNamespaces.length === 0 || f.sourceNamespaces.some((n) => n.toLowerCase() === VIRT_NS);
}

export function watchLifecycle(deps: ProviderDeps, store: SubscriptionStore, send: Send): () => void {
  let next = 0;
  const interop = { repository: deps.repository, namespace: INTEROP_NS } as Pick<ProviderContext, 'repository' | 'namespace'>;
  const virtCtx = { repository: deps.repository, namespace: VIRT_NS } as Pick<ProviderContext, 'repository' | 'namespace'>;
  const onEvent = (e: ModelEvent): void => {
    if (e.type !== 'system') return;
    const className = CLASS_OF[e.kind];
    const source = e.current ?? e.previous;
    if (!source) return;
    const subs = [...store.subscriptions.values()].filter((s) => s.state === 2);
    if (subs.length === 0) return;
    for (const s of subs) {
      const f = store.filters.get(s.filter);
      const d = store.destinations.get(s.handler);
      if (!f || !d || !matches(deps.repository, f, className, CS_CLASS)) continue;
      const ind = build(interop, className, {
        IndicationIdentifier: `${deps.hostName}:${++next}`,
        IndicationTime: CimDateTime.fromDate(new Date(e.at)),
        IndicationFilterName: f.keys.Name,
        SourceInstance: computerSystemInstance(virtCtx, source),
        SourceInstanceModelPath: computerSystemInstance(virtCtx, source).path?.toString() ?? null,
        SourceInstanceHost: deps.hostName,
        ...(e.kind === 'modified' && e.previous ? { PreviousInstance: computerSystemInstance(virtCtx, e.previous) } : {}),
      });
      send({ id: s.handler, url: d.destination }, ind);
    }
  };
  return deps.virt.events.subscribe(onEvent);
}
