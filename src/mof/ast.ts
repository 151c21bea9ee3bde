/** The parse tree of a MOF file: one production per top-level statement (DSP0221 §7.3). */
import type { CimType } from '../cim/index.js';
import type { Loc } from './errors.js';

export type ValueNode =
  | { kind: 'null'; loc: Loc }
  | { kind: 'bool'; value: boolean; loc: Loc }
  | { kind: 'int'; value: bigint; text: string; loc: Loc }
  | { kind: 'real'; value: number; text: string; loc: Loc }
  | { kind: 'string'; value: string; loc: Loc }
  | { kind: 'char'; value: string; loc: Loc }
  | { kind: 'alias'; name: string; loc: Loc }
  | { kind: 'array'; items: ValueNode[]; loc: Loc };

export interface FlavorWord {
  word: string; // lower case: enableoverride, disableoverride, tosubclass, restricted, translatable, toinstance
  loc: Loc;
}

/** A qualifier as used in a `[...]` list. */
export interface QualifierNode {
  name: string;
  value?: ValueNode;
  /** True when the value was written in braces `Name{...}`. */
  braces: boolean;
  flavors: FlavorWord[];
  loc: Loc;
}

export interface ArraySpec {
  isArray: boolean;
  /** Fixed size from `name[4]`. */
  size?: number;
}

export interface PropertyNode {
  kind: 'property';
  qualifiers: QualifierNode[];
  type: CimType;
  /** For `Class REF name`. */
  refClass?: string;
  refClassLoc?: Loc;
  name: string;
  array: ArraySpec;
  value?: ValueNode;
  loc: Loc;
}

export interface ParameterNode {
  qualifiers: QualifierNode[];
  type: CimType;
  refClass?: string;
  refClassLoc?: Loc;
  name: string;
  array: ArraySpec;
  loc: Loc;
}

export interface MethodNode {
  kind: 'method';
  qualifiers: QualifierNode[];
  returnType: CimType;
  name: string;
  parameters: ParameterNode[];
  loc: Loc;
}

export interface ClassNode {
  kind: 'class';
  /** `class`, or the DSP0221 v3 keywords that imply the Association/Indication qualifier. */
  keyword: 'class' | 'association' | 'indication';
  qualifiers: QualifierNode[];
  name: string;
  superClass?: string;
  superLoc?: Loc;
  features: (PropertyNode | MethodNode)[];
  loc: Loc;
}

export interface QualifierDeclNode {
  kind: 'qualifierDecl';
  name: string;
  type: CimType;
  array: ArraySpec;
  value?: ValueNode;
  scopes: { word: string; loc: Loc }[];
  flavors: FlavorWord[];
  loc: Loc;
}

export interface PropertyValueNode {
  qualifiers: QualifierNode[];
  name: string;
  value: ValueNode;
  loc: Loc;
}

export interface InstanceNode {
  kind: 'instance';
  qualifiers: QualifierNode[];
  className: string;
  alias?: string;
  properties: PropertyValueNode[];
  loc: Loc;
}

export interface PragmaNode {
  kind: 'pragma';
  name: string;
  args: string[];
  loc: Loc;
}

export type Production = ClassNode | QualifierDeclNode | InstanceNode | PragmaNode;
