/** Qualifiers and qualifier declarations with their flavors (DSP0004 §5.6, DSP0201 QUALIFIER). */
import type { CimType } from './types.js';
import type { CimValue } from './values.js';
import { NameMap } from './names.js';

export interface QualifierFlavor {
  overridable: boolean;
  toSubclass: boolean;
  toInstance: boolean;
  translatable: boolean;
}

/** DSP0004 defaults: EnableOverride, ToSubclass, not ToInstance, not Translatable. */
export const DEFAULT_FLAVOR: Readonly<QualifierFlavor> = Object.freeze({
  overridable: true,
  toSubclass: true,
  toInstance: false,
  translatable: false,
});

export class CimQualifier {
  constructor(
    public name: string,
    public type: CimType,
    public value: CimValue,
    public isArray = false,
    public flavor: QualifierFlavor = { ...DEFAULT_FLAVOR },
    /** True when inherited from a superclass or overridden element rather than set locally. */
    public propagated = false,
  ) {}

  clone(): CimQualifier {
    return new CimQualifier(this.name, this.type, this.value, this.isArray, { ...this.flavor }, this.propagated);
  }
}

/** Where a qualifier may be used (DSP0004 §5.6.1 Scope). */
export type QualifierScope =
  | 'class' | 'association' | 'indication' | 'property' | 'reference' | 'method' | 'parameter' | 'any';

export class CimQualifierDeclaration {
  constructor(
    public name: string,
    public type: CimType,
    public value: CimValue = null,
    public isArray = false,
    public arraySize: number | undefined = undefined,
    public scopes: QualifierScope[] = ['any'],
    public flavor: QualifierFlavor = { ...DEFAULT_FLAVOR },
  ) {}

  appliesTo(scope: Exclude<QualifierScope, 'any'>): boolean {
    return this.scopes.includes('any') || this.scopes.includes(scope);
  }
}

export type QualifierList = NameMap<CimQualifier>;

export function newQualifierList(): QualifierList {
  return new NameMap<CimQualifier>();
}

/** The value of a boolean qualifier such as Key or Abstract; absent means false. */
export function qualifierIsTrue(list: QualifierList | undefined, name: string): boolean {
  const q = list?.get(name);
  return q !== undefined && q.value === true;
}

export function qualifierValue(list: QualifierList | undefined, name: string): CimValue | undefined {
  return list?.get(name)?.value;
}
