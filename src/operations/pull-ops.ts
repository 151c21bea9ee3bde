/**
 * Pull operations (DSP0200 §5.4, 1.3+): Open* computes the whole result once (the same code as
 * the classic operations), returns the first MaxObjectCount objects and keeps the rest in an
 * enumeration context for Pull*. Decisions where DSP0200 leaves a choice:
 * - OperationTimeout NULL → the configured default; 0 ("never expire") and values above the
 *   maximum → CIM_ERR_INVALID_OPERATION_TIMEOUT.
 * - MaxObjectCount above the configured maximum is clamped (it is only an upper bound).
 * - ContinueOnError=true → CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED.
 * - FilterQuery (DMTF:FQL) → CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED; another language →
 *   CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED; a query without language or the reverse → INVALID_PARAMETER.
 * - EnumerationCount returns the exact number of objects left (results are computed at Open).
 */
import {
  type CimInstance, type CimInstanceName, type EncodeFlags, type IntrinsicResponse, cimError,
} from '../cim/index.js';
import {
  type AssocFilter, associatorInstances, associatorPaths, checkSource, referenceInstances, referencePaths,
} from './association-ops.js';
import type { OpContext } from './context.js';
import { NO_FLAGS, encodeFlags, restrictToClass } from './flags.js';
import { enumerateDeep, enumerateNamesDeep, fullPath, withPath } from './instances.js';
import type { PullLimits } from './options.js';
import type { Params } from './params.js';
import type { ContextStore, PullItems, Slice } from './pull/contexts.js';
import { compileQuery, runQuery } from './query-ops.js';

export const OPEN_COMMON = ['FilterQueryLanguage', 'FilterQuery', 'OperationTimeout', 'ContinueOnError', 'MaxObjectCount'] as const;

export class PullOps {
  constructor(private readonly store: ContextStore, private readonly limits: Required<PullLimits>) {}

  private maxCount(p: Params, required: boolean): number {
    const n = p.uint32('MaxObjectCount');
    if (n === null) {
      if (required) throw cimError('INVALID_PARAMETER', 'MaxObjectCount is required');
      return 0;
    }
    return Math.min(n, this.limits.maxObjectCount);
  }

  /** Validates the parameters every Open* shares, before any work is done. */
  private openCommon(p: Params, withFilter: boolean): { timeoutMs: number; max: number } {
    if (p.bool('ContinueOnError', false)) {
      throw cimError('CONTINUATION_ON_ERROR_NOT_SUPPORTED', 'ContinueOnError=true is not supported; an error ends the enumeration');
    }
    if (withFilter) {
      const lang = p.string('FilterQueryLanguage');
      const query = p.string('FilterQuery');
      if (lang !== null && query === null) throw cimError('INVALID_PARAMETER', 'FilterQueryLanguage given without FilterQuery');
      if (lang === null && query !== null) throw cimError('INVALID_PARAMETER', 'FilterQuery given without FilterQueryLanguage');
      if (lang !== null) {
        if (lang.trim().toUpperCase() !== 'DMTF:FQL') throw cimError('QUERY_LANGUAGE_NOT_SUPPORTED', `filter query language "${lang}" is not supported`);
        throw cimError('FILTERED_ENUMERATION_NOT_SUPPORTED', 'filtered enumerations (DMTF:FQL) are not supported; use ExecQuery or OpenQueryInstances with WQL');
      }
    }
    const t = p.uint32('OperationTimeout');
    let timeoutSec = this.limits.defaultTimeoutSec;
    if (t !== null) {
      if (t === 0) throw cimError('INVALID_OPERATION_TIMEOUT', 'OperationTimeout 0 (never expire) is not supported');
      if (t > this.limits.maxTimeoutSec) {
        throw cimError('INVALID_OPERATION_TIMEOUT', `OperationTimeout ${t} exceeds the maximum of ${this.limits.maxTimeoutSec} seconds`);
      }
      timeoutSec = t;
    }
    return { timeoutMs: timeoutSec * 1000, max: this.maxCount(p, false) };
  }

  private respond(items: PullItems, slice: Slice, flags: EncodeFlags): IntrinsicResponse {
    const instances = items === 'instancePaths' ? [] : (slice.objects as CimInstance[]);
    const paths = items === 'instancePaths' ? (slice.objects as CimInstanceName[]) : [];
    return {
      result: { kind: 'pull', items, instances, paths, endOfSequence: slice.endOfSequence, context: slice.context },
      flags,
    };
  }

  private open(
    ctx: OpContext, items: PullItems, flags: EncodeFlags, common: { timeoutMs: number; max: number },
    objects: (CimInstance | CimInstanceName)[],
  ): IntrinsicResponse {
    const slice = this.store.open(
      { namespace: ctx.namespace, owner: ctx.principal.name, items, flags, timeoutMs: common.timeoutMs },
      objects, common.max,
    );
    return this.respond(items, slice, flags);
  }

  private withFullPaths(ctx: OpContext, list: CimInstance[]): CimInstance[] {
    return list.map((i) => withPath(i, fullPath(ctx, i.path!, ctx.namespace)));
  }

  async openEnumerateInstances(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const cls = ctx.requireClass(p.requiredClassName('ClassName'));
    const common = this.openCommon(p, true);
    const asked = p.propertyList();
    const deep = p.bool('DeepInheritance', true);
    const propertyList = deep ? asked : restrictToClass(cls, asked);
    const flags = encodeFlags(false, p.bool('IncludeClassOrigin', false), propertyList, deep ? undefined : asked);
    const list = await enumerateDeep(ctx, cls.name, propertyList);
    return this.open(ctx, 'instancesWithPath', flags, common, this.withFullPaths(ctx, list));
  }

  async openEnumerateInstancePaths(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const cls = ctx.requireClass(p.requiredClassName('ClassName'));
    const common = this.openCommon(p, true);
    const names = await enumerateNamesDeep(ctx, cls.name);
    return this.open(ctx, 'instancePaths', NO_FLAGS, common, names.map((n) => fullPath(ctx, n, ctx.namespace)));
  }

  private assocFilter(p: Params, associators: boolean): AssocFilter {
    return associators
      ? { assocClass: p.className('AssocClass'), resultClass: p.className('ResultClass'), role: p.string('Role'), resultRole: p.string('ResultRole') }
      : { assocClass: p.className('ResultClass'), resultClass: null, role: p.string('Role'), resultRole: null };
  }

  async openAssociatorInstances(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const src = checkSource(ctx, p.instanceName('InstanceName'));
    const common = this.openCommon(p, true);
    const flags = encodeFlags(false, p.bool('IncludeClassOrigin', false), p.propertyList());
    const list = await associatorInstances(ctx, src, this.assocFilter(p, true), flags.propertyList);
    return this.open(ctx, 'instancesWithPath', flags, common, list);
  }

  async openAssociatorInstancePaths(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const src = checkSource(ctx, p.instanceName('InstanceName'));
    const common = this.openCommon(p, true);
    return this.open(ctx, 'instancePaths', NO_FLAGS, common, await associatorPaths(ctx, src, this.assocFilter(p, true)));
  }

  async openReferenceInstances(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const src = checkSource(ctx, p.instanceName('InstanceName'));
    const common = this.openCommon(p, true);
    const flags = encodeFlags(false, p.bool('IncludeClassOrigin', false), p.propertyList());
    return this.open(ctx, 'instancesWithPath', flags, common, await referenceInstances(ctx, src, this.assocFilter(p, false)));
  }

  async openReferenceInstancePaths(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const src = checkSource(ctx, p.instanceName('InstanceName'));
    const common = this.openCommon(p, true);
    return this.open(ctx, 'instancePaths', NO_FLAGS, common, await referencePaths(ctx, src, this.assocFilter(p, false)));
  }

  /** OpenQueryInstances (DSP0200 §5.4.2.8): FilterQuery is WQL/CQL here, not FQL. */
  async openQueryInstances(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
    const q = compileQuery(ctx, p.requiredString('FilterQueryLanguage'), p.requiredString('FilterQuery'));
    if (p.bool('ReturnQueryResultClass', false)) {
      throw cimError('QUERY_FEATURE_NOT_SUPPORTED', 'ReturnQueryResultClass=true is not supported');
    }
    const common = this.openCommon(p, false);
    const flags = encodeFlags(false, false, q.propertyList);
    return this.open(ctx, 'instances', flags, common, await runQuery(ctx, q));
  }

  pull(ctx: OpContext, p: Params, items: PullItems): IntrinsicResponse {
    const id = p.requiredString('EnumerationContext');
    const max = this.maxCount(p, true);
    const { slice, flags } = this.store.pull(id, ctx.namespace, ctx.principal.name, items, max);
    return this.respond(items, slice, flags);
  }

  close(ctx: OpContext, p: Params): IntrinsicResponse {
    this.store.close(p.requiredString('EnumerationContext'), ctx.namespace, ctx.principal.name);
    return { result: { kind: 'void' }, flags: NO_FLAGS };
  }

  count(ctx: OpContext, p: Params): IntrinsicResponse {
    const n = this.store.remaining(p.requiredString('EnumerationContext'), ctx.namespace, ctx.principal.name);
    return { result: { kind: 'count', value: n }, flags: NO_FLAGS };
  }
}
