/**
 * XML text → a small element tree, with the guards a server needs in front of the parser:
 * no DTD at all (so no entity can be declared, let alone expanded: entity bombs fail before a
 * single byte is parsed), bounded depth and element count (checked by a cheap scan before
 * parsing), a well-formedness check (fast-xml-parser's parser alone is lenient about mismatched
 * tags), and reference decoding done by us (xml-text.ts) instead of by the parser.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlSyntaxError, decodeReferences } from './xml-text.js';

/** One element: its attributes (references decoded), child elements, and its own character data. */
export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Text and CDATA directly inside this element, concatenated, untrimmed. */
  text: string;
}

export interface XmlLimits {
  /** Deepest element nesting accepted (default 64). */
  maxDepth?: number;
  /** Most elements accepted in one document (default 200,000). */
  maxElements?: number;
}

export const DEFAULT_LIMITS: Required<XmlLimits> = { maxDepth: 64, maxElements: 200_000 };

/** The document is too deep or too large: refused before it is parsed. */
export class XmlLimitError extends Error {
  override name = 'XmlLimitError';
}

const parser = (maxDepth: number) =>
  new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    htmlEntities: false,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    cdataPropName: '#cdata',
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth + 1,
  });

const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let p = parsers.get(maxDepth);
  if (!p) {
    p = parser(maxDepth);
    parsers.set(maxDepth, p);
  }
  return p;
}

const DTD = /<!DOCTYPE|<!ENTITY/i;

/** Parses one XML document into its root element. Throws XmlSyntaxError or XmlLimitError. */
export function parseXmlTree(xml: string, limits?: XmlLimits): XNode {
  const maxDepth = limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth;
  const maxElements = limits?.maxElements ?? DEFAULT_LIMITS.maxElements;
  if (DTD.test(xml)) throw new XmlSyntaxError('a document type declaration (<!DOCTYPE>/<!ENTITY>) is not accepted');
  checkShape(xml, maxDepth, maxElements);
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) throw new XmlSyntaxError(`line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let raw: unknown[];
  try {
    raw = parserFor(maxDepth).parse(xml) as unknown[];
  } catch (e) {
    throw new XmlSyntaxError((e as Error).message);
  }
  const roots = convertChildren(raw);
  if (roots.children.length !== 1) {
    throw new XmlSyntaxError(roots.children.length === 0 ? 'no root element' : 'more than one root element');
  }
  if (roots.text.trim() !== '') throw new XmlSyntaxError('text outside the root element');
  return roots.children[0]!;
}

/**
 * Counts start tags and nesting without building anything, so that a hostile document is
 * refused in one linear pass. Malformed markup is left to the validator.
 */
function checkShape(xml: string, maxDepth: number, maxElements: number): void {
  const len = xml.length;
  let depth = 0;
  let count = 0;
  let i = 0;
  for (;;) {
    i = xml.indexOf('<', i);
    if (i === -1 || i + 1 >= len) return;
    const c = xml.charCodeAt(i + 1);
    if (c === 0x2f /* / */) {
      depth--;
      i += 2;
      continue;
    }
    if (c === 0x3f /* ? */) {
      const e = xml.indexOf('?>', i + 2);
      if (e === -1) return;
      i = e + 2;
      continue;
    }
    if (c === 0x21 /* ! */) {
      const close = xml.startsWith('<!--', i) ? '-->' : xml.startsWith('<![CDATA[', i) ? ']]>' : '>';
      const e = xml.indexOf(close, i + 2);
      if (e === -1) return;
      i = e + close.length;
      continue;
    }
    if (++count > maxElements) throw new XmlLimitError(`more than ${maxElements} elements`);
    let j = i + 1;
    let quote = 0;
    for (; j < len; j++) {
      const ch = xml.charCodeAt(j);
      if (quote !== 0) {
        if (ch === quote) quote = 0;
      } else if (ch === 0x22 || ch === 0x27) quote = ch;
      else if (ch === 0x3e /* > */) break;
    }
    if (xml.charCodeAt(j - 1) !== 0x2f && ++depth > maxDepth) {
      throw new XmlLimitError(`elements nested deeper than ${maxDepth}`);
    }
    i = j + 1;
  }
}

type RawItem = Record<string, unknown>;

function convertChildren(items: unknown[]): { children: XNode[]; text: string } {
  const children: XNode[] = [];
  let text = '';
  for (const item of items as RawItem[]) {
    if ('#text' in item) {
      text += decodeReferences(String(item['#text']));
      continue;
    }
    if ('#cdata' in item) {
      // CDATA is literal: no reference decoding.
      for (const t of item['#cdata'] as RawItem[]) text += String(t['#text'] ?? '');
      continue;
    }
    for (const key of Object.keys(item)) {
      if (key === ':@') continue;
      const inner = convertChildren(item[key] as unknown[]);
      const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
      const rawAttrs = item[':@'] as Record<string, unknown> | undefined;
      if (rawAttrs) for (const a of Object.keys(rawAttrs)) attrs[a] = decodeReferences(String(rawAttrs[a]));
      children.push({ name: key, attrs, children: inner.children, text: inner.text });
    }
  }
  return { children, text };
}
