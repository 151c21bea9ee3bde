/** What every provider is given (wired in app.ts), and the profile data of profiles/*.json. */
import type { Repository } from '../../repository/index.js';
import type { JobManager, MigrationPeer, VirtManager } from '../../virt/index.js';

/**
 * A requirement of a profile, checked against what the server serves (profiles/README.md):
 * instances of a class and its subclasses (at least `min`, 1 by default, with the values of
 * `where` and the patterns of `matching`), a method implemented, a property set on every
 * instance of its class, or qualifiers a property's declaration carries.
 */
export type Mandate =
  | { class: string; min?: number; where?: Record<string, string | number | boolean>; matching?: Record<string, string> }
  | { method: string }
  | { property: string }
  | { schema: string; qualifiers: string[] };

/** One registered profile (profiles/*.json; fields described in profiles/README.md). */
export interface ProfileRegistration {
  instanceId: string;
  registeredOrganization: number;
  /** The organization's name when registeredOrganization is 1 (Other): a vendor profile. */
  otherRegisteredOrganization?: string;
  registeredName: string;
  registeredVersion: string;
  advertiseTypes: number[];
  dsp: string;
  kind: 'autonomous' | 'component';
  scopingProfile?: string;
  centralClass?: string;
  scopingClass?: string;
  /**
   * How clients find the central instances (DSP1033 §7.3): 'central' (default), an
   * ElementConformsToProfile to each instance of centralClass; 'scoping', none: they are found
   * from the scoping instance, as for transient jobs.
   */
  methodology?: 'central' | 'scoping';
  namespace: string;
  referencedProfiles?: string[];
  mandates?: Mandate[];
  notes?: string;
}

export interface ProviderDeps {
  virt: VirtManager;
  jobs: JobManager;
  repository: Repository;
  /** Host name used in Xen_HostSystem.Name and service keys (never a physical identifier). */
  hostName: string;
  /** The registered profiles, from profiles/*.json. */
  profiles: ProfileRegistration[];
  /** Server product name and version for CIM_ObjectManager. */
  product: { name: string; version: string };
  /** Whether clients authenticate (advertised by the CIM-XML communication mechanism). */
  authentication: 'basic' | 'none';
  /** How long the JobManager keeps finished jobs: CIM_ConcreteJob.TimeBeforeRemoval. */
  jobRetentionMs: number;
  log: (line: string) => void;
  /** How long a method waits for its work before answering 4096 with a job (budget.ts); default 5 s. */
  syncBudgetMs?: number;
  /** How long a snapshot method waits for its job before answering 4096; default SNAPSHOT_WAIT_MS (tests shorten it). */
  snapshotWaitMs?: number;
  /** Where indication subscriptions are kept across restarts (written atomically); absent: memory only. */
  indicationStore?: TextStore;
  /** The other hosts systems can migrate to (DSP1081; `serve --peer`). */
  peers?: readonly MigrationPeer[];
  /** DSP1053 metric name (e.g. CPUUtilization) → the value above which a CIM_AlertIndication is sent (docs/metrics.md). */
  alertThresholds?: Record<string, number>;
}

/** One text file, replaced atomically on write; read answers undefined when it does not exist yet. */
export interface TextStore {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  /** Copy the file beside it (`<file>.corrupt-<ms>`) before a damaged one is written over; answers the copy's path. */
  keepCopy?(): Promise<string>;
}
