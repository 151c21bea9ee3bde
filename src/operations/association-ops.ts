/**
 * Association traversal done once, generically (DSP0200 §5.3.2.13-16 Associators,
 * AssociatorNames, References, ReferenceNames). For a source instance: find the association
 * classes with a reference that can designate the source's class (AssocClass, Role filters),
 * get from every provider of each the instances that do designate it (its referencesTo, else
 * its enumeration, identities compared), then for Associators follow the other references
 * (ResultRole, ResultClass) and fetch the far ends. For a source class (CLASSNAME) the answer comes from the schema alone.
 */
import {
  type CimClass, type CimInstance, CimInstanceName, type CimProperty, type ClassNameRef, type IntrinsicResponse,
  type NameSet, classNameRef, cimError, instanceNameOf, isCimError, nameKey, sameName,
} from '../cim/index.js';
import type { OpContext } from './context.js';
import { encodeFlags } from './flags.js';
import { checkInstanceName, enumerateFrom, fetchInstance, fullPath, withPath } from './instances.js';
import type { InstanceProvider } from './provider.js';
import type { Params } from './params.js';

export interface AssocFilter {
  /** Associators: AssocClass. References: ResultClass (the association class). */
  assocClass: string | null;
  role: string | null;
  /** Associators only. */
  resultClass: string | null;
  resultRole: string | null;
}

interface AssocMatch {
  assoc: CimInstance;
  cls: CimClass;
  /** The reference properties of `assoc` that designate the source. */
  roles: CimProperty[];
}

/** A filter class that does not exist matches nothing (DSP0200: an empty result, not an error). */
function classFilter(ctx: OpContext, filter: string | null): (cls: string) => boolean {
  if (filter === null) return () => true;
  if (!ctx.repository.getClass(ctx.namespace, filter)) return () => false;
  return (cls) => ctx.repository.isSubclassOf(ctx.namespace, cls, filter);
}

/**
 * The references of `assoc` that can point at `sourceClass`: declared as the class or an
 * ancestor of it, or as a subclass (an override narrowed the reference class).
 */
function candidateRoles(ctx: OpContext, assoc: CimClass, sourceClass: string, role: string | null): CimProperty[] {
  return assoc.referenceProperties.filter((p) => {
    if (role !== null && !sameName(p.name, role)) return false;
    const rc = p.referenceClass;
    if (!rc) return true;
    return ctx.repository.isSubclassOf(ctx.namespace, sourceClass, rc) || ctx.repository.isSubclassOf(ctx.namespace, rc, sourceClass);
  });
}

/** The association classes (with their candidate roles) that can involve `sourceClass`. */
function candidateAssociations(ctx: OpContext, sourceClass: string, f: AssocFilter): { cls: CimClass; roles: CimProperty[] }[] {
  const assocOk = classFilter(ctx, f.assocClass);
  const out: { cls: CimClass; roles: CimProperty[] }[] = [];
  for (const cls of ctx.repository.associationClasses(ctx.namespace)) {
    if (!assocOk(cls.name)) continue;
    const roles = candidateRoles(ctx, cls, sourceClass, f.role);
    if (roles.length > 0) out.push({ cls, roles });
  }
  return out;
}

/** One provider's instances of `assocClass` that may designate `source` (its referencesTo, else all of them). */
function candidatesFrom(
  ctx: OpContext, provider: InstanceProvider, assocClass: string, source: CimInstanceName, role: string | null,
): Promise<CimInstance[]> {
  if (!provider.referencesTo) return enumerateFrom(ctx, provider, assocClass, null);
  const refs = provider.referencesTo.bind(provider);
  return ctx.call(`finding ${assocClass} references to ${source.toString()}`, () => refs(ctx.providerCtx, assocClass, source, role));
}

/** The association instances designating `source` (identity compared locally: no host/namespace). */
async function findReferences(ctx: OpContext, source: CimInstanceName, f: AssocFilter): Promise<AssocMatch[]> {
  const id = source.identity();
  const seen = new Set<string>();
  const out: AssocMatch[] = [];
  const perClass = await Promise.all(
    candidateAssociations(ctx, source.className, f).map(async ({ cls, roles }) => {
      const served = ctx.providers(cls.name);
      if (!served) return [];
      const role = roles.length === 1 ? roles[0]!.name : f.role;
      const lists = await Promise.all(served.all.map((p) => candidatesFrom(ctx, p, cls.name, source, role)));
      const matches: AssocMatch[] = [];
      for (const list of lists) {
        for (const assoc of list) {
          if (!assoc.path) assoc.path = instanceNameOf(ctx.requireClass(assoc.className), assoc);
          const hit = roles.filter((r) => {
            const v = assoc.get(r.name);
            return v instanceof CimInstanceName && v.identity() === id;
          });
          if (hit.length > 0) matches.push({ assoc, cls, roles: hit });
        }
      }
      return matches;
    }),
  );
  for (const list of perClass) {
    for (const m of list) {
      const key = m.assoc.path ? m.assoc.path.identity() : `${nameKey(m.cls.name)}#${out.length}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
  }
  return out;
}

/** Far-end names of the matched associations, with the namespace they live in, deduplicated. */
function farEnds(ctx: OpContext, matches: AssocMatch[], f: AssocFilter): CimInstanceName[] {
  const seen = new Set<string>();
  const out: CimInstanceName[] = [];
  for (const m of matches) {
    for (const r of m.roles) {
      for (const q of m.cls.referenceProperties) {
        if (q === r || sameName(q.name, r.name)) continue;
        if (f.resultRole !== null && !sameName(q.name, f.resultRole)) continue;
        const v = m.assoc.get(q.name);
        if (!(v instanceof CimInstanceName)) continue;
        const ns = v.namespace ?? ctx.namespace;
        if (!ctx.repository.hasNamespace(ns)) {
          ctx.env.log(`association ${m.cls.name} refers to ${v.toString()} in unknown namespace ${ns}; skipped`);
          continue;
        }
        const canonical = ctx.repository.requireNamespace(ns);
        if (f.resultClass !== null) {
          if (!ctx.repository.getClass(canonical, f.resultClass)) continue;
          if (!ctx.repository.isSubclassOf(canonical, v.className, f.resultClass)) continue;
        }
        const key = `${nameKey(canonical)}|${v.identity()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(v.withNamespace(canonical));
      }
    }
  }
  return out;
}

/** Source of an instance-level traversal; an unknown class is an invalid ObjectName. */
export function checkSource(ctx: OpContext, name: CimInstanceName): CimInstanceName {
  return checkInstanceName(ctx, name, 'INVALID_PARAMETER').name;
}

export async function referenceInstances(ctx: OpContext, source: CimInstanceName, f: AssocFilter): Promise<CimInstance[]> {
  const matches = await findReferences(ctx, source, f);
  return matches.map((m) => withPath(m.assoc, fullPath(ctx, m.assoc.path!, ctx.namespace)));
}

export async function referencePaths(ctx: OpContext, source: CimInstanceName, f: AssocFilter): Promise<CimInstanceName[]> {
  const matches = await findReferences(ctx, source, f);
  return matches.map((m) => fullPath(ctx, m.assoc.path!, ctx.namespace));
}

export async function associatorPaths(ctx: OpContext, source: CimInstanceName, f: AssocFilter): Promise<CimInstanceName[]> {
  return farEnds(ctx, await findReferences(ctx, source, f), f).map((n) => fullPath(ctx, n));
}

/** Far-end instances; a reference to an instance that no longer exists is skipped and logged. */
export async function associatorInstances(
  ctx: OpContext, source: CimInstanceName, f: AssocFilter, propertyList: NameSet | null,
): Promise<CimInstance[]> {
  const names = farEnds(ctx, await findReferences(ctx, source, f), f);
  const fetched = await Promise.all(
    names.map(async (n) => {
      const there = ctx.inNamespace(n.namespace!);
      try {
        const { name } = checkInstanceName(there, n, 'NOT_FOUND');
        const inst = await fetchInstance(there, name, propertyList);
        return withPath(inst, fullPath(there, inst.path ?? name, there.namespace));
      } catch (e) {
        if (isCimError(e) && (e.code === 6 || e.code === 4)) {
          ctx.env.log(`dangling association reference to ${n.toString()} skipped: ${e.description}`);
          return undefined;
        }
        throw e;
      }
    }),
  );
  return fetched.filter((i): i is CimInstance => i !== undefined);
}

// ---- class-level traversal (ObjectName is a CLASSNAME): answered from the schema ----

function classReferences(ctx: OpContext, sourceClass: string, f: AssocFilter): { cls: CimClass; roles: CimProperty[] }[] {
  return candidateAssociations(ctx, sourceClass, f);
}

function classAssociators(ctx: OpContext, sourceClass: string, f: AssocFilter): CimClass[] {
  const resultOk = classFilter(ctx, f.resultClass);
  const seen = new Set<string>();
  const out: CimClass[] = [];
  for (const { cls, roles } of candidateAssociations(ctx, sourceClass, f)) {
    for (const r of roles) {
      for (const q of cls.referenceProperties) {
        if (sameName(q.name, r.name)) continue;
        if (f.resultRole !== null && !sameName(q.name, f.resultRole)) continue;
        const target = q.referenceClass && ctx.repository.getClass(ctx.namespace, q.referenceClass);
        if (!target || !resultOk(target.name) || seen.has(nameKey(target.name))) continue;
        seen.add(nameKey(target.name));
        out.push(target);
      }
    }
  }
  return out;
}

function classPath(ctx: OpContext, cls: CimClass): ClassNameRef {
  return classNameRef(cls.name, ctx.namespace, ctx.env.hostName);
}

// ---- the four classic operations ----

function sourceOf(ctx: OpContext, p: Params): CimInstanceName | ClassNameRef {
  const obj = p.objectName('ObjectName');
  if (obj instanceof CimInstanceName) return checkSource(ctx, obj);
  if (!ctx.repository.getClass(ctx.namespace, obj.className)) {
    throw cimError('INVALID_PARAMETER', `ObjectName: class ${obj.className} does not exist in namespace ${ctx.namespace}`);
  }
  return obj;
}

function associatorFilter(p: Params): AssocFilter {
  return { assocClass: p.className('AssocClass'), resultClass: p.className('ResultClass'), role: p.string('Role'), resultRole: p.string('ResultRole') };
}

function referenceFilter(p: Params): AssocFilter {
  return { assocClass: p.className('ResultClass'), resultClass: null, role: p.string('Role'), resultRole: null };
}

function objectFlags(p: Params) {
  return encodeFlags(p.bool('IncludeQualifiers', false), p.bool('IncludeClassOrigin', false), p.propertyList());
}

export async function associators(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const src = sourceOf(ctx, p);
  const f = associatorFilter(p);
  const flags = objectFlags(p);
  if (src instanceof CimInstanceName) {
    return { result: { kind: 'objectsWithPath', instances: await associatorInstances(ctx, src, f, flags.propertyList) }, flags };
  }
  const classes = classAssociators(ctx, src.className, f).map((cls) => ({ cls, namespace: ctx.namespace }));
  return { result: { kind: 'classesWithPath', classes }, flags };
}

export async function associatorNames(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const src = sourceOf(ctx, p);
  const f = associatorFilter(p);
  const flags = encodeFlags(false, false, null);
  if (src instanceof CimInstanceName) return { result: { kind: 'objectPaths', names: await associatorPaths(ctx, src, f) }, flags };
  return { result: { kind: 'classPaths', paths: classAssociators(ctx, src.className, f).map((c) => classPath(ctx, c)) }, flags };
}

export async function references(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const src = sourceOf(ctx, p);
  const f = referenceFilter(p);
  const flags = objectFlags(p);
  if (src instanceof CimInstanceName) {
    return { result: { kind: 'objectsWithPath', instances: await referenceInstances(ctx, src, f) }, flags };
  }
  const classes = classReferences(ctx, src.className, f).map(({ cls }) => ({ cls, namespace: ctx.namespace }));
  return { result: { kind: 'classesWithPath', classes }, flags };
}

export async function referenceNames(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const src = sourceOf(ctx, p);
  const f = referenceFilter(p);
  const flags = encodeFlags(false, false, null);
  if (src instanceof CimInstanceName) return { result: { kind: 'objectPaths', names: await referencePaths(ctx, src, f) }, flags };
  return { result: { kind: 'classPaths', paths: classReferences(ctx, src.className, f).map(({ cls }) => classPath(ctx, cls)) }, flags };
}
