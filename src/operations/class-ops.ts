/**
 * Schema operations (DSP0200 §5.3.2.1 GetClass, §5.3.2.9 EnumerateClasses, §5.3.2.10
 * EnumerateClassNames, §5.3.2.17-19 qualifier declarations). The schema is compiled MOF and
 * read-only over the wire: class and qualifier writes are CIM_ERR_NOT_SUPPORTED.
 */
import { CimClass, type IntrinsicResponse, cimError } from '../cim/index.js';
import type { OpContext } from './context.js';
import { NO_FLAGS, encodeFlags } from './flags.js';
import type { Params } from './params.js';

/**
 * LocalOnly=true drops the properties, methods and class qualifiers inherited unchanged
 * (propagated), as DSP0200 GetClass says of LocalOnly.
 */
function localView(cls: CimClass, localOnly: boolean): CimClass {
  if (!localOnly) return cls;
  const out = new CimClass(cls.name, cls.superClass);
  for (const [n, q] of cls.qualifiers) if (!q.propagated) out.qualifiers.set(n, q);
  for (const [n, p] of cls.properties) if (!p.propagated) out.properties.set(n, p);
  for (const [n, m] of cls.methods) if (!m.propagated) out.methods.set(n, m);
  return out;
}

export function getClass(ctx: OpContext, p: Params): IntrinsicResponse {
  const name = p.requiredClassName('ClassName');
  // DSP0200 §5.3.2.1: a class that does not exist is CIM_ERR_NOT_FOUND for GetClass (the
  // enumerations and instance operations answer CIM_ERR_INVALID_CLASS for it).
  const cls = ctx.repository.getClass(ctx.namespace, name);
  if (!cls) throw cimError('NOT_FOUND', `class ${name} does not exist in namespace ${ctx.namespace}`);
  return {
    result: { kind: 'class', cls: localView(cls, p.bool('LocalOnly', true)) },
    flags: encodeFlags(p.bool('IncludeQualifiers', true), p.bool('IncludeClassOrigin', false), p.propertyList()),
  };
}

/** ClassName NULL → the root classes (DeepInheritance=false) or every class (true). */
function subclassList(ctx: OpContext, p: Params): string[] {
  const name = p.className('ClassName');
  if (name !== null) ctx.requireClass(name);
  return ctx.repository.subclassNames(ctx.namespace, name ?? undefined, p.bool('DeepInheritance', false));
}

export function enumerateClasses(ctx: OpContext, p: Params): IntrinsicResponse {
  const localOnly = p.bool('LocalOnly', true);
  const classes = subclassList(ctx, p).map((n) => localView(ctx.requireClass(n), localOnly));
  return {
    result: { kind: 'classes', classes },
    flags: encodeFlags(p.bool('IncludeQualifiers', true), p.bool('IncludeClassOrigin', false), null),
  };
}

export function enumerateClassNames(ctx: OpContext, p: Params): IntrinsicResponse {
  return { result: { kind: 'classNames', names: subclassList(ctx, p) }, flags: NO_FLAGS };
}

export function getQualifier(ctx: OpContext, p: Params): IntrinsicResponse {
  const name = p.requiredString('QualifierName');
  const decl = ctx.repository.getQualifierDeclaration(ctx.namespace, name);
  if (!decl) throw cimError('NOT_FOUND', `no qualifier declaration "${name}" in namespace ${ctx.namespace}`);
  return { result: { kind: 'qualifierDeclaration', decl }, flags: NO_FLAGS };
}

export function enumerateQualifiers(ctx: OpContext): IntrinsicResponse {
  return { result: { kind: 'qualifierDeclarations', decls: ctx.repository.qualifierDeclarations(ctx.namespace) }, flags: NO_FLAGS };
}

export function schemaIsReadOnly(method: string): never {
  throw cimError('NOT_SUPPORTED', `${method}: the schema is compiled from MOF at start-up and cannot be changed over CIM-XML`);
}
