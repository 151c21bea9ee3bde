/** Class declarations: properties, methods, parameters (DSP0004 §5.1, DSP0201 CLASS). */
import { NameMap } from './names.js';
import { type QualifierList, newQualifierList, qualifierIsTrue, qualifierValue } from './qualifiers.js';
import type { CimType } from './types.js';
import type { CimValue } from './values.js';

export type EmbeddedKind = 'object' | 'instance';

export class CimProperty {
  /** Qualifiers: always present on class properties; instances usually carry none. */
  qualifiers: QualifierList;
  arraySize?: number;
  /** For reference properties: the class the reference points to (REFERENCECLASS). */
  referenceClass?: string;
  /** Set when the string property holds embedded objects (EmbeddedObject/EmbeddedInstance). */
  embeddedObject?: EmbeddedKind;
  /** The class that first declared the property (CLASSORIGIN). */
  classOrigin?: string;
  /** True when inherited unchanged from a superclass (PROPAGATED). */
  propagated = false;

  constructor(
    public name: string,
    public type: CimType,
    public value: CimValue = null,
    public isArray = false,
    qualifiers?: QualifierList,
  ) {
    this.qualifiers = qualifiers ?? newQualifierList();
  }

  /**
   * An instance's property for this declaration: same metadata (qualifiers shared, not copied),
   * every field assigned in one order so all properties share one shape (fast to encode).
   */
  static fromDeclaration(d: CimProperty, value: CimValue = d.value): CimProperty {
    const p = new CimProperty(d.name, d.type, value, d.isArray, d.qualifiers);
    p.arraySize = d.arraySize;
    p.referenceClass = d.referenceClass;
    p.embeddedObject = d.embeddedObject;
    p.classOrigin = d.classOrigin;
    p.propagated = d.propagated;
    return p;
  }

  get isKey(): boolean {
    return qualifierIsTrue(this.qualifiers, 'Key');
  }

  /** The class named by the EmbeddedInstance qualifier, if any. */
  get embeddedInstanceClass(): string | undefined {
    const v = qualifierValue(this.qualifiers, 'EmbeddedInstance');
    return typeof v === 'string' ? v : undefined;
  }

  clone(): CimProperty {
    const p = new CimProperty(this.name, this.type, this.value, this.isArray, cloneQualifiers(this.qualifiers));
    copyOptional(this, p);
    p.propagated = this.propagated;
    return p;
  }
}

export class CimParameter {
  qualifiers: QualifierList;
  arraySize?: number;
  referenceClass?: string;
  embeddedObject?: EmbeddedKind;

  constructor(public name: string, public type: CimType, public isArray = false, qualifiers?: QualifierList) {
    this.qualifiers = qualifiers ?? newQualifierList();
  }

  /** DSP0004: a parameter is IN unless qualified In(false); OUT when qualified Out. */
  get isIn(): boolean {
    const q = this.qualifiers.get('In');
    return q === undefined || q.value !== false;
  }

  get isOut(): boolean {
    return qualifierIsTrue(this.qualifiers, 'Out');
  }

  get embeddedInstanceClass(): string | undefined {
    const v = qualifierValue(this.qualifiers, 'EmbeddedInstance');
    return typeof v === 'string' ? v : undefined;
  }

  clone(): CimParameter {
    const p = new CimParameter(this.name, this.type, this.isArray, cloneQualifiers(this.qualifiers));
    if (this.arraySize !== undefined) p.arraySize = this.arraySize;
    if (this.referenceClass !== undefined) p.referenceClass = this.referenceClass;
    if (this.embeddedObject !== undefined) p.embeddedObject = this.embeddedObject;
    return p;
  }
}

export class CimMethod {
  qualifiers: QualifierList;
  parameters: NameMap<CimParameter>;
  classOrigin?: string;
  propagated = false;

  constructor(public name: string, public returnType: CimType, parameters: CimParameter[] = [], qualifiers?: QualifierList) {
    this.parameters = new NameMap(parameters.map((p) => [p.name, p] as [string, CimParameter]));
    this.qualifiers = qualifiers ?? newQualifierList();
  }

  clone(): CimMethod {
    const m = new CimMethod(this.name, this.returnType, this.parameters.values().map((p) => p.clone()), cloneQualifiers(this.qualifiers));
    if (this.classOrigin !== undefined) m.classOrigin = this.classOrigin;
    m.propagated = this.propagated;
    return m;
  }
}

/**
 * A class. In the repository a class is stored resolved: `properties` and `methods` include the
 * inherited ones (marked propagated), qualifiers include the propagated ToSubclass ones.
 */
export class CimClass {
  superClass?: string;
  qualifiers: QualifierList;
  properties: NameMap<CimProperty>;
  methods: NameMap<CimMethod>;

  constructor(public name: string, superClass?: string) {
    if (superClass) this.superClass = superClass;
    this.qualifiers = newQualifierList();
    this.properties = new NameMap();
    this.methods = new NameMap();
  }

  get isAssociation(): boolean {
    return qualifierIsTrue(this.qualifiers, 'Association');
  }

  get isIndication(): boolean {
    return qualifierIsTrue(this.qualifiers, 'Indication');
  }

  get isAbstract(): boolean {
    return qualifierIsTrue(this.qualifiers, 'Abstract');
  }

  /** Names of the key properties, in declaration order. */
  get keyNames(): string[] {
    return this.properties.values().filter((p) => p.isKey).map((p) => p.name);
  }

  /** Reference properties (the roles of an association). */
  get referenceProperties(): CimProperty[] {
    return this.properties.values().filter((p) => p.type === 'reference');
  }

  clone(): CimClass {
    const c = new CimClass(this.name, this.superClass);
    c.qualifiers = cloneQualifiers(this.qualifiers);
    for (const [n, p] of this.properties) c.properties.set(n, p.clone());
    for (const [n, m] of this.methods) c.methods.set(n, m.clone());
    return c;
  }
}

export function cloneQualifiers(q: QualifierList): QualifierList {
  const out = newQualifierList();
  for (const [n, v] of q) out.set(n, v.clone());
  return out;
}

function copyOptional(from: CimProperty, to: CimProperty): void {
  if (from.arraySize !== undefined) to.arraySize = from.arraySize;
  if (from.referenceClass !== undefined) to.referenceClass = from.referenceClass;
  if (from.embeddedObject !== undefined) to.embeddedObject = from.embeddedObject;
  if (from.classOrigin !== undefined) to.classOrigin = from.classOrigin;
}
