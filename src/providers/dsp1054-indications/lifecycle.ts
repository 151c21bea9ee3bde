/**
 * Lifecycle indications (DSP1054 §7.3; CIM_InstCreation, CIM_InstModification with
 * PreviousInstance, CIM_InstDeletion), made from the model's one event stream and matched
 * against every enabled subscription's filter (its whole query: filters.ts). What is selected
 * goes to `send` with the subscription's listener destination; delivery is the caller's business.
 * - Virtual systems (Xen_ComputerSystem): every definition, state change and removal.
 * - Their RASDs: a device added, changed or removed (rasds.ts).
 * - Jobs (DSP1103 Xen_ConcreteJob): CIM_InstCreation when submitted, CIM_InstModification on
 *   every JobState or PercentComplete change, so a client follows a job without polling.
 * - Other kinds of elements (switches, networks): one entry each in sources.ts.
 * Alerts (CIM_AlertIndication): a system expected to run that crashed or vanished, a failed job,
 * a metric above its configured threshold (thresholds.ts).
 */
import { CimDateTime, type CimInstance, type CimInstanceName, type CimValue } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { ElementEvent, JobEvent, LostEvent, ModelEvent, SystemEvent } from '../../virt/index.js';
import { computerSystemInstance } from '../dsp1057-virtual-system/index.js';
import { jobInstance } from '../dsp1103-job-control/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { INTEROP_NS, VIRT_NS, computerSystemName, hostName } from '../shared/naming.js';
import { type FilterMatcher, watchesVirt } from './filters.js';
import { rasdChanges } from './rasds.js';
import { ELEMENT_SOURCES, type ElementSource } from './sources.js';
import { type SubscriptionStore, expired } from './store.js';
import { type Crossing, ThresholdWatch } from './thresholds.js';

/**
 * Where a matched indication goes: the destination URL, the destination's identity (its own
 * sequence), whether it still exists (delivery drops what a deleted one still has queued), and
 * whether it may not reach the server's own host (made by a user who is not an administrator).
 */
export type Send = (destination: { id: string; url: string; createdAt?: number; live: () => boolean; confined: boolean }, indication: CimInstance) => void;

type Ctx = Pick<ProviderContext, 'repository' | 'namespace'>;
type Values = Record<string, CimValue | undefined>;

const ALERT_CLASS = 'CIM_AlertIndication';
const CLASS_OF = { created: 'CIM_InstCreation', modified: 'CIM_InstModification', deleted: 'CIM_InstDeletion' } as const;
/** CIM_AlertIndication.AlertType and PerceivedSeverity values used here. */
const QOS_ALERT = 3;
const PROCESSING_ERROR = 4;
const INFORMATION = 2;
const DEGRADED = 3;
const MAJOR = 5;
const CRITICAL = 6;

export interface LifecycleOptions {
  /** The element kinds that become indications (default: sources.ts). */
  sources?: readonly ElementSource[];
}

export function watchLifecycle(deps: ProviderDeps, store: SubscriptionStore, matcher: FilterMatcher, send: Send, opts: LifecycleOptions = {}): () => void {
  let next = 0;
  const interop: Ctx = { repository: deps.repository, namespace: INTEROP_NS };
  const virtCtx: Ctx = { repository: deps.repository, namespace: VIRT_NS };
  const sources = new Map((opts.sources ?? ELEMENT_SOURCES).map((s) => [s.element, s]));

  /**
   * One indication of `className` offered to every enabled subscription: built once, when a
   * filter's FROM class covers it; each subscription gets its own copy (its filter's name, its
   * identifier, its SELECT list) when the filter's WHERE clause selects it.
   */
  const dispatch = (className: string, values: () => Values): void => {
    let base: CimInstance | undefined;
    const now = Date.now();
    for (const s of store.subscriptions.values()) {
      if (s.state !== 2 || expired(s, now)) continue;
      const f = store.filters.get(s.filter);
      const d = store.destinations.get(s.handler);
      if (!f || !d || !watchesVirt(f)) continue;
      const q = matcher.query(s.filter, f);
      if (!q || !matcher.covers(q, className)) continue;
      base ??= build(interop, className, values());
      const ind = base.clone();
      ind.set('IndicationIdentifier', `${deps.hostName}:${++next}`);
      ind.set('IndicationFilterName', f.keys.Name);
      const selected = matcher.select(q, ind);
      const live = (): boolean => store.destinations.get(s.handler) === d;
      if (selected) send({ id: s.handler, url: d.destination, live, confined: d.confined === true, ...(d.createdAt !== undefined ? { createdAt: d.createdAt } : {}) }, selected);
    }
  };

  /**
   * A source's path as the CIM schema has CIM_InstIndication.SourceInstanceModelPath (and a
   * CIMObjectPath AlertingManagedElement) spell it: `<NamespacePath>:<ClassName>.<keys>`, here the
   * WBEM URI `//host/root/virt:Xen_ComputerSystem.CreationClassName="…",Name="…"` (DSP0207). The
   * listener receives it from root/interop: without its namespace the path named nothing there.
   */
  const modelPath = (path: CimInstanceName): string => path.withNamespace(VIRT_NS, deps.hostName).toString();

  /** A CIM_InstIndication's own properties for a source instance (and the previous one of a modification). */
  const inst = (kind: keyof typeof CLASS_OF, at: number, source: () => CimInstance, previous?: () => CimInstance): void =>
    dispatch(CLASS_OF[kind], () => {
      const s = source();
      return {
        IndicationTime: CimDateTime.fromDate(new Date(at)),
        SourceInstance: s,
        SourceInstanceModelPath: s.path ? modelPath(s.path) : null,
        SourceInstanceHost: deps.hostName,
        ...(kind === 'modified' && previous ? { PreviousInstance: previous() } : {}),
      };
    });

  const alert = (at: number, alertType: number, severity: number, element: CimInstanceName, description: string, messageId: string): void =>
    dispatch(ALERT_CLASS, () => ({
      IndicationTime: CimDateTime.fromDate(new Date(at)), EventTime: CimDateTime.fromDate(new Date(at)),
      AlertType: alertType, PerceivedSeverity: severity, ProbableCause: 1, ProbableCauseDescription: description, Description: description,
      AlertingManagedElement: modelPath(element), AlertingElementFormat: 2,
      SystemCreationClassName: 'Xen_HostSystem', SystemName: deps.hostName, Message: description, MessageID: messageId, OwningEntity: 'xen-wbem',
    }));

  const onLost = (e: LostEvent): void => {
    // A system expected to run crashed (6 Critical) or is gone (5 Major).
    const text = e.reason === 'crashed' ? `virtual system ${e.name} crashed` : `virtual system ${e.name} vanished from the hypervisor`;
    alert(e.at, PROCESSING_ERROR, e.reason === 'crashed' ? CRITICAL : MAJOR, computerSystemName(e.name), text, e.reason === 'crashed' ? 'XEN1' : 'XEN2');
  };

  /**
   * Each unfinished job as its last indication showed it: the PreviousInstance of its next
   * CIM_InstModification, which the usual job filters compare with (`SourceInstance.
   * CIM_ConcreteJob::JobState <> PreviousInstance.CIM_ConcreteJob::JobState`). Kept whether or not
   * a subscription exists, so one made while a job runs gets it too; a finished job is forgotten.
   */
  const lastJob = new Map<string, CimInstance>();

  const onJob = (e: JobEvent): void => {
    const job = deps.jobs.get(e.jobId);
    if (job) {
      const source = jobInstance(virtCtx, job, deps.jobRetentionMs);
      const previous = lastJob.get(e.jobId);
      if (job.finished) lastJob.delete(e.jobId);
      else lastJob.set(e.jobId, source);
      if (store.subscriptions.size > 0) {
        inst(e.previousState === undefined && e.state === 'new' ? 'created' : 'modified', e.at, () => source, previous ? () => previous : undefined);
      }
    } else lastJob.delete(e.jobId);
    if (e.state === 'failed' && store.subscriptions.size > 0) alert(e.at, PROCESSING_ERROR, MAJOR, hostName(deps.hostName), `job ${e.jobName} (${e.jobId}) failed: ${e.error ?? 'no reason given'}`, 'XEN3');
  };

  const onSystem = (e: SystemEvent): void => {
    const source = e.current ?? e.previous;
    if (!source) return;
    inst(e.kind, e.at, () => computerSystemInstance(virtCtx, source), e.previous ? () => computerSystemInstance(virtCtx, e.previous!) : undefined);
    for (const r of rasdChanges(virtCtx, e)) inst(r.kind, e.at, () => (r.current ?? r.previous)!, r.previous ? () => r.previous! : undefined);
  };

  const onElement = (e: ElementEvent): void => {
    const src = sources.get(e.element);
    const value = e.current ?? e.previous;
    if (!src || value === undefined) return;
    inst(e.kind, e.at, () => src.instance(virtCtx, value, deps), e.previous !== undefined ? () => src.instance(virtCtx, e.previous, deps) : undefined);
  };

  const onEvent = (e: ModelEvent): void => {
    if (e.type === 'job') return onJob(e);
    if (store.subscriptions.size === 0) return;
    switch (e.type) {
      case 'lost': return onLost(e);
      case 'system': return onSystem(e);
      case 'element': return onElement(e);
    }
  };

  const onCrossing = (c: Crossing): void => {
    const where = c.system === undefined ? `host ${deps.hostName}` : `virtual system ${c.system}`;
    const text = c.direction === 'over'
      ? `${c.metric} of ${where} is ${c.value}, above its threshold of ${c.threshold}`
      : `${c.metric} of ${where} is ${c.value}, back at or below its threshold of ${c.threshold}`;
    deps.log(text);
    if (store.subscriptions.size === 0) return;
    const element = c.system === undefined ? hostName(deps.hostName) : computerSystemName(c.system);
    alert(c.at, QOS_ALERT, c.direction === 'over' ? DEGRADED : INFORMATION, element, text, c.direction === 'over' ? 'XEN4' : 'XEN5');
  };

  const unsubscribe = deps.virt.events.subscribe(onEvent);
  const thresholds = new ThresholdWatch(deps.alertThresholds ?? {});
  const stopSamples = thresholds.empty ? () => {} : deps.virt.metrics.onSample((sample) => {
    for (const c of thresholds.check(sample)) onCrossing(c);
  });
  // Expired subscriptions deliver nothing from the moment they expire; the sweep removes them
  // (and reads the stored set again while it could not be read).
  const sweep = setInterval(() => void store.load().then(() => store.removeExpired()).catch(() => {}), 1000);
  sweep.unref();
  return () => {
    unsubscribe();
    stopSamples();
    clearInterval(sweep);
  };
}
