/** SCOPE element attributes ↔ qualifier scopes (DSP0201 §5.1.4 QUALIFIER.DECLARATION/SCOPE). */
import type { QualifierScope } from '../cim/index.js';

export const SCOPE_ATTRS: readonly [string, Exclude<QualifierScope, 'any'>][] = [
  ['CLASS', 'class'],
  ['ASSOCIATION', 'association'],
  ['REFERENCE', 'reference'],
  ['PROPERTY', 'property'],
  ['METHOD', 'method'],
  ['PARAMETER', 'parameter'],
  ['INDICATION', 'indication'],
];
