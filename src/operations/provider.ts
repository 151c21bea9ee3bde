/**
 * The provider contract: a provider serves instances of the classes it lists, exactly those
 * classes (the server fans out over subclasses), and the extrinsic methods of the classes it
 * owns. Several providers may serve one class; operations/ merges what they return. Property
 * filtering, name-only variants, association traversal, pull paging and queries are done by
 * operations/ on what providers return.
 */
import type {
  CimInstance, CimInstanceName, CimValue, ClassNameRef, NameMap, NameSet,
} from '../cim/index.js';
import type { Repository } from '../repository/index.js';

/** Indication filters (DSP1054): the WQL/CQL engine of ExecQuery, for the indications provider. */
export {
  type IndicationFilterQuery, type IndicationSchema, compileIndicationFilter, filterSelects, projectIndication,
} from './query/indication-filter.js';

/** Roles, weakest first: readers read, operators also start and stop, admins do everything. */
export type Role = 'reader' | 'operator' | 'admin';

export const ROLE_RANK: Record<Role, number> = { reader: 0, operator: 1, admin: 2 };

export interface Principal {
  name: string;
  role: Role;
}

/** Structured fields of a log entry (JSON-serialisable values). */
export type LogFields = Record<string, unknown>;

/**
 * The logger the wiring hands out (pino underneath): one entry per call, at a level, with a
 * short fixed message and structured fields. `child` adds fields (a component) to every entry.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

/**
 * What a provider may ask of the server about classes served by other providers (OpenPegasus's
 * CIMOMHandle, narrowed to what profiles need).
 */
export interface CimomHandle {
  /**
   * The names of the instances of `className` and of its subclasses in `namespace`, from every
   * provider that serves them (local names: no host, no namespace). An unknown class is
   * CIM_ERR_INVALID_CLASS.
   */
  enumerateInstanceNames(namespace: string, className: string): Promise<CimInstanceName[]>;
}

export interface ProviderContext {
  /** Canonical namespace of the request. */
  namespace: string;
  principal: Principal;
  repository: Repository;
  cimom: CimomHandle;
  /** Aborted when the request times out or the client goes away. */
  signal?: AbortSignal;
}

export interface InstanceRequestOptions {
  /**
   * The properties the client asked for (null = all). A hint only: a provider may skip costly
   * properties not asked for; operations/ filters the result anyway.
   */
  propertyList: NameSet | null;
}

/** What an extrinsic method returns: the return value and OUT parameters by name. */
export interface MethodResult {
  returnValue: CimValue;
  out?: Record<string, CimValue>;
}

export interface InstanceProvider {
  /** The classes this provider serves instances of, each exactly (not its subclasses). */
  readonly classNames: readonly string[];

  /**
   * Of classNames, those whose extrinsic methods and instance writes (create, modify, delete)
   * this provider implements. A class has at most one owner. When absent: every class in
   * classNames if the provider implements invokeMethod or a write, else none.
   */
  readonly ownedClasses?: readonly string[];

  /** All instances of exactly `className`, each built against its class with `path` set (local). */
  enumerateInstances(ctx: ProviderContext, className: string, opts: InstanceRequestOptions): Promise<CimInstance[]>;

  /**
   * The same instances in batches, built as they are asked for: a large enumeration is encoded
   * and sent batch by batch instead of being built whole first. Optional.
   */
  streamInstances?(ctx: ProviderContext, className: string, opts: InstanceRequestOptions): AsyncIterable<CimInstance[]>;

  /** Names only; when absent, operations/ takes the paths of enumerateInstances. */
  enumerateInstanceNames?(ctx: ProviderContext, className: string): Promise<CimInstanceName[]>;

  /**
   * One instance; `name` has been checked against the class (typed keys, no namespace).
   * Throws CIM_ERR_NOT_FOUND when this provider does not have it; with several providers of the
   * class, the next one is then asked. When not implemented, operations/
   * finds it in this provider's enumeration.
   */
  getInstance?(ctx: ProviderContext, name: CimInstanceName, opts: InstanceRequestOptions): Promise<CimInstance>;

  /** `instance` is typed through its class; returns the new instance's name. */
  createInstance?(ctx: ProviderContext, instance: CimInstance): Promise<CimInstanceName>;

  /** `propertyList` null = every property in `instance`. */
  modifyInstance?(ctx: ProviderContext, instance: CimInstance, propertyList: NameSet | null): Promise<void>;

  deleteInstance?(ctx: ProviderContext, name: CimInstanceName): Promise<void>;

  /**
   * Association providers may answer References directly: their instances of exactly
   * `assocClass` whose reference `role` (or any reference when null) designates `target`. When
   * absent, operations/ enumerates this provider's instances and filters.
   */
  referencesTo?(ctx: ProviderContext, assocClass: string, target: CimInstanceName, role: string | null): Promise<CimInstance[]>;

  /**
   * An extrinsic method on an instance (or a class, for static methods). Parameters arrive typed
   * through the method declaration, embedded instances parsed and typed through their class.
   * Method-level failures are return codes; CimError only for the cases DSP0200 lists.
   */
  invokeMethod?(
    ctx: ProviderContext,
    target: CimInstanceName | ClassNameRef,
    method: string,
    params: NameMap<CimValue>,
  ): Promise<MethodResult>;

  /** The role a method of `className` needs; operations/ defaults to 'admin'. */
  methodRole?(method: string, className: string): Role;
  /**
   * The role CreateInstance and DeleteInstance of `className` need; operations/ defaults to
   * 'admin'. A provider lowering it checks per instance who may change what (e.g. its owner).
   */
  writeRole?(className: string): Role;
}
