/**
 * CIM values in memory, and their conversion from and to CIM-XML text (DSP0201 §5.2 VALUE,
 * DSP0004 §5.2 types).
 *
 * In memory: boolean → boolean; string/char16 → string; 8..32-bit integers and reals → number;
 * 64-bit integers → number when safe, bigint beyond 2^53; datetime → CimDateTime;
 * reference → CimInstanceName; embedded object/instance (a string property qualified
 * EmbeddedObject/EmbeddedInstance) → CimInstance or CimClass. Arrays are JS arrays whose
 * elements may be null (VALUE.NULL). NULL is null.
 */
import { CimDateTime } from './datetime.js';
import { CimInstanceName } from './instance-name.js';
import { cimError } from './errors.js';
import { INTEGER_RANGE, isIntegerType, type CimType } from './types.js';
import type { CimInstance } from './instance.js';
import type { CimClass } from './class.js';

export type CimScalar = boolean | string | number | bigint | CimDateTime | CimInstanceName | CimInstance | CimClass;
export type CimValue = CimScalar | (CimScalar | null)[] | null;

/** What the converted value is for, so that an error can name it. */
export interface ValueContext {
  what: string; // e.g. `property "Name" of Xen_ComputerSystem`, `parameter "RequestedState"`
  /** CIM_ERR_INVALID_PARAMETER (the default) for requests, TYPE_MISMATCH for property updates. */
  error?: 'INVALID_PARAMETER' | 'TYPE_MISMATCH';
}

/**
 * Converts the text of one VALUE element to the declared type. Integers are range-checked;
 * booleans accept TRUE/FALSE in any case; reals accept INF, -INF and NaN.
 */
export function parseScalarText(text: string, type: CimType, ctx: ValueContext): CimScalar {
  const fail = (why: string) =>
    cimError(ctx.error ?? 'INVALID_PARAMETER', `${ctx.what}: ${why} (got "${truncate(text)}")`);
  switch (type) {
    case 'string':
      return text;
    case 'char16':
      // DSP0004: one UCS-2 character, i.e. one UTF-16 code unit (a character beyond U+FFFF is two).
      if (text.length !== 1) throw fail('a char16 value must be exactly one UCS-2 character');
      return text;
    case 'boolean': {
      const t = text.trim().toUpperCase();
      if (t === 'TRUE') return true;
      if (t === 'FALSE') return false;
      throw fail('expected TRUE or FALSE');
    }
    case 'datetime': {
      const d = CimDateTime.tryParse(text);
      if (!d) throw fail(CimDateTime.rangeProblem(text) ?? 'expected a CIM datetime (yyyymmddhhmmss.mmmmmmsutc or ddddddddhhmmss.mmmmmm:000)');
      return d;
    }
    case 'real32':
    case 'real64': {
      const t = text.trim();
      if (t === 'INF' || t === '+INF') return Infinity;
      if (t === '-INF') return -Infinity;
      if (t === 'NaN') return NaN;
      if (!/^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw fail(`expected a ${type} number`);
      return Number(t);
    }
    case 'reference':
      throw fail('a reference cannot be given as plain text here');
    default: {
      if (!isIntegerType(type)) throw fail(`unknown type ${type}`);
      const t = text.trim();
      // DSP0201 allows decimal; clients occasionally send hex (0x..) which DSP0004 MOF also knows.
      let b: bigint;
      // No CIM integer type has more than 20 digits (or 16 hex digits): a longer one is out of range unparsed.
      if (t.replace(/^[+-]?(0[xX])?0*/, '').length > 40) throw fail(`out of range for ${type} (${INTEGER_RANGE[type][0]}..${INTEGER_RANGE[type][1]})`);
      if (/^[+-]?\d+$/.test(t)) b = BigInt(t);
      else if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) b = (t.startsWith('-') ? -1n : 1n) * BigInt(t.replace(/^[+-]/, ''));
      else throw fail(`expected a whole number for ${type}`);
      const [lo, hi] = INTEGER_RANGE[type];
      if (b < lo || b > hi) throw fail(`out of range for ${type} (${lo}..${hi})`);
      return bigToNumber(b);
    }
  }
}

/** A bigint as number when it is exactly representable, else the bigint. */
export function bigToNumber(b: bigint): number | bigint {
  return b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b;
}

/**
 * Checks (and where harmless, converts) a JS value to the declared type: a numeric string for a
 * number, a number for a string property, and so on. Used for values that did not come as text.
 */
export function coerceScalar(v: CimScalar, type: CimType, ctx: ValueContext): CimScalar {
  if (typeof v === 'string') {
    if (type === 'string') return v;
    if (type === 'reference') {
      // Late import avoided: uri.ts depends on nothing here.
      throw cimError(ctx.error ?? 'INVALID_PARAMETER', `${ctx.what}: expected a reference, got text "${truncate(v)}"`);
    }
    return parseScalarText(v, type, ctx);
  }
  const fail = (why: string) => cimError(ctx.error ?? 'TYPE_MISMATCH', `${ctx.what}: ${why}`);
  switch (type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      throw fail('expected a boolean');
    case 'string':
    case 'char16':
      // Embedded instances and classes live in string properties.
      if (typeof v === 'object' && !(v instanceof CimInstanceName) && !(v instanceof CimDateTime)) return v;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
        const text = String(v);
        if (type === 'char16' && text.length !== 1) throw fail(`expected one character for char16, got ${truncate(text)}`);
        return text;
      }
      throw fail(`expected a ${type}`);
    case 'datetime':
      if (v instanceof CimDateTime) return v;
      throw fail('expected a datetime');
    case 'reference':
      if (v instanceof CimInstanceName) return v;
      throw fail('expected a reference');
    case 'real32':
    case 'real64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      throw fail(`expected a ${type}`);
    default: {
      if (typeof v !== 'number' && typeof v !== 'bigint') throw fail(`expected a ${type}`);
      if (typeof v === 'number' && !Number.isInteger(v)) throw fail(`expected a whole number for ${type}, got ${v}`);
      const b = BigInt(v);
      const [lo, hi] = INTEGER_RANGE[type as keyof typeof INTEGER_RANGE];
      if (b < lo || b > hi) throw fail(`${v} is out of range for ${type}`);
      return typeof v === 'bigint' ? bigToNumber(v) : v;
    }
  }
}

/** Coerces a whole value (scalar or array, possibly null) to a declared type and array-ness. */
export function coerceValue(v: CimValue | undefined, type: CimType, isArray: boolean, ctx: ValueContext): CimValue {
  if (v === null || v === undefined) return null;
  if (isArray) {
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((e, i) => (e === null ? null : coerceScalar(e, type, { ...ctx, what: `${ctx.what}[${i}]` })));
  }
  if (Array.isArray(v)) {
    if (v.length === 1 && v[0] !== null && v[0] !== undefined) return coerceScalar(v[0], type, ctx);
    throw cimError(ctx.error ?? 'TYPE_MISMATCH', `${ctx.what}: expected a single value, got an array`);
  }
  return coerceScalar(v, type, ctx);
}

/** The text of a scalar value inside VALUE (embedded objects and references are encoded elsewhere). */
export function formatScalarText(v: CimScalar): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'number':
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity) return 'INF';
      if (v === -Infinity) return '-INF';
      return String(v);
    case 'bigint':
      return v.toString();
    default:
      return v.toString();
  }
}

/** Guesses the CIM type of an untyped JS value (used only where no declaration exists). */
export function inferType(v: CimValue): CimType {
  const s = Array.isArray(v) ? v.find((e) => e !== null) ?? null : v;
  if (s === null) return 'string';
  if (typeof s === 'boolean') return 'boolean';
  if (typeof s === 'number') return Number.isInteger(s) ? 'sint64' : 'real64';
  if (typeof s === 'bigint') return s < 0n ? 'sint64' : 'uint64';
  if (s instanceof CimDateTime) return 'datetime';
  if (s instanceof CimInstanceName) return 'reference';
  return 'string';
}

/** Equality of two values for query evaluation and filters: strings exact, numbers by value. */
export function valuesEqual(a: CimValue, b: CimValue): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i] ?? null));
  }
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return typeof a === typeof b ? a === b : BigInt(Math.trunc(Number(a))) === BigInt(Math.trunc(Number(b))) && Number(a) === Number(b);
  }
  if (a instanceof CimInstanceName && b instanceof CimInstanceName) return a.equals(b);
  if (a instanceof CimDateTime && b instanceof CimDateTime) return a.equals(b);
  return a === b;
}

function truncate(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
