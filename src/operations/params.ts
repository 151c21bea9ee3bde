/**
 * IPARAMVALUE extraction (DSP0200 §5.3): each intrinsic method declares the parameters it
 * accepts; a name outside that set is CIM_ERR_INVALID_PARAMETER, a missing required one too.
 * An absent parameter and a NULL one both take the DSP0200 default. Values may arrive untyped
 * (text) from clients that send no TYPE, e.g. booleans as "TRUE"/"FALSE" and counts as "100".
 */
import {
  CimInstance, CimInstanceName, type CimQualifierDeclaration, type CimValue, type ClassNameRef,
  type NameMap, NameSet, type ParamValue, cimError, isClassNameRef, parseInstancePath, parseScalarText,
} from '../cim/index.js';

type Raw = CimValue | ClassNameRef | CimQualifierDeclaration;

export class Params {
  constructor(
    private readonly method: string,
    private readonly params: NameMap<ParamValue>,
    allowed: readonly string[],
  ) {
    const ok = new NameSet(allowed);
    for (const name of params.names()) {
      if (!ok.has(name)) {
        throw cimError('INVALID_PARAMETER', `${method} has no parameter "${name}" (parameters: ${allowed.join(', ') || 'none'})`);
      }
    }
  }

  /** The raw value, or undefined when absent or NULL. */
  raw(name: string): Raw | undefined {
    const p = this.params.get(name);
    if (!p || p.value === null || p.value === undefined) return undefined;
    return p.value;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  private missing(name: string): never {
    throw cimError('INVALID_PARAMETER', `${this.method} requires the parameter "${name}"`);
  }

  private wrong(name: string, expected: string): never {
    throw cimError('INVALID_PARAMETER', `${this.method}: parameter "${name}" must be ${expected}`);
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return dflt;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') return parseScalarText(v, 'boolean', { what: `${this.method}: parameter "${name}"` }) as boolean;
    return this.wrong(name, 'a boolean');
  }

  /** A non-negative integer (uint32), or null when absent/NULL. */
  uint32(name: string): number | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (typeof v === 'string') return parseScalarText(v, 'uint32', { what: `${this.method}: parameter "${name}"` }) as number;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
    if (typeof v === 'bigint' && v >= 0n && v <= 0xffffffffn) return Number(v);
    return this.wrong(name, 'a uint32');
  }

  string(name: string): string | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (typeof v === 'string') return v;
    return this.wrong(name, 'a string');
  }

  requiredString(name: string): string {
    return this.string(name) ?? this.missing(name);
  }

  /** A CLASSNAME (or its text), or null. */
  className(name: string): string | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    if (isClassNameRef(v)) return v.className;
    if (typeof v === 'string' && v.length > 0) return v;
    return this.wrong(name, 'a class name');
  }

  requiredClassName(name: string): string {
    return this.className(name) ?? this.missing(name);
  }

  /** An INSTANCENAME (also accepted as path text, as some clients send it untyped). */
  instanceName(name: string): CimInstanceName {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name);
    if (v instanceof CimInstanceName) return v;
    if (typeof v === 'string') return parseInstancePath(v);
    return this.wrong(name, 'an instance name');
  }

  /** ObjectName of the association operations: an INSTANCENAME or a CLASSNAME. */
  objectName(name: string): CimInstanceName | ClassNameRef {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name);
    if (v instanceof CimInstanceName || isClassNameRef(v)) return v;
    if (typeof v === 'string') {
      if (v.includes('.')) return parseInstancePath(v);
      return { kind: 'className', className: v };
    }
    return this.wrong(name, 'an instance or class name');
  }

  /** PropertyList: null (all properties) when absent or NULL; an empty array means none. */
  propertyList(name = 'PropertyList'): NameSet | null {
    const v = this.raw(name);
    if (v === undefined) return null;
    const arr = Array.isArray(v) ? v : [v];
    const out = new NameSet();
    for (const e of arr) {
      if (e === null) continue;
      if (typeof e !== 'string') return this.wrong(name, 'an array of property names');
      out.add(e);
    }
    return out;
  }

  instance(name: string): CimInstance {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name);
    if (v instanceof CimInstance) return v;
    return this.wrong(name, 'an instance');
  }

  /** NewValue of SetProperty: the value as sent (typed later through the property). */
  value(name: string): { value: CimValue; untyped: boolean } {
    const p = this.params.get(name);
    if (!p || p.value === null || p.value === undefined) return { value: null, untyped: false };
    if (isClassNameRef(p.value) || !isCimValue(p.value)) return this.wrong(name, 'a property value');
    return { value: p.value, untyped: p.untyped === true };
  }
}

function isCimValue(v: Raw): v is CimValue {
  return !(typeof v === 'object' && v !== null && !Array.isArray(v) && 'scopes' in v && 'flavor' in v);
}
