/**
 * The per-request context shared by all operation handlers: the canonical namespace, the
 * principal, the repository and registry, the handle providers use to ask for other classes'
 * instance names, and the one place where provider calls are guarded so that nothing but a
 * CimError ever leaves operations/.
 */
import {
  type CimClass, type CimInstance, type CimInstanceName, CimError, cimError, isCimError,
} from '../cim/index.js';
import type { Repository } from '../repository/index.js';
import { enumerateNamesDeep } from './instances.js';
import type { CimomHandle, Principal, ProviderContext } from './provider.js';
import type { ClassProviders, ProviderRegistry } from './registry.js';

export interface OpEnv {
  repository: Repository;
  registry: ProviderRegistry;
  hostName: string;
  parseEmbeddedObject: (text: string) => CimInstance | CimClass;
  log: (message: string) => void;
}

export class OpContext implements CimomHandle {
  /** Canonical spelling of the namespace (CIM_ERR_INVALID_NAMESPACE was checked on creation). */
  readonly namespace: string;
  readonly providerCtx: ProviderContext;

  constructor(
    readonly env: OpEnv,
    namespace: string,
    readonly principal: Principal,
    readonly signal?: AbortSignal,
    /** The caller encodes while instances are produced (namedInstanceStream results). */
    readonly streaming = false,
  ) {
    this.namespace = env.repository.requireNamespace(namespace);
    // The context itself is the providers' CIMOM handle: nothing more is allocated per request.
    this.providerCtx = { namespace: this.namespace, principal, repository: env.repository, cimom: this };
    if (signal) this.providerCtx.signal = signal;
  }

  get repository(): Repository {
    return this.env.repository;
  }

  /** The same request in another namespace (cross-namespace associations, DSP1033 ECTP). */
  inNamespace(namespace: string): OpContext {
    if (this.repository.requireNamespace(namespace) === this.namespace) return this;
    return new OpContext(this.env, namespace, this.principal, this.signal, this.streaming);
  }

  /** The providers of exactly `className` here, or undefined when none serves it. */
  providers(className: string): ClassProviders | undefined {
    return this.env.registry.providersOf(this.namespace, className);
  }

  /** CimomHandle: the instance names of a class and its subclasses, in any namespace. */
  enumerateInstanceNames(namespace: string, className: string): Promise<CimInstanceName[]> {
    const there = this.inNamespace(namespace);
    return enumerateNamesDeep(there, there.requireClass(className).name);
  }

  requireClass(className: string): CimClass {
    return this.repository.requireClass(this.namespace, className);
  }

  /**
   * Runs a provider call: a CimError passes through; anything else becomes CIM_ERR_FAILED
   * naming what was being done, and is logged. An aborted request stops here too.
   */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.signal?.aborted) throw cimError('FAILED', `${what}: the request was cancelled`);
    try {
      return await fn();
    } catch (e) {
      throw asCimError(e, what, this.env.log);
    }
  }
}

/** Converts any thrown value to a CimError (CIM_ERR_FAILED unless it already is one). */
export function asCimError(e: unknown, what: string, log?: (m: string) => void): CimError {
  if (isCimError(e)) return e;
  const text = e instanceof Error ? e.message : String(e);
  log?.(`${what} failed unexpectedly: ${e instanceof Error && e.stack ? e.stack : text}`);
  return cimError('FAILED', `${what} failed: ${text}`);
}
