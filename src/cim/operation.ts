/**
 * The vocabulary of CIM operations (DSP0200 §5.3/§5.4), independent of any encoding: what a
 * decoded request holds and what an operation returns. cimxml/ produces and consumes these;
 * operations/ executes them.
 */
import type { CimClass } from './class.js';
import type { CimInstance } from './instance.js';
import type { CimInstanceName } from './instance-name.js';
import type { CimQualifierDeclaration } from './qualifiers.js';
import type { CimType } from './types.js';
import type { CimValue } from './values.js';
import type { NameMap } from './names.js';
import type { EmbeddedKind } from './class.js';
import type { NameSet } from './names.js';

/** A CLASSNAME element (a class reference without keys). */
export interface ClassNameRef {
  readonly kind: 'className';
  className: string;
  namespace?: string;
  host?: string;
}

export function classNameRef(className: string, namespace?: string, host?: string): ClassNameRef {
  const r: ClassNameRef = { kind: 'className', className };
  if (namespace !== undefined) r.namespace = namespace;
  if (host !== undefined) r.host = host;
  return r;
}

export function isClassNameRef(v: unknown): v is ClassNameRef {
  return typeof v === 'object' && v !== null && (v as ClassNameRef).kind === 'className';
}

/**
 * A decoded parameter value. Values from VALUE elements are as sent: `untyped: true` when the
 * client gave no TYPE/PARAMTYPE (the text must then be converted through the declaration);
 * otherwise already converted to the given type.
 */
export interface ParamValue {
  name: string;
  value: CimValue | ClassNameRef | CimQualifierDeclaration;
  /** PARAMTYPE / TYPE as sent, if any. */
  type?: CimType | 'object' | 'instance';
  isArray?: boolean;
  untyped?: boolean;
  embeddedObject?: EmbeddedKind;
}

export interface RequestEnvelope {
  messageId: string;
  protocolVersion: string;
  namespace: string;
}

export interface IntrinsicRequest extends RequestEnvelope {
  kind: 'intrinsic';
  method: string;
  params: NameMap<ParamValue>;
}

export interface ExtrinsicRequest extends RequestEnvelope {
  kind: 'extrinsic';
  method: string;
  /** LOCALINSTANCEPATH target, or a class name for a static method (LOCALCLASSPATH). */
  target: CimInstanceName | ClassNameRef;
  params: ParamValue[];
}

export type CimRequest = IntrinsicRequest | ExtrinsicRequest;

/** What an intrinsic operation returns, shaped for the IRETURNVALUE it becomes (DSP0200 §5.3). */
export type IntrinsicResult =
  | { kind: 'void' }
  | { kind: 'class'; cls: CimClass }
  | { kind: 'classes'; classes: CimClass[] }
  | { kind: 'classNames'; names: string[] }
  | { kind: 'instance'; instance: CimInstance }
  /** VALUE.NAMEDINSTANCE* (EnumerateInstances): each instance has a local `path`. */
  | { kind: 'namedInstances'; instances: CimInstance[] }
  /**
   * The same, produced batch by batch while the answer is encoded and sent (EnumerateInstances
   * over HTTP): an enumeration is never held whole in memory.
   */
  | { kind: 'namedInstanceStream'; batches: AsyncIterable<CimInstance[]> }
  | { kind: 'instanceNames'; names: CimInstanceName[] }
  /** VALUE.OBJECTWITHPATH* (Associators/References/ExecQuery): paths carry namespace (and host). */
  | { kind: 'objectsWithPath'; instances: CimInstance[] }
  | { kind: 'classesWithPath'; classes: { cls: CimClass; namespace: string }[] }
  /** OBJECTPATH* (AssociatorNames/ReferenceNames): paths carry namespace (and host). */
  | { kind: 'objectPaths'; names: CimInstanceName[] }
  | { kind: 'classPaths'; paths: ClassNameRef[] }
  /** GetProperty: a value, or NULL for an empty IRETURNVALUE. */
  | { kind: 'value'; value: CimValue; type: CimType; isArray: boolean; embeddedObject?: EmbeddedKind }
  | { kind: 'instanceName'; name: CimInstanceName }
  | { kind: 'qualifierDeclaration'; decl: CimQualifierDeclaration }
  | { kind: 'qualifierDeclarations'; decls: CimQualifierDeclaration[] }
  /** Open and Pull operations: IRETURNVALUE plus EndOfSequence and EnumerationContext (DSP0200 §5.4). */
  | {
      kind: 'pull';
      items: 'instancesWithPath' | 'instancePaths' | 'instances';
      instances: CimInstance[];
      paths: CimInstanceName[];
      endOfSequence: boolean;
      context: string;
    }
  | { kind: 'count'; value: number | null };

export interface OutParam {
  name: string;
  type: CimType;
  isArray: boolean;
  value: CimValue;
  embeddedObject?: EmbeddedKind;
}

export interface ExtrinsicResult {
  returnType: CimType;
  returnValue: CimValue;
  out: OutParam[];
}

/**
 * How the objects of a result are to be encoded (DSP0200 §5.3 IncludeQualifiers,
 * IncludeClassOrigin, PropertyList): applied by the encoder while writing, so large results are
 * never copied to be filtered.
 */
export interface EncodeFlags {
  includeQualifiers: boolean;
  includeClassOrigin: boolean;
  /** null = all properties; an empty set = none. Applies to instances and classes. */
  propertyList: NameSet | null;
  /**
   * The properties the client named (its PropertyList), written in an instance even when NULL;
   * every other NULL property is left out (DSP0200 §5.3.2.2/§5.3.2.11: a returned instance
   * includes no element for a property outside the PropertyList, and DSP0201 §5.1.2 lets an
   * absent property read as NULL). Defaults to `propertyList`; set it when propertyList was
   * narrowed by the server (EnumerateInstances with DeepInheritance false) rather than named.
   */
  namedProperties?: NameSet | null;
}

export interface IntrinsicResponse {
  result: IntrinsicResult;
  flags: EncodeFlags;
}
