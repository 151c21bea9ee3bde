/**
 * Extrinsic method calls (DSP0200 §5.4 InvokeMethod). The target must exist
 * (CIM_ERR_NOT_FOUND), the method must be declared by its class (CIM_ERR_METHOD_NOT_FOUND) and
 * implemented by the provider (CIM_ERR_METHOD_NOT_AVAILABLE). IN parameters are typed through
 * the method's declaration, embedded instances parsed and typed through their own class; the
 * return value and OUT parameters are typed through the declaration on the way back.
 */
import {
  type CimMethod, CimInstanceName, type CimValue, type ClassNameRef, type ExtrinsicRequest, type ExtrinsicResult,
  NameMap, NameSet, type OutParam, type ParamValue, cimError, coerceValue, isClassNameRef, qualifierIsTrue,
} from '../cim/index.js';
import { requireRole } from './authorize.js';
import type { OpContext } from './context.js';
import { checkInstanceName, fetchInstance } from './instances.js';
import type { InstanceProvider } from './provider.js';
import { type ValueDecl, typeValue } from './typing.js';

export interface PreparedCall {
  target: CimInstanceName | ClassNameRef;
  method: CimMethod;
  provider: InstanceProvider;
}

/**
 * Resolves target, method and provider (the owner of the class), and checks the caller's role (before any parameter is
 * looked at, so a reader learns nothing more than that the call is not allowed).
 */
export function prepareCall(ctx: OpContext, req: ExtrinsicRequest): PreparedCall {
  const className = req.target.className;
  const cls = ctx.repository.getClass(ctx.namespace, className);
  if (!cls) throw cimError('NOT_FOUND', `class ${className} does not exist in namespace ${ctx.namespace}`);
  const method = cls.methods.get(req.method);
  if (!method) throw cimError('METHOD_NOT_FOUND', `class ${cls.name} has no method ${req.method}`);
  const provider = ctx.providers(cls.name)?.owner;
  if (!provider || !provider.invokeMethod) {
    throw cimError('METHOD_NOT_AVAILABLE', `method ${cls.name}.${method.name} is not implemented`);
  }
  const needed = provider.methodRole?.(method.name, cls.name) ?? 'admin';
  requireRole(ctx.principal, needed, `method ${cls.name}.${method.name}`);
  // DSP0004 §5.6.3, qualifier Static: only a static method belongs to the class itself; any other acts on one
  // instance, which a class path does not name (DSP0200 §5.4: the target is then an instance path).
  if (!(req.target instanceof CimInstanceName) && !qualifierIsTrue(method.qualifiers, 'Static')) {
    throw cimError('INVALID_PARAMETER', `method ${cls.name}.${method.name} is not static: invoke it on an instance of ${cls.name}, not on the class`);
  }
  const target = req.target instanceof CimInstanceName ? checkInstanceName(ctx, req.target, 'NOT_FOUND').name : req.target;
  return { target, method, provider };
}

function paramDecl(method: CimMethod, name: string): ValueDecl & { isIn: boolean; isOut: boolean } {
  const p = method.parameters.get(name)!;
  const d: ValueDecl & { isIn: boolean; isOut: boolean } = { name: p.name, type: p.type, isArray: p.isArray, isIn: p.isIn, isOut: p.isOut };
  if (p.embeddedObject) d.embeddedObject = p.embeddedObject;
  if (p.referenceClass !== undefined) d.referenceClass = p.referenceClass;
  const eic = p.embeddedInstanceClass;
  if (eic) d.embeddedInstanceClass = eic;
  return d;
}

/** IN parameters by declared name, each typed; unknown or duplicate names are CIM_ERR_INVALID_PARAMETER. */
export function typeInParams(ctx: OpContext, method: CimMethod, params: ParamValue[]): NameMap<CimValue> {
  const out = new NameMap<CimValue>();
  for (const pv of params) {
    if (!method.parameters.has(pv.name)) {
      throw cimError('INVALID_PARAMETER', `method ${method.name} has no parameter "${pv.name}" (parameters: ${method.parameters.names().join(', ') || 'none'})`);
    }
    const decl = paramDecl(method, pv.name);
    if (out.has(decl.name)) throw cimError('INVALID_PARAMETER', `parameter "${decl.name}" of ${method.name} given twice`);
    if (!decl.isIn) throw cimError('INVALID_PARAMETER', `parameter "${decl.name}" of ${method.name} is an output parameter`);
    if (isClassNameRef(pv.value) || (typeof pv.value === 'object' && pv.value !== null && 'scopes' in pv.value)) {
      throw cimError('INVALID_PARAMETER', `parameter "${decl.name}" of ${method.name}: unexpected value`);
    }
    out.set(decl.name, typeValue(ctx, pv.value as CimValue, decl, `parameter "${decl.name}" of ${method.name}`, 'INVALID_PARAMETER'));
  }
  return out;
}

export async function invoke(ctx: OpContext, call: PreparedCall, params: ParamValue[]): Promise<ExtrinsicResult> {
  const { target, method, provider } = call;
  const where = `${target.className}.${method.name}`;
  if (target instanceof CimInstanceName) await fetchInstance(ctx, target, new NameSet());
  const typed = typeInParams(ctx, method, params);
  const invokeFn = provider.invokeMethod!.bind(provider);
  const r = await ctx.call(`method ${where}`, () => invokeFn(ctx.providerCtx, target, method.name, typed));
  if (!r || typeof r !== 'object' || !('returnValue' in r)) throw cimError('FAILED', `method ${where} returned no result`);
  const bad = (what: string, e: unknown) =>
    cimError('FAILED', `method ${where} returned an ill-typed ${what}: ${e instanceof Error ? e.message : String(e)}`);
  let returnValue: CimValue;
  try {
    returnValue = coerceValue(r.returnValue, method.returnType, false, { what: 'return value', error: 'TYPE_MISMATCH' });
  } catch (e) {
    throw bad('return value', e);
  }
  const out: OutParam[] = [];
  for (const [name, value] of Object.entries(r.out ?? {})) {
    if (!method.parameters.has(name)) throw cimError('FAILED', `method ${where} returned undeclared output parameter "${name}"`);
    const d = paramDecl(method, name);
    let v: CimValue;
    try {
      v = typeValue(ctx, value, d, `output parameter "${d.name}"`, 'TYPE_MISMATCH');
    } catch (e) {
      throw bad(`output parameter "${d.name}"`, e);
    }
    const o: OutParam = { name: d.name, type: d.type, isArray: d.isArray, value: v };
    if (d.embeddedObject) o.embeddedObject = d.embeddedObject;
    out.push(o);
  }
  return { returnType: method.returnType, returnValue, out };
}
