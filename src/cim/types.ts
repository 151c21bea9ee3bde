/** CIM data types (DSP0004 §5.2) as they appear in MOF and in CIM-XML TYPE/PARAMTYPE attributes. */

export const INTEGER_TYPES = ['uint8', 'sint8', 'uint16', 'sint16', 'uint32', 'sint32', 'uint64', 'sint64'] as const;
export const REAL_TYPES = ['real32', 'real64'] as const;
export const CIM_TYPES = [
  'boolean', 'string', 'char16', 'datetime', ...INTEGER_TYPES, ...REAL_TYPES, 'reference',
] as const;

export type IntegerType = (typeof INTEGER_TYPES)[number];
export type RealType = (typeof REAL_TYPES)[number];
export type CimType = (typeof CIM_TYPES)[number];

const TYPE_SET: ReadonlySet<string> = new Set(CIM_TYPES);

export function isCimType(t: string): t is CimType {
  return TYPE_SET.has(t);
}

export function isIntegerType(t: string): t is IntegerType {
  return (INTEGER_TYPES as readonly string[]).includes(t);
}

export function isRealType(t: string): t is RealType {
  return t === 'real32' || t === 'real64';
}

export function isNumericType(t: string): boolean {
  return isIntegerType(t) || isRealType(t);
}

/** Inclusive range of each integer type, as bigints so 64-bit bounds are exact. */
export const INTEGER_RANGE: Record<IntegerType, readonly [bigint, bigint]> = {
  uint8: [0n, 255n],
  sint8: [-128n, 127n],
  uint16: [0n, 65535n],
  sint16: [-32768n, 32767n],
  uint32: [0n, 4294967295n],
  sint32: [-2147483648n, 2147483647n],
  uint64: [0n, 18446744073709551615n],
  sint64: [-9223372036854775808n, 9223372036854775807n],
};
