/** QUALIFIER.DECLARATION(SCOPE?, (VALUE | VALUE.ARRAY)?) (DSP0201 §5.1.4), e.g. for SetQualifier. */
import { CimQualifierDeclaration, type CimValue, type QualifierScope } from '../cim/index.js';
import { decodeFlavor } from './decode-objects.js';
import { checkCimType } from './decode-paths.js';
import { decodeArray, decodeScalar } from './decode-values.js';
import { SCOPE_ATTRS } from './scopes.js';
import { boolAttr, reqAttr, sizeAttr, unexpected } from './xml-node.js';
import type { XNode } from './xml-tree.js';

export function decodeQualifierDeclaration(n: XNode): CimQualifierDeclaration {
  const name = reqAttr(n, 'NAME');
  const type = checkCimType(n, reqAttr(n, 'TYPE'));
  const isArray = boolAttr(n, 'ISARRAY', false);
  let scopes: QualifierScope[] = ['any'];
  let value: CimValue = null;
  const what = `qualifier declaration ${name}`;
  for (const c of n.children) {
    if (c.name === 'SCOPE') {
      const set = SCOPE_ATTRS.filter(([a]) => boolAttr(c, a, false)).map(([, s]) => s);
      scopes = set.length === SCOPE_ATTRS.length ? ['any'] : set;
    } else if (c.name === 'VALUE') value = decodeScalar(c, type, what);
    else if (c.name === 'VALUE.ARRAY') value = decodeArray(c, type, what);
    else throw unexpected(n, c);
  }
  return new CimQualifierDeclaration(name, type, value, isArray, sizeAttr(n, 'ARRAYSIZE'), scopes, decodeFlavor(n));
}
