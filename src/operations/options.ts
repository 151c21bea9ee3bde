/** Construction options of Operations and their defaults. */
import type { CimClass, CimInstance } from '../cim/index.js';
import type { Repository } from '../repository/index.js';
import type { ProviderRegistry } from './registry.js';

export interface AuditEntry {
  principal: string;
  /** The DSP0200 operation (InvokeMethod, DeleteInstance, ...). */
  operation: string;
  namespace: string;
  /** The object acted on, without the namespace: an instance path or a class name. */
  target: string;
  /** InvokeMethod: the extrinsic method called, and what was asked (IN parameters, summarised). */
  method?: string;
  params?: Record<string, string>;
  /**
   * 'ok': done; 'job': a job was started (4096; its end is a later entry); 'failed': a method
   * answered another return value (returnValue says which); 'error': a CIM error (error says which).
   */
  result: 'ok' | 'job' | 'failed' | 'error';
  returnValue?: number;
  /** The job started (its InstanceID), for result 'job'. */
  job?: string;
  error?: string;
}

export interface PullLimits {
  /** OperationTimeout used when the client sends NULL (seconds). */
  defaultTimeoutSec?: number;
  /** Largest OperationTimeout accepted; larger → CIM_ERR_INVALID_OPERATION_TIMEOUT. */
  maxTimeoutSec?: number;
  /** Largest MaxObjectCount honoured; larger requests are clamped to it. */
  maxObjectCount?: number;
  /** Open enumeration contexts at once; beyond → CIM_ERR_SERVER_LIMITS_EXCEEDED. */
  maxContexts?: number;
  /** Of those, held by one user at once (one user cannot take them all from the others). */
  maxContextsPerUser?: number;
}

export interface OperationsOptions {
  repository: Repository;
  registry: ProviderRegistry;
  /** Parses the CIM-XML text of an embedded INSTANCE or CLASS (injected: operations/ may not import cimxml). */
  parseEmbeddedObject: (text: string) => CimInstance | CimClass;
  /** HOST of the object paths returned by association, query and pull operations. */
  hostName: string;
  pull?: PullLimits;
  /** Called once for every change request (Create/Modify/Delete/SetProperty/InvokeMethod). */
  audit?: (entry: AuditEntry) => void;
  /** Clock in ms, replaceable in tests of context expiry. */
  now?: () => number;
  /** Diagnostics (a dangling reference, a provider failure). Defaults to console.warn. */
  log?: (message: string) => void;
}

export const PULL_DEFAULTS: Required<PullLimits> = {
  defaultTimeoutSec: 30,
  maxTimeoutSec: 600,
  maxObjectCount: 10000,
  maxContexts: 1000,
  maxContextsPerUser: 100,
};
