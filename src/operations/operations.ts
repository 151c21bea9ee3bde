/**
 * Operations: the entry point from the protocol layer. One table lists every intrinsic method
 * of DSP0200 §5.3/§5.4 with the IPARAMVALUEs it accepts, whether it changes anything (admin
 * only, audited) and its handler. Unknown methods are CIM_ERR_NOT_SUPPORTED; nothing but a
 * CimError ever leaves this class.
 */
import {
  type ExtrinsicRequest, type ExtrinsicResult, type IntrinsicRequest, type IntrinsicResponse, NameMap, cimError, parseInstancePath,
} from '../cim/index.js';
import { auditParams, auditTarget, methodOutcome } from './audit.js';
import { audited, requireRole } from './authorize.js';
import * as assoc from './association-ops.js';
import * as classes from './class-ops.js';
import { OpContext, type OpEnv, asCimError } from './context.js';
import * as inst from './instance-ops.js';
import { invoke, prepareCall } from './method-ops.js';
import { type OperationsOptions, PULL_DEFAULTS } from './options.js';
import { Params } from './params.js';
import { ContextStore } from './pull/contexts.js';
import { OPEN_COMMON, PullOps } from './pull-ops.js';
import { execQuery } from './query-ops.js';
import type { Principal, Role } from './provider.js';

type Handler = (ctx: OpContext, p: Params) => IntrinsicResponse | Promise<IntrinsicResponse>;

interface OpSpec {
  params: readonly string[];
  /** Changes state: needs admin and is audited. */
  change?: boolean;
  /** The audited target, from the parameters. */
  target?: (p: Params) => string;
  handler: Handler;
}

const CLASS_READ = ['LocalOnly', 'IncludeQualifiers', 'IncludeClassOrigin'];
const INST_READ = ['LocalOnly', 'IncludeQualifiers', 'IncludeClassOrigin', 'PropertyList'];

function pathText(p: Params, name: string): string {
  try {
    return p.instanceName(name).local().toString();
  } catch {
    return '(invalid path)';
  }
}

function buildTable(pull: PullOps): NameMap<OpSpec> {
  const t = new NameMap<OpSpec>();
  const notSupported = (method: string, params: string[]): OpSpec => ({ params, change: true, target: () => method, handler: () => classes.schemaIsReadOnly(method) });
  t.set('GetClass', { params: ['ClassName', ...CLASS_READ, 'PropertyList'], handler: classes.getClass });
  t.set('EnumerateClasses', { params: ['ClassName', 'DeepInheritance', ...CLASS_READ], handler: classes.enumerateClasses });
  t.set('EnumerateClassNames', { params: ['ClassName', 'DeepInheritance'], handler: classes.enumerateClassNames });
  t.set('GetQualifier', { params: ['QualifierName'], handler: classes.getQualifier });
  t.set('EnumerateQualifiers', { params: [], handler: classes.enumerateQualifiers });
  t.set('CreateClass', notSupported('CreateClass', ['NewClass']));
  t.set('ModifyClass', notSupported('ModifyClass', ['ModifiedClass']));
  t.set('DeleteClass', notSupported('DeleteClass', ['ClassName']));
  t.set('SetQualifier', notSupported('SetQualifier', ['QualifierDeclaration']));
  t.set('DeleteQualifier', notSupported('DeleteQualifier', ['QualifierName']));

  t.set('GetInstance', { params: ['InstanceName', ...INST_READ], handler: inst.getInstance });
  t.set('EnumerateInstances', { params: ['ClassName', 'DeepInheritance', ...INST_READ], handler: inst.enumerateInstances });
  t.set('EnumerateInstanceNames', { params: ['ClassName'], handler: inst.enumerateInstanceNames });
  t.set('GetProperty', { params: ['InstanceName', 'PropertyName'], handler: inst.getProperty });
  t.set('SetProperty', { params: ['InstanceName', 'PropertyName', 'NewValue'], change: true, target: (p) => `${pathText(p, 'InstanceName')} ${p.string('PropertyName') ?? ''}`.trim(), handler: inst.setProperty });
  t.set('CreateInstance', {
    params: ['NewInstance'], change: true,
    target: (p) => { const v = p.raw('NewInstance'); return typeof v === 'object' && v !== null && 'className' in v ? String(v.className) : '(none)'; },
    handler: inst.createInstance,
  });
  t.set('ModifyInstance', {
    params: ['ModifiedInstance', 'IncludeQualifiers', 'PropertyList'], change: true,
    target: (p) => { const v = p.raw('ModifiedInstance'); return typeof v === 'object' && v !== null && 'path' in v && v.path ? String(v.path) : '(none)'; },
    handler: inst.modifyInstance,
  });
  t.set('DeleteInstance', { params: ['InstanceName'], change: true, target: (p) => pathText(p, 'InstanceName'), handler: inst.deleteInstance });

  const assocRead = ['IncludeQualifiers', 'IncludeClassOrigin', 'PropertyList'];
  t.set('Associators', { params: ['ObjectName', 'AssocClass', 'ResultClass', 'Role', 'ResultRole', ...assocRead], handler: assoc.associators });
  t.set('AssociatorNames', { params: ['ObjectName', 'AssocClass', 'ResultClass', 'Role', 'ResultRole'], handler: assoc.associatorNames });
  t.set('References', { params: ['ObjectName', 'ResultClass', 'Role', ...assocRead], handler: assoc.references });
  t.set('ReferenceNames', { params: ['ObjectName', 'ResultClass', 'Role'], handler: assoc.referenceNames });
  t.set('ExecQuery', { params: ['QueryLanguage', 'Query'], handler: execQuery });

  const common = [...OPEN_COMMON];
  t.set('OpenEnumerateInstances', { params: ['ClassName', 'DeepInheritance', 'IncludeClassOrigin', 'PropertyList', ...common], handler: (c, p) => pull.openEnumerateInstances(c, p) });
  t.set('OpenEnumerateInstancePaths', { params: ['ClassName', ...common], handler: (c, p) => pull.openEnumerateInstancePaths(c, p) });
  t.set('OpenAssociatorInstances', { params: ['InstanceName', 'AssocClass', 'ResultClass', 'Role', 'ResultRole', 'IncludeClassOrigin', 'PropertyList', ...common], handler: (c, p) => pull.openAssociatorInstances(c, p) });
  t.set('OpenAssociatorInstancePaths', { params: ['InstanceName', 'AssocClass', 'ResultClass', 'Role', 'ResultRole', ...common], handler: (c, p) => pull.openAssociatorInstancePaths(c, p) });
  t.set('OpenReferenceInstances', { params: ['InstanceName', 'ResultClass', 'Role', 'IncludeClassOrigin', 'PropertyList', ...common], handler: (c, p) => pull.openReferenceInstances(c, p) });
  t.set('OpenReferenceInstancePaths', { params: ['InstanceName', 'ResultClass', 'Role', ...common], handler: (c, p) => pull.openReferenceInstancePaths(c, p) });
  t.set('OpenQueryInstances', { params: ['FilterQueryLanguage', 'FilterQuery', 'ReturnQueryResultClass', 'OperationTimeout', 'ContinueOnError', 'MaxObjectCount'], handler: (c, p) => pull.openQueryInstances(c, p) });
  t.set('PullInstancesWithPath', { params: ['EnumerationContext', 'MaxObjectCount'], handler: (c, p) => pull.pull(c, p, 'instancesWithPath') });
  t.set('PullInstancePaths', { params: ['EnumerationContext', 'MaxObjectCount'], handler: (c, p) => pull.pull(c, p, 'instancePaths') });
  t.set('PullInstances', { params: ['EnumerationContext', 'MaxObjectCount'], handler: (c, p) => pull.pull(c, p, 'instances') });
  t.set('CloseEnumeration', { params: ['EnumerationContext'], handler: (c, p) => pull.close(c, p) });
  t.set('EnumerationCount', { params: ['EnumerationContext'], handler: (c, p) => pull.count(c, p) });
  return t;
}

export class Operations {
  private readonly env: OpEnv;
  private readonly contexts: ContextStore;
  private readonly table: NameMap<OpSpec>;

  constructor(private readonly opts: OperationsOptions) {
    this.env = {
      repository: opts.repository,
      registry: opts.registry,
      hostName: opts.hostName,
      parseEmbeddedObject: opts.parseEmbeddedObject,
      log: opts.log ?? ((m) => console.warn(`[operations] ${m}`)),
    };
    const limits = { ...PULL_DEFAULTS, ...(opts.pull ?? {}) };
    this.contexts = new ContextStore(limits.maxContexts, opts.now ?? Date.now, undefined, Math.min(limits.maxContextsPerUser, limits.maxContexts));
    this.table = buildTable(new PullOps(this.contexts, limits));
  }

  /** The role an instance write needs: what the class's owner says for CreateInstance, ModifyInstance and DeleteInstance, else admin. */
  private changeRole(req: IntrinsicRequest): Role {
    let v = req.params.get('NewInstance')?.value ?? req.params.get('ModifiedInstance')?.value ?? req.params.get('InstanceName')?.value;
    // An InstanceName sent as path text (Params.instanceName reads it so too).
    if (typeof v === 'string') {
      try {
        v = parseInstancePath(v);
      } catch {
        return 'admin';
      }
    }
    if (typeof v !== 'object' || v === null || !('className' in v)) return 'admin';
    const className = String(v.className);
    return this.opts.registry.providersOf(req.namespace, className)?.owner?.writeRole?.(className) ?? 'admin';
  }

  /** `streaming`: the caller can encode a namedInstanceStream (EnumerateInstances then streams). */
  async intrinsic(req: IntrinsicRequest, principal: Principal, signal?: AbortSignal, streaming = false): Promise<IntrinsicResponse> {
    const spec = this.table.get(req.method);
    if (!spec) throw cimError('NOT_SUPPORTED', `intrinsic method ${req.method} is not supported`);
    const name = this.table.spelling(req.method)!;
    const run = async (): Promise<IntrinsicResponse> => {
      if (spec.change) requireRole(principal, this.changeRole(req), name);
      const ctx = new OpContext(this.env, req.namespace, principal, signal, streaming);
      const params = new Params(name, req.params, spec.params);
      return spec.handler(ctx, params);
    };
    try {
      if (!spec.change) return await run();
      let target = name;
      try {
        target = spec.target ? spec.target(new Params(name, req.params, spec.params)) : name;
      } catch {
        target = '(invalid request)';
      }
      return await audited(this.opts.audit, principal, { operation: name, namespace: req.namespace, target }, run);
    } catch (e) {
      throw asCimError(e, name, this.env.log);
    }
  }

  async extrinsic(req: ExtrinsicRequest, principal: Principal, signal?: AbortSignal): Promise<ExtrinsicResult> {
    const params = auditParams(req);
    const subject = { operation: 'InvokeMethod', namespace: req.namespace, target: auditTarget(req), method: req.method, ...(params ? { params } : {}) };
    try {
      return await audited(this.opts.audit, principal, subject, async () => {
        const ctx = new OpContext(this.env, req.namespace, principal, signal);
        const call = prepareCall(ctx, req);
        return invoke(ctx, call, req.params);
      }, methodOutcome);
    } catch (e) {
      throw asCimError(e, `method ${req.method}`, this.env.log);
    }
  }

  /** Stops the expiry timer and drops every open enumeration context. */
  close(): void {
    this.contexts.stop();
  }
}
