/**
 * XML text → a small element tree, in one hand-written pass (a request is parsed on every
 * operation, and three passes through a general parser cost a quarter of a GetInstance).
 * The guards a server needs are part of that pass: no DTD at all (a `<!DOCTYPE`/`<!ENTITY`
 * is refused where it is met, so no entity is ever declared, let alone expanded), bounded
 * depth and element count (checked as each start tag is read, so a hostile document fails
 * early), well-formedness (XML 1.0 §2.1 `document`, §3.1 tags and attributes, §2.3 names),
 * and reference decoding done by us (xml-text.ts). Comments, processing instructions and
 * the XML declaration are skipped; CDATA is taken literally (XML 1.0 §2.7).
 */
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

/** The document is too deep or too large: refused before it is parsed any further. */
export class XmlLimitError extends Error {
  override name = 'XmlLimitError';
}

const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const BANG = 0x21;
const QUEST = 0x3f;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

// XML 1.0 §2.3 NameStartChar / NameChar, ASCII by table, the rest by range.
const ASCII_NAME = new Uint8Array(128); // 1: may start a name, 2: may continue one
for (let c = 0; c < 128; c++) {
  const start = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x3a || c === 0x5f;
  const more = start || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
  ASCII_NAME[c] = (start ? 1 : 0) | (more ? 2 : 0);
}

function isNameStartCp(cp: number): boolean {
  return (
    (cp >= 0xc0 && cp <= 0xd6) || (cp >= 0xd8 && cp <= 0xf6) || (cp >= 0xf8 && cp <= 0x2ff) ||
    (cp >= 0x370 && cp <= 0x37d) || (cp >= 0x37f && cp <= 0x1fff) || (cp >= 0x200c && cp <= 0x200d) ||
    (cp >= 0x2070 && cp <= 0x218f) || (cp >= 0x2c00 && cp <= 0x2fef) || (cp >= 0x3001 && cp <= 0xd7ff) ||
    (cp >= 0xf900 && cp <= 0xfdcf) || (cp >= 0xfdf0 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0xeffff)
  );
}

function isNameCp(cp: number): boolean {
  return isNameStartCp(cp) || cp === 0xb7 || (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x203f && cp <= 0x2040);
}

/** Where an error is: line and column (1-based, in UTF-16 units), computed only on failure. */
function where(xml: string, at: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = xml.indexOf('\n'); i !== -1 && i < at; i = xml.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${at - lineStart + 1}`;
}

function syntaxError(xml: string, at: number, what: string): XmlSyntaxError {
  return new XmlSyntaxError(`${where(xml, at)}: ${what}`);
}

const CRLF = /\r\n?/g;

/** A raw slice with its line ends normalised to LF (XML 1.0 §2.11), before any reference is decoded. */
function rawAt(xml: string, from: number, to: number): string {
  const s = xml.slice(from, to);
  return s.indexOf('\r') === -1 ? s : s.replace(CRLF, '\n');
}

/**
 * Text or an attribute value: line ends normalised, then references decoded (so `&#13;`
 * stays a CR), with the position of the text a reference error is in added to its message.
 */
function decodeAt(xml: string, from: number, to: number): string {
  const s = rawAt(xml, from, to);
  if (s.indexOf('&') === -1) return s;
  try {
    return decodeReferences(s);
  } catch (e) {
    // The reference that is wrong; its offset holds in the document unless line ends were normalised.
    if (e instanceof XmlSyntaxError) {
      const exact = e.at !== undefined && s.length === to - from;
      throw syntaxError(xml, exact ? from + e.at! : xml.indexOf('&', from), e.message);
    }
    throw e;
  }
}

/**
 * Reads a name at `i`; returns the index after it. Throws when no name starts there.
 * `what` says whose name it is, for the error.
 */
function scanName(xml: string, i: number, what: string): number {
  const len = xml.length;
  let j = i;
  while (j < len) {
    const c = xml.charCodeAt(j);
    if (c < 128) {
      const k = ASCII_NAME[c]!;
      if (j === i ? (k & 1) === 0 : (k & 2) === 0) break;
      j++;
      continue;
    }
    const cp = xml.codePointAt(j)!;
    if (!(j === i ? isNameStartCp(cp) : isNameCp(cp))) break;
    j += cp > 0xffff ? 2 : 1;
  }
  if (j === i) {
    throw syntaxError(xml, i, j >= len ? `unterminated ${what}` : `invalid character ${JSON.stringify(xml[i])} where ${what} name should start`);
  }
  return j;
}

const DTD = /^<!(DOCTYPE|ENTITY)/i;
/** XML 1.0 §2.8 XMLDecl (with §4.3.3 EncName), from its "<?xml" to its "?>". */
const XML_DECL =
  /<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/y;

/** Parses one XML document into its root element. Throws XmlSyntaxError or XmlLimitError. */
/** Characters XML 1.0 does not allow anywhere in a document (§2.2 Char), raw or as references. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function parseXmlTree(xml: string, limits?: XmlLimits): XNode {
  // One scan of the text first (a few µs per KiB): a control character raw in a name, a value
  // or a comment makes the message not well-formed, as a reference to one already does.
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad) throw syntaxError(xml, bad.index, `character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
  const maxDepth = limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth;
  const maxElements = limits?.maxElements ?? DEFAULT_LIMITS.maxElements;
  const len = xml.length;
  const stack: XNode[] = [];
  let cur: XNode | undefined;
  let root: XNode | undefined;
  let count = 0;
  const start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  let pos = start;

  while (pos < len) {
    const lt = xml.indexOf('<', pos);
    const end = lt === -1 ? len : lt;
    if (end > pos) {
      if (cur !== undefined) {
        const t = decodeAt(xml, pos, end);
        cur.text = cur.text === '' ? t : cur.text + t;
      } else {
        for (let i = pos; i < end; i++) {
          if (!isSpace(xml.charCodeAt(i))) throw syntaxError(xml, i, 'text outside the root element');
        }
      }
    }
    if (lt === -1) break;
    const c = xml.charCodeAt(lt + 1);

    if (c === SLASH) {
      // End tag (XML 1.0 §3.1 ETag).
      const nameEnd = scanName(xml, lt + 2, 'end tag');
      let j = nameEnd;
      while (j < len && isSpace(xml.charCodeAt(j))) j++;
      if (j >= len) throw syntaxError(xml, lt, 'unterminated end tag');
      if (xml.charCodeAt(j) !== GT) throw syntaxError(xml, j, `unexpected ${JSON.stringify(xml[j])} in end tag`);
      const name = xml.slice(lt + 2, nameEnd);
      if (cur === undefined) throw syntaxError(xml, lt, `end tag </${name}> without a start tag`);
      if (name !== cur.name) throw syntaxError(xml, lt, `end tag </${name}> does not match <${cur.name}>`);
      stack.pop();
      cur = stack.length === 0 ? undefined : stack[stack.length - 1];
      pos = j + 1;
      continue;
    }

    if (c === QUEST) {
      // Processing instruction or XML declaration: skipped.
      const e = xml.indexOf('?>', lt + 2);
      if (e === -1) throw syntaxError(xml, lt, 'unterminated processing instruction');
      const targetEnd = scanName(xml, lt + 2, 'processing instruction');
      if (targetEnd - lt === 5 && xml.startsWith('xml', lt + 2)) {
        if (lt !== start) throw syntaxError(xml, lt, 'the XML declaration is allowed only at the start of the document');
        XML_DECL.lastIndex = lt;
        if (!XML_DECL.test(xml)) throw syntaxError(xml, lt, 'malformed XML declaration');
      }
      pos = e + 2;
      continue;
    }

    if (c === BANG) {
      if (xml.startsWith('<!--', lt)) {
        const e = xml.indexOf('-->', lt + 4);
        if (e === -1) throw syntaxError(xml, lt, 'unterminated comment');
        pos = e + 3;
        continue;
      }
      if (xml.startsWith('<![CDATA[', lt)) {
        const e = xml.indexOf(']]>', lt + 9);
        if (e === -1) throw syntaxError(xml, lt, 'unterminated CDATA section');
        if (cur === undefined) throw syntaxError(xml, lt, 'CDATA section outside the root element');
        // Literal: line ends normalised, no reference decoding.
        cur.text += rawAt(xml, lt + 9, e);
        pos = e + 3;
        continue;
      }
      if (DTD.test(xml.slice(lt, lt + 9))) {
        throw new XmlSyntaxError(`${where(xml, lt)}: a document type declaration (<!DOCTYPE>/<!ENTITY>) is not accepted`);
      }
      throw syntaxError(xml, lt, 'unexpected "<!" (not a comment or a CDATA section)');
    }

    // Start tag or empty-element tag (XML 1.0 §3.1 STag, EmptyElemTag).
    const nameEnd = scanName(xml, lt + 1, 'element');
    const name = xml.slice(lt + 1, nameEnd);
    if (name === '__proto__') throw syntaxError(xml, lt + 1, 'element name "__proto__" is not accepted');
    if (++count > maxElements) throw new XmlLimitError(`more than ${maxElements} elements`);
    if (stack.length >= maxDepth) throw new XmlLimitError(`elements nested deeper than ${maxDepth}`);
    if (cur === undefined && root !== undefined) throw syntaxError(xml, lt, 'more than one root element');
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    let j = nameEnd;
    let selfClosing = false;
    const nextLt = xml.indexOf('<', j); // an attribute value may not contain it (XML 1.0 §3.1 AttValue)
    for (;;) {
      const before = j;
      while (j < len && isSpace(xml.charCodeAt(j))) j++;
      if (j >= len) throw syntaxError(xml, lt, `unterminated start tag <${name}>`);
      const d = xml.charCodeAt(j);
      if (d === GT) {
        j++;
        break;
      }
      if (d === SLASH) {
        if (xml.charCodeAt(j + 1) !== GT) throw syntaxError(xml, j, `expected "/>" in start tag <${name}>`);
        j += 2;
        selfClosing = true;
        break;
      }
      if (j === before) throw syntaxError(xml, j, `expected white space before an attribute in <${name}>`);
      const aEnd = scanName(xml, j, 'attribute');
      const aName = xml.slice(j, aEnd);
      if (aName === '__proto__') throw syntaxError(xml, j, 'attribute name "__proto__" is not accepted');
      let k = aEnd;
      while (k < len && isSpace(xml.charCodeAt(k))) k++;
      if (xml.charCodeAt(k) !== EQ) throw syntaxError(xml, j, `attribute ${aName} of <${name}> has no value`);
      k++;
      while (k < len && isSpace(xml.charCodeAt(k))) k++;
      const q = xml.charCodeAt(k);
      if (q !== QUOT && q !== APOS) throw syntaxError(xml, k, `value of attribute ${aName} of <${name}> is not quoted`);
      const vEnd = xml.indexOf(q === QUOT ? '"' : "'", k + 1);
      if (vEnd === -1) throw syntaxError(xml, k, `unterminated value of attribute ${aName} of <${name}>`);
      if (nextLt !== -1 && nextLt < vEnd) throw syntaxError(xml, nextLt, `"<" in the value of attribute ${aName} of <${name}>`);
      if (aName in attrs) throw syntaxError(xml, j, `duplicate attribute ${aName} in <${name}>`);
      attrs[aName] = decodeAt(xml, k + 1, vEnd);
      j = vEnd + 1;
    }
    const node: XNode = { name, attrs, children: [], text: '' };
    if (cur === undefined) root = node;
    else cur.children.push(node);
    if (!selfClosing) {
      stack.push(node);
      cur = node;
    }
    pos = j;
  }

  if (cur !== undefined) throw syntaxError(xml, len, `unclosed element <${cur.name}>`);
  if (root === undefined) throw new XmlSyntaxError('no root element');
  return root;
}
