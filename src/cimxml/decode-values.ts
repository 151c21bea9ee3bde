/**
 * VALUE and VALUE.ARRAY text (DSP0201 §5.2.1/§5.2.2): typed through parseScalarText when the
 * sender gave a type, left as the exact text (never trimmed) when it did not.
 * Embedded objects are handled in decode-objects.ts, since they need the INSTANCE decoder.
 */
import { parseScalarText, type CimScalar, type CimType } from '../cim/index.js';
import { notValid } from './errors.js';
import { unexpected } from './xml-node.js';
import type { XNode } from './xml-tree.js';

/** The text of a VALUE that must hold only character data. */
export function valueText(n: XNode): string {
  if (n.name !== 'VALUE') throw notValid(`<${n.name}> found where <VALUE> was expected`);
  if (n.children.length > 0) throw unexpected(n, n.children[0]!);
  return n.text;
}

/** One VALUE, typed when `type` is given, else its text. */
export function decodeScalar(n: XNode, type: CimType | undefined, what: string): CimScalar {
  const text = valueText(n);
  return type === undefined ? text : parseScalarText(text, type, { what });
}

/** VALUE.ARRAY(VALUE | VALUE.NULL)*, each element as decodeScalar. */
export function decodeArray(n: XNode, type: CimType | undefined, what: string): (CimScalar | null)[] {
  if (n.name !== 'VALUE.ARRAY') throw notValid(`<${n.name}> found where <VALUE.ARRAY> was expected`);
  return n.children.map((c, i) => {
    if (c.name === 'VALUE.NULL') return null;
    if (c.name === 'VALUE') return decodeScalar(c, type, `${what}[${i}]`);
    throw unexpected(n, c);
  });
}
