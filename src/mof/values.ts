/**
 * MOF initializers → CIM values of a declared type (DSP0221 §7.6 literals, DSP0004 §5.2 types).
 * A literal of the wrong kind for the type is an error at the literal's position.
 */
import {
  CimDateTime, INTEGER_RANGE, bigToNumber, isCimError, isIntegerType, parseInstancePath,
  type CimInstanceName, type CimScalar, type CimType, type CimValue,
} from '../cim/index.js';
import type { ValueNode } from './ast.js';
import { MofError, clip } from './errors.js';

/** The largest finite IEEE 754 binary32 value. */
const REAL32_MAX = 3.4028234663852886e38;

export interface ConvertContext {
  /** For messages: `property Name`, `qualifier ValueMap`. */
  what: string;
  /** Resolves `$alias` to an instance path; undefined when unknown. */
  alias?: (name: string) => CimInstanceName | undefined;
  /** Accept a scalar for an array (qualifier values written in parentheses). */
  scalarAsArray?: boolean;
}

export function convertValue(node: ValueNode, type: CimType, isArray: boolean, ctx: ConvertContext): CimValue {
  if (node.kind === 'null') return null;
  if (node.kind === 'array') {
    if (!isArray) throw new MofError(node.loc, `${ctx.what} is a single ${type}, not an array: remove the braces`);
    return node.items.map((item) => (item.kind === 'null' ? null : convertScalar(item, type, ctx)));
  }
  if (isArray) {
    if (ctx.scalarAsArray) return [convertScalar(node, type, ctx)];
    throw new MofError(node.loc, `${ctx.what} is an array of ${type}: write its value in braces, e.g. {${describeLiteral(node)}}`);
  }
  return convertScalar(node, type, ctx);
}

function convertScalar(node: ValueNode, type: CimType, ctx: ConvertContext): CimScalar {
  const mismatch = (): never => {
    throw new MofError(node.loc, `${ctx.what} is of type ${type}, but the value is ${describeLiteral(node)}`);
  };
  switch (type) {
    case 'boolean':
      return node.kind === 'bool' ? node.value : mismatch();
    case 'string':
      return node.kind === 'string' ? node.value : mismatch();
    case 'char16':
      if (node.kind === 'char') return node.value;
      // DSP0221 allows a char16 given by its code as an integer.
      if (node.kind === 'int' && node.value >= 0n && node.value <= 0xffffn) return String.fromCharCode(Number(node.value));
      return mismatch();
    case 'datetime': {
      if (node.kind !== 'string') return mismatch();
      const d = CimDateTime.tryParse(node.value);
      if (!d) throw new MofError(node.loc, `${ctx.what}: "${clip(node.value)}" is not a CIM datetime (yyyymmddhhmmss.mmmmmmsutc or ddddddddhhmmss.mmmmmm:000)`);
      return d;
    }
    case 'real32':
    case 'real64': {
      if (node.kind !== 'real' && node.kind !== 'int') return mismatch();
      const v = Number(node.value);
      // DSP0004 real32/real64 are IEEE 754 binary32/binary64: a literal beyond their range is no value of the type.
      if (!Number.isFinite(v) || (type === 'real32' && Math.abs(v) > REAL32_MAX)) {
        throw new MofError(node.loc, `${ctx.what}: ${clip(node.text)} is out of range for ${type}`);
      }
      return v;
    }
    case 'reference':
      if (node.kind === 'alias') {
        const p = ctx.alias?.(node.name);
        if (!p) throw new MofError(node.loc, `${ctx.what}: alias $${node.name} names no instance compiled before it`);
        return p;
      }
      if (node.kind === 'string') {
        try {
          return parseInstancePath(node.value);
        } catch (e) {
          if (isCimError(e)) throw new MofError(node.loc, `${ctx.what}: ${e.description}`);
          throw e;
        }
      }
      return mismatch();
    default: {
      if (!isIntegerType(type) || node.kind !== 'int') return mismatch();
      const [lo, hi] = INTEGER_RANGE[type];
      if (node.value < lo || node.value > hi) {
        throw new MofError(node.loc, `${ctx.what}: ${clip(node.text)} is out of range for ${type} (${lo}..${hi})`);
      }
      return bigToNumber(node.value);
    }
  }
}

function describeLiteral(node: ValueNode): string {
  switch (node.kind) {
    case 'string': return `a string "${clip(node.value, 30)}"`;
    case 'char': return `a char16 '${node.value}'`;
    case 'int': return `an integer ${clip(node.text)}`;
    case 'real': return `a real ${clip(node.text)}`;
    case 'bool': return node.value ? 'TRUE' : 'FALSE';
    case 'alias': return `an alias $${clip(node.name)}`;
    case 'null': return 'NULL';
    case 'array': return 'an array';
  }
}
