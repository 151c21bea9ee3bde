/**
 * Evaluation of a parsed WHERE clause against one instance, in SQL's three-valued logic: a
 * comparison with NULL is unknown, and only rows whose condition is true are selected.
 * Array properties match when any element does. Strings compare exactly; a WQL LIKE ignores
 * case, a DMTF:CQL one does not (DSP0202); numbers compare by value whatever their width; a string literal compared with a
 * number, datetime, boolean or reference property is read as that type.
 */
import {
  CimInstance, CimDateTime, CimInstanceName, type CimScalar, type CimValue, isCimError, parseInstancePath,
} from '../../cim/index.js';
import { type CompareOp, type CqlPattern, type Expr, type Literal, type Operand, decimalNumber } from './wql-parser.js';

export interface EvalEnv {
  /** True when `className` is `ancestor` or one of its subclasses. */
  isA(className: string, ancestor: string): boolean;
}

type Tri = boolean | null;

export function whereMatches(expr: Expr | null, inst: CimInstance, env: EvalEnv): boolean {
  return expr === null || evaluate(expr, inst, env) === true;
}

export function evaluate(e: Expr, inst: CimInstance, env: EvalEnv): Tri {
  switch (e.kind) {
    case 'and': {
      const l = evaluate(e.left, inst, env);
      if (l === false) return false;
      const r = evaluate(e.right, inst, env);
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evaluate(e.left, inst, env);
      if (l === true) return true;
      const r = evaluate(e.right, inst, env);
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
    case 'not': {
      const v = evaluate(e.expr, inst, env);
      return v === null ? null : !v;
    }
    case 'isNull': {
      const v = operandValue(e.prop, inst, env);
      const isNull = v === null || (Array.isArray(v) && v.length === 0);
      return e.negated ? !isNull : isNull;
    }
    case 'like': {
      const cql = e.cql;
      if (cql) return anyOf(operandValue(e.prop, inst, env), (s) => (typeof s === 'string' ? cqlLikeMatch(cql, s) !== e.negated : null));
      let pattern = likePatterns.get(e);
      if (!pattern) likePatterns.set(e, (pattern = Array.from(e.pattern.toLowerCase())));
      return anyOf(operandValue(e.prop, inst, env), (s) => (typeof s === 'string' ? likeMatch(pattern, s) !== e.negated : null));
    }
    case 'isa': {
      if (e.prop.kind === 'prop' && e.prop.name.toLowerCase() === '__class') {
        const c = operandValue(e.prop, inst, env);
        return typeof c === 'string' ? env.isA(c, e.className) : null;
      }
      return anyOf(operandValue(e.prop, inst, env), (s) => {
        if (s instanceof CimInstanceName) return env.isA(s.className, e.className);
        if (typeof s === 'object' && s !== null && 'className' in s && typeof s.className === 'string') return env.isA(s.className, e.className);
        return null;
      });
    }
    case 'cmp': {
      const l = operandValue(e.left, inst, env);
      const r = operandValue(e.right, inst, env);
      return anyOf(l, (a) => anyOf(r, (b) => compare(a, b, e.op)));
    }
  }
}

function operandValue(o: Operand, inst: CimInstance, env: EvalEnv): CimValue | Literal {
  if (o.kind === 'lit') return o.value;
  let from = inst;
  // `Embedded.Prop` reads the embedded instance; any other qualifier is a class that only scopes the name.
  if (o.via !== undefined && inst.properties.has(o.via)) {
    const e = inst.get(o.via);
    if (!(e instanceof CimInstance)) return null;
    if (o.scope !== undefined && !env.isA(e.className, o.scope)) return null;
    from = e;
  }
  if (o.name.toLowerCase() === '__class') return from.className;
  return from.get(o.name) ?? null;
}

/** Applies `f` to a scalar, or to each element of an array: true if any is true. */
function anyOf(v: CimValue | Literal, f: (s: CimScalar) => Tri): Tri {
  if (v === null) return null;
  if (!Array.isArray(v)) return f(v);
  let unknown = false;
  for (const e of v) {
    if (e === null) { unknown = true; continue; }
    const r = f(e);
    if (r === true) return true;
    if (r === null) unknown = true;
  }
  return unknown ? null : false;
}

/** Each LIKE's pattern, split into characters once per parsed query (not per instance or event). */
const likePatterns = new WeakMap<object, string[]>();

/**
 * LIKE: `%` any run of characters, `_` exactly one, anything else itself, ignoring case. Matched
 * by one pass that returns to the last `%` on a mismatch (at most pattern × text steps): a pattern
 * of many `%_` pairs cannot make it backtrack exponentially, as a regular expression would.
 */
export function likeMatch(pattern: readonly string[], text: string): boolean {
  const t = Array.from(text.toLowerCase());
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < t.length) {
    const c = pattern[i];
    if (c !== undefined && c !== '%' && (c === '_' || c === t[j])) {
      i++;
      j++;
    } else if (c === '%') {
      star = i++;
      resume = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[i] === '%') i++;
  return i === pattern.length;
}

/**
 * A DMTF:CQL LIKE: the whole text against the pattern, case kept. The pattern's states are
 * followed all at once, character by character (at most pattern × text steps): `.*` repeated
 * cannot make it backtrack exponentially.
 */
export function cqlLikeMatch(pattern: CqlPattern, text: string): boolean {
  const n = pattern.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const close = (set: Uint8Array): void => {
    // A repeated element may occur no time at all: its state also stands for the one after it.
    for (let i = 0; i < n; i++) if (set[i] && pattern[i]!.repeat) set[i + 1] = 1;
  };
  cur[0] = 1;
  close(cur);
  for (const ch of text) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!cur[i]) continue;
      const el = pattern[i]!;
      if (el.c !== null && el.c !== ch) continue;
      next[el.repeat ? i : i + 1] = 1;
      any = true;
    }
    if (!any) return false;
    close(next);
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

function order(sign: number, op: CompareOp): boolean {
  switch (op) {
    case '=': return sign === 0;
    case '<>': return sign !== 0;
    case '<': return sign < 0;
    case '<=': return sign <= 0;
    case '>': return sign > 0;
    case '>=': return sign >= 0;
  }
}

function isNum(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function numSign(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  const ia = typeof a === 'bigint' || Number.isInteger(a);
  const ib = typeof b === 'bigint' || Number.isInteger(b);
  if (ia && ib) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compare(a: CimScalar, b: CimScalar, op: CompareOp): Tri {
  // Put a string literal on the right so that it can be read as the other side's type.
  if (typeof a === 'string' && typeof b !== 'string') return compare(b, a, flip(op));
  if (isNum(a)) {
    if (isNum(b)) return order(numSign(a, b), op);
    const bn = typeof b === 'string' ? decimalNumber(b.trim()) : undefined;
    return bn === undefined ? null : order(numSign(a, bn), op);
  }
  if (typeof a === 'boolean') {
    const bb = typeof b === 'boolean' ? b : typeof b === 'string' && /^(true|false)$/i.test(b.trim()) ? b.trim().toLowerCase() === 'true' : null;
    if (bb === null) return null;
    return order(Number(a) - Number(bb), op);
  }
  if (a instanceof CimDateTime) {
    const bd = b instanceof CimDateTime ? b : typeof b === 'string' ? CimDateTime.tryParse(b) : undefined;
    if (!bd || a.isInterval !== bd.isInterval) return null;
    const x = a.isInterval ? a.toMilliseconds() : a.toDate()?.getTime();
    const y = bd.isInterval ? bd.toMilliseconds() : bd.toDate()?.getTime();
    if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) {
      return op === '=' || op === '<>' ? a.equals(bd) === (op === '=') : null;
    }
    return order(Math.sign(x - y), op);
  }
  if (a instanceof CimInstanceName) {
    if (op !== '=' && op !== '<>') return null;
    let bn: CimInstanceName | undefined;
    if (b instanceof CimInstanceName) bn = b;
    else if (typeof b === 'string') {
      try { bn = parseInstancePath(b); } catch (e) { if (!isCimError(e)) throw e; return null; }
    }
    if (!bn) return null;
    return a.equals(bn) === (op === '=');
  }
  if (typeof a === 'string' && typeof b === 'string') return order(a < b ? -1 : a > b ? 1 : 0, op);
  return null;
}

function flip(op: CompareOp): CompareOp {
  switch (op) {
    case '<': return '>';
    case '<=': return '>=';
    case '>': return '<';
    case '>=': return '<=';
    default: return op;
  }
}
