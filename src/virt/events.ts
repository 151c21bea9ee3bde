/**
 * One stream of model events for consumers that must not poll (indications, logs, benches).
 * Every change of a virtual system — made through the façade, by the model's recovery or noticed
 * behind our back — is found the same way: by comparing the systems as they are now with the
 * systems as they were last seen, so whoever caused it, it is reported once, in order. Job
 * changes come from the JobManager as they happen. Hypervisor-neutral and protocol-neutral.
 */
import { createHash } from 'node:crypto';
import type { Job, JobState } from './jobs.js';
import type { SystemState } from './states.js';
import type { VirtualSystem } from './types.js';

/** A virtual system appeared, changed (state or definition) or disappeared. */
export interface SystemEvent {
  type: 'system';
  kind: 'created' | 'modified' | 'deleted';
  /** The system's name now (the old name for a deletion). */
  name: string;
  /** As it was last seen (absent for a creation). */
  previous?: VirtualSystem;
  /** As it is now (absent for a deletion). */
  current?: VirtualSystem;
  previousState?: SystemState;
  state?: SystemState;
  /** ms since the epoch: when the change was noticed. */
  at: number;
}

/** A system the model expected to run was found crashed or gone. */
export interface LostEvent {
  type: 'lost';
  name: string;
  reason: 'vanished' | 'crashed';
  previousState: SystemState;
  at: number;
}

/** A job was submitted, started, progressed or ended. */
export interface JobEvent {
  type: 'job';
  jobId: string;
  jobName: string;
  /** What the job affects (a system name). */
  target: string;
  state: JobState;
  previousState?: JobState;
  percentComplete: number;
  /** The job's error message when it failed or was terminated. */
  error?: string;
  at: number;
}

/**
 * Another kind of model element (a switch, a network, ...) appeared, changed or disappeared, as
 * the part of the model that owns it reports it with `ModelEvents.element`. `element` names the
 * kind; consumers map each kind they know (indications: one entry per kind) and ignore the rest.
 */
export interface ElementEvent<T = unknown> {
  type: 'element';
  element: string;
  kind: 'created' | 'modified' | 'deleted';
  name: string;
  /** As it was (absent for a creation). */
  previous?: T;
  /** As it is now (absent for a deletion). */
  current?: T;
  at: number;
}

export type ModelEvent = SystemEvent | LostEvent | JobEvent | ElementEvent;
export type ModelEventListener = (e: ModelEvent) => void;

/** Signatures of the system objects seen: a driver that keeps an unchanged system's object costs nothing to compare. */
const signatures = new WeakMap<VirtualSystem, string>();
/**
 * The configurations' digests, by object: a running system's object is new at every picture (its
 * CPU time moves) while its configuration is usually the very same object, so at 10,000 running
 * systems a picture costs 10,000 lookups here instead of 10,000 JSON.stringify runs. A digest
 * (SHA-256 of the JSON) rather than the text: the text of every configuration, kept for as long
 * as the system exists, was some 6 MiB at 10,000 systems.
 */
const configDigests = new WeakMap<VirtualSystem['config'], string>();

/** What identifies a change worth reporting: never the live figures (CPU time moves all the time). */
function signature(s: VirtualSystem): string {
  let sig = signatures.get(s);
  if (sig === undefined) {
    let config = configDigests.get(s.config);
    if (config === undefined) {
      config = createHash('sha256').update(JSON.stringify(s.config)).digest('base64');
      configDigests.set(s.config, config);
    }
    sig = `${JSON.stringify([s.uuid, s.state, !!s.vanished, !!s.hasSavedImage, s.requested ?? null])}${config}`;
    signatures.set(s, sig);
  }
  return sig;
}

/** A system as last compared: its copy, its signature, and the driver's object it came from. */
interface Seen {
  sys: VirtualSystem;
  sig: string;
  src: VirtualSystem;
  /** The comparison that last found it (to find the names gone without a set of the current ones). */
  stamp: number;
  /** During a comparison: what it changed to (reported, then put in its place, in the second pass). */
  next?: Seen;
}

export class ModelEvents {
  private readonly listeners = new Set<ModelEventListener>();
  private last: Map<string, Seen> | undefined;
  private readonly jobStates = new Map<string, JobState>();
  private stamp = 0;
  private chain: Promise<void> = Promise.resolve();
  private pending = false;

  /** The copy of a system the last picture keeps (the object itself when the driver never changes it). */
  private readonly keep: (s: VirtualSystem) => VirtualSystem;

  constructor(
    /** The systems as they are now. */
    private readonly list: () => Promise<VirtualSystem[]>,
    opts: { immutable?: boolean } = {},
  ) {
    this.keep = opts.immutable ? (s) => s : (s) => structuredClone(s);
  }

  subscribe(listener: ModelEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Take the first picture without reporting it (what exists at start-up is no change). */
  baseline(): Promise<void> {
    return this.refresh();
  }

  /**
   * Compare the systems now with the last picture and report the differences. Calls made while
   * one waits to run are merged into it; the comparisons run one after the other, so events
   * keep the order the changes were seen in.
   */
  refresh(): Promise<void> {
    if (this.pending) return this.chain;
    this.pending = true;
    // After the I/O already due (the answer to the request that caused the change goes out first).
    this.chain = this.chain.then(() => new Promise<void>((r) => setImmediate(r))).then(async () => {
      this.pending = false;
      let systems: VirtualSystem[];
      try {
        systems = await this.list();
      } catch {
        return; // the next refresh will see it
      }
      this.compare(systems);
    });
    return this.chain;
  }

  lost(name: string, reason: 'vanished' | 'crashed', previousState: SystemState, at: number): void {
    this.emit({ type: 'lost', name, reason, previousState, at });
  }

  /** Report a change of another kind of element (see ElementEvent); `at` defaults to now. */
  element<T>(e: Omit<ElementEvent<T>, 'type' | 'at'> & { at?: number }): void {
    this.emit({ ...e, type: 'element', at: e.at ?? Date.now() });
  }

  job(job: Job): void {
    const previousState = this.jobStates.get(job.id);
    if (job.finished) this.jobStates.delete(job.id);
    else this.jobStates.set(job.id, job.state);
    this.emit({
      type: 'job', jobId: job.id, jobName: job.name, target: job.target, state: job.state,
      ...(previousState ? { previousState } : {}),
      percentComplete: job.percentComplete,
      ...(job.error ? { error: job.error.message } : {}),
      at: Date.now(),
    });
  }

  /**
   * The last picture is updated in place, whatever changed: at 10,000 systems a state change, a
   * definition or a removal costs pointer comparisons over the list, not a new map of every
   * system. Copies are made only of what changed (a driver may update its objects in place and
   * the previous picture must stay as it was); the very object seen last time (a driver keeps an
   * unchanged system's object) is unchanged. Events go out in the order of `systems`, removals
   * last.
   */
  private compare(systems: VirtualSystem[]): void {
    const before = this.last;
    const stamp = ++this.stamp;
    if (!before) {
      this.last = new Map(systems.map((s) => [s.name, { sys: this.keep(s), sig: signature(s), src: s, stamp }]));
      return;
    }
    const at = Date.now();
    // First pass: what each system is against the last picture (undefined: nothing to report).
    const news: (VirtualSystem | undefined)[] = new Array(systems.length);
    let added = 0;
    for (let i = 0; i < systems.length; i++) {
      const s = systems[i]!;
      const prev = before.get(s.name);
      if (!prev) {
        news[i] = s;
        added++;
        continue;
      }
      if (prev.src === s) {
        prev.stamp = stamp;
        continue;
      }
      const sig = signature(s);
      before.set(s.name, prev.sig === sig ? { ...prev, src: s, stamp } : { ...prev, stamp, next: { sys: this.keep(s), sig, src: s, stamp } });
    }
    // The names seen before and gone now: deleted, or the old names of renamed systems (a rename
    // keeps the UUID: one modification, not a deletion and a creation). Looked for only when the
    // count says some are gone.
    const gone: Seen[] = [];
    if (systems.length - added !== before.size) {
      for (const e of before.values()) if (e.stamp !== stamp) gone.push(e);
      for (const e of gone) before.delete(e.sys.name);
    }
    const goneByUuid = gone.length ? new Map(gone.map((e) => [e.sys.uuid, e])) : undefined;
    const renamedFrom = new Set<string>();
    for (let i = 0; i < systems.length; i++) {
      const s = systems[i]!;
      const fresh = news[i];
      if (fresh) {
        const e: Seen = { sys: this.keep(fresh), sig: signature(fresh), src: fresh, stamp };
        before.set(s.name, e);
        const prev = goneByUuid?.get(e.sys.uuid);
        if (!prev) {
          this.emit({ type: 'system', kind: 'created', name: s.name, current: e.sys, state: e.sys.state, at });
          continue;
        }
        renamedFrom.add(prev.sys.name);
        this.emit({ type: 'system', kind: 'modified', name: s.name, previous: prev.sys, current: e.sys, previousState: prev.sys.state, state: e.sys.state, at });
        continue;
      }
      const cur = before.get(s.name)!;
      if (!cur.next) continue;
      const e = cur.next;
      before.set(s.name, e);
      this.emit({ type: 'system', kind: 'modified', name: s.name, previous: cur.sys, current: e.sys, previousState: cur.sys.state, state: e.sys.state, at });
    }
    for (const e of gone) {
      const name = e.sys.name;
      if (!renamedFrom.has(name)) this.emit({ type: 'system', kind: 'deleted', name, previous: e.sys, previousState: e.sys.state, at });
    }
  }

  private emit(e: ModelEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a consumer's failure must not break the model or the other consumers
      }
    }
  }
}
