/**
 * Reading the values providers receive. operations/ has typed them through their declarations
 * (method parameters; properties of embedded instances through their class), and wbemcli's
 * untyped text was converted there: these readers only check the shape a provider needs and
 * fail with CIM_ERR_INVALID_PARAMETER naming the value. NULL and absent read as undefined
 * (an empty list for the list readers).
 */
import {
  CimDateTime, CimInstance, CimInstanceName, type CimValue, type CimError, cimError,
} from '../../cim/index.js';
import type { Repository } from '../../repository/index.js';
import { VIRT_NS } from './naming.js';

/** What values are read from: method parameters, or an embedded instance's properties. */
export interface ValueSource {
  get(name: string): CimValue | undefined;
}

function label(name: string, where?: string): string {
  return where ? `${where}: ${name}` : name;
}

function wrong(name: string, where: string | undefined, expected: string, v: CimValue): CimError {
  const got = v instanceof CimInstance ? `an instance of ${v.className}` : v instanceof CimInstanceName ? 'a reference' : Array.isArray(v) ? 'an array' : JSON.stringify(String(v));
  return cimError('INVALID_PARAMETER', `${label(name, where)} must be ${expected}, got ${got}`);
}

function present(src: ValueSource, name: string): CimValue | undefined {
  const v = src.get(name);
  return v === null ? undefined : v;
}

export function readString(src: ValueSource, name: string, where?: string): string | undefined {
  const v = present(src, name);
  if (v === undefined || typeof v === 'string') return v;
  throw wrong(name, where, 'a string', v);
}

/** A whole number (any CIM integer type; 64-bit values beyond 2^53 are refused). */
export function readNumber(src: ValueSource, name: string, where?: string): number | undefined {
  const v = present(src, name);
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw wrong(name, where, typeof v === 'bigint' ? `at most ${Number.MAX_SAFE_INTEGER}` : 'a whole number', v);
}

export function readBoolean(src: ValueSource, name: string, where?: string): boolean | undefined {
  const v = present(src, name);
  if (v === undefined || typeof v === 'boolean') return v;
  throw wrong(name, where, 'TRUE or FALSE', v);
}

export function readDateTime(src: ValueSource, name: string, where?: string): CimDateTime | undefined {
  const v = present(src, name);
  if (v === undefined || v instanceof CimDateTime) return v;
  throw wrong(name, where, 'a datetime', v);
}

function list(src: ValueSource, name: string): CimValue[] {
  const v = present(src, name);
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((e) => e !== null && e !== undefined) as CimValue[];
}

export function readStrings(src: ValueSource, name: string, where?: string): string[] {
  return list(src, name).map((e, i) => {
    if (typeof e === 'string') return e;
    throw wrong(`${name}[${i}]`, where, 'a string', e);
  });
}

export function readRef(src: ValueSource, name: string, where?: string): CimInstanceName | undefined {
  const v = present(src, name);
  if (v === undefined || v instanceof CimInstanceName) return v;
  throw wrong(name, where, 'a reference', v);
}

export function readRefs(src: ValueSource, name: string, where?: string): CimInstanceName[] {
  return list(src, name).map((e, i) => {
    if (e instanceof CimInstanceName) return e;
    throw wrong(`${name}[${i}]`, where, 'a reference', e);
  });
}

/** An embedded instance. */
export function readInstance(src: ValueSource, name: string, where?: string): CimInstance | undefined {
  const v = present(src, name);
  if (v === undefined || v instanceof CimInstance) return v;
  throw wrong(name, where, 'an embedded instance', v);
}

export function readInstances(src: ValueSource, name: string, where?: string): CimInstance[] {
  return list(src, name).map((e, i) => {
    if (e instanceof CimInstance) return e;
    throw wrong(`${name}[${i}]`, where, 'an embedded instance', e);
  });
}

/**
 * Whether a reference can designate an instance of `className`: its class is that class or an
 * ancestor (DSP0004). The schema checks a parameter's reference class, but not in a reference
 * that names a host, and not against the class of the instance its keys happen to fit.
 */
export function designates(repository: Pick<Repository, 'isSubclassOf'>, ref: CimInstanceName, className: string): boolean {
  return repository.isSubclassOf(VIRT_NS, className, ref.className);
}
