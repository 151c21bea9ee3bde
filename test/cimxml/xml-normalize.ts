/**
 * Golden-comparison helper (tests only; xmlbuilder2 stays out of the hot path): parses XML and
 * writes it back canonically — attributes sorted, whitespace-only text dropped, CDATA as
 * escaped text, every element with an explicit end tag — so that two documents that differ only
 * in attribute order, formatting or self-closing style compare equal.
 */
import { create } from 'xmlbuilder2';

interface DomNode {
  nodeType: number;
  nodeName: string;
  data?: string;
  attributes?: ArrayLike<{ name: string; value: string }>;
  childNodes: ArrayLike<DomNode>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function write(n: DomNode): string {
  if (n.nodeType === 3 || n.nodeType === 4) {
    const t = n.data ?? '';
    return t.trim() === '' ? '' : esc(t);
  }
  if (n.nodeType !== 1) return '';
  const attrs = Array.from(n.attributes ?? [])
    .map((a) => [a.name, a.value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  return `<${n.nodeName}${attrs}>${Array.from(n.childNodes).map(write).join('')}</${n.nodeName}>`;
}

export function normalizeXmlForCompare(xml: string): string {
  const root = create(xml).root().node as unknown as DomNode;
  return write(root);
}
