/**
 * Lifecycle indications of virtual systems (DSP1054 §7.3; CIM_InstCreation, CIM_InstModification
 * with PreviousInstance, CIM_InstDeletion), made from the model's one event stream and matched
 * against every enabled subscription's filter: the indication class ISA the class after FROM,
 * and a `SourceInstance ISA <class>` condition against the source's class. What is matched goes
 * to `send` with the subscription's listener destination; delivery is the caller's business.
 * Jobs (DSP1103 Xen_ConcreteJob): CIM_InstCreation when submitted, CIM_InstModification on every
 * JobState or PercentComplete change, so a client follows a job without polling.
 * Alerts (CIM_AlertIndication): a system expected to run that crashed or vanished, a failed job.
 */
import { CimDateTime, type CimInstance, type CimValue } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { ModelEvent } from '../../virt/index.js';
import { computerSystemInstance } from '../dsp1057-virtual-system/index.js';
import { jobInstance } from '../dsp1103-job-control/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { CS_CLASS, INTEROP_NS, VIRT_NS, computerSystemName } from '../shared/naming.js';
import type { FilterRecord, SubscriptionStore } from './store.js';

/** Where a matched indication goes: the destination URL and the destination's identity (its own sequence). */
export type Send = (destination: { id: string; url: string }, indication: CimInstance) => void;

const ALERT_CLASS = 'CIM_AlertIndication';
const CLASS_OF = { created: 'CIM_InstCreation', modified: 'CIM_InstModification', deleted: 'CIM_InstDeletion' } as const;

/** Whether the filter selects this indication (FROM class, and an ISA condition on SourceInstance). */
export function matches(repo: ProviderDeps['repository'], f: FilterRecord, indicationClass: string, sourceClass: string | undefined): boolean {
  if (!repo.isSubclassOf(INTEROP_NS, indicationClass, f.fromClass) && indicationClass.toLowerCase() !== f.fromClass.toLowerCase()) return false;
  const isa = /SourceInstance\s+ISA\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(f.query);
  if (isa && !sourceClass) return false;
  if (isa && sourceClass && !(sourceClass.toLowerCase() === isa[1]!.toLowerCase() || repo.isSubclassOf(VIRT_NS, sourceClass, isa[1]!))) return false;
  return f.sourceNamespaces.length === 0 || f.sourceNamespaces.some((n) => n.toLowerCase() === VIRT_NS);
}

export function watchLifecycle(deps: ProviderDeps, store: SubscriptionStore, send: Send): () => void {
  let next = 0;
  const interop = { repository: deps.repository, namespace: INTEROP_NS } as Pick<ProviderContext, 'repository' | 'namespace'>;
  const virtCtx = { repository: deps.repository, namespace: VIRT_NS } as Pick<ProviderContext, 'repository' | 'namespace'>;
  const dispatch = (className: string, sourceClass: string | undefined, values: (filterName: string) => Record<string, CimValue | undefined>): void => {
    for (const s of store.subscriptions.values()) {
      if (s.state !== 2) continue;
      const f = store.filters.get(s.filter);
      const d = store.destinations.get(s.handler);
      if (!f || !d || !matches(deps.repository, f, className, sourceClass)) continue;
      const ind = build(interop, className, { IndicationIdentifier: `${deps.hostName}:${++next}`, IndicationFilterName: f.keys.Name, ...values(f.keys.Name) });
      send({ id: s.handler, url: d.destination }, ind);
    }
  };
  const alert = (at: number, severity: number, element: string | null, description: string, messageId: string) => () => ({
    IndicationTime: CimDateTime.fromDate(new Date(at)), EventTime: CimDateTime.fromDate(new Date(at)),
    AlertType: 4, PerceivedSeverity: severity, ProbableCause: 1, ProbableCauseDescription: description, Description: description,
    AlertingManagedElement: element, AlertingElementFormat: element ? 2 : 0,
    SystemCreationClassName: 'Xen_HostSystem', SystemName: deps.hostName, Message: description, MessageID: messageId, OwningEntity: 'xen-wbem',
  });
  const onEvent = (e: ModelEvent): void => {
    if (store.subscriptions.size === 0) return;
    if (e.type === 'lost') {
      // DSP1054 alert: a system expected to run crashed (6 Critical) or is gone (5 Major).
      const text = e.reason === 'crashed' ? `virtual system ${e.name} crashed` : `virtual system ${e.name} vanished from the hypervisor`;
      dispatch(ALERT_CLASS, undefined, alert(e.at, e.reason === 'crashed' ? 6 : 5, computerSystemName(e.name).toString(), text, e.reason === 'crashed' ? 'XEN1' : 'XEN2'));
      return;
    }
    if (e.type === 'job') {
      const job = deps.jobs.get(e.jobId);
      if (job) {
        const source = jobInstance(virtCtx, job, deps.jobRetentionMs);
        dispatch(e.previousState === undefined && e.state === 'new' ? CLASS_OF.created : CLASS_OF.modified, source.className, () => ({
          IndicationTime: CimDateTime.fromDate(new Date(e.at)),
          SourceInstance: source,
          SourceInstanceModelPath: source.path?.toString() ?? null,
          SourceInstanceHost: deps.hostName,
        }));
      }
      if (e.state === 'failed') dispatch(ALERT_CLASS, undefined, alert(e.at, 5, null, `job ${e.jobName} (${e.jobId}) failed: ${e.error ?? 'no reason given'}`, 'XEN3'));
      return;
    }
    const className = CLASS_OF[e.kind];
    const source = e.current ?? e.previous;
    if (!source) return;
    dispatch(className, CS_CLASS, () => ({
      IndicationTime: CimDateTime.fromDate(new Date(e.at)),
      SourceInstance: computerSystemInstance(virtCtx, source),
      SourceInstanceModelPath: computerSystemInstance(virtCtx, source).path?.toString() ?? null,
      SourceInstanceHost: deps.hostName,
      ...(e.kind === 'modified' && e.previous ? { PreviousInstance: computerSystemInstance(virtCtx, e.previous) } : {}),
    }));
  };
  return deps.virt.events.subscribe(onEvent);
}
