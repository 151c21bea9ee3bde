/**
 * XML character data: escaping for the encoder and reference decoding for the decoder.
 *
 * We never let the XML parser expand entities: a request may only use the five predefined
 * entities and character references (XML 1.0 §4.1, §4.6); DTDs are refused before parsing.
 * Both directions check XML 1.0 §2.2 `Char`: control characters other than TAB, LF and CR are
 * not allowed in XML 1.0 even as character references, so the encoder replaces them (and lone
 * surrogates, U+FFFE, U+FFFF) with U+FFFD rather than emit a document no client can parse.
 */

/**
 * Not well-formed XML (a malformed reference, a forbidden character, mismatched tags...);
 * callers turn it into their own error type.
 */
export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
  /** Where in the decoded text the error is (decodeReferences: the offending reference). */
  at?: number;
}

const REPLACEMENT = '\uFFFD';

// The `u` flag makes [\uD800-\uDFFF] match lone surrogates only; valid pairs are one code point.
// The tests run without `u` (cheaper): they also match valid surrogate pairs, which the `u`
// replacement then leaves as they are.
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const TEXT_SPECIAL_G = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;
const ATTR_SPECIAL = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const ATTR_SPECIAL_G = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

function replaceSpecial(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;'; // also keeps "]]>" out of text
    case '"':
      return '&quot;';
    // Kept as references: a parser normalises a raw CR to LF in text, and TAB/LF/CR to spaces
    // in attribute values (XML 1.0 §2.11, §3.3.3).
    case '\t':
      return '&#9;';
    case '\n':
      return '&#10;';
    case '\r':
      return '&#13;';
    default:
      return REPLACEMENT;
  }
}

/** Escapes character data for element content. Returns the input itself when nothing needs escaping. */
export function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIAL_G, replaceSpecial) : s;
}

/** Escapes an attribute value for use between double quotes. */
export function escapeAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIAL_G, replaceSpecial) : s;
}

const NAMED: Record<string, number> = { amp: 0x26, lt: 0x3c, gt: 0x3e, quot: 0x22, apos: 0x27 };
const HEX_DIGITS = /^[0-9a-fA-F]{1,8}$/;
const DEC_DIGITS = /^[0-9]{1,10}$/;
/** What a malformed reference looks like, for its error message only. */
const BAD_REFERENCE = /&([^;\s&<]{0,32};?)/y;
/** `&#x` + 8 digits + `;` and `&#` + 10 digits + `;` are the longest references accepted. */
const LONGEST_REFERENCE = 12;

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function badReference(s: string, at: number): XmlSyntaxError {
  BAD_REFERENCE.lastIndex = at;
  const other = BAD_REFERENCE.exec(s)?.[1];
  const e = new XmlSyntaxError(
    other ? `unknown entity reference "&${other}" (only &amp; &lt; &gt; &quot; &apos; and character references are allowed)` : 'a "&" that starts no reference',
  );
  e.at = at;
  return e;
}

/** The code point of the reference from `&` at `amp` to `;` at `semi`; throws when it is not one. */
function referencedCodePoint(s: string, amp: number, semi: number): number {
  if (s.charCodeAt(amp + 1) !== 0x23) {
    const name = s.slice(amp + 1, semi);
    if (!Object.hasOwn(NAMED, name)) throw badReference(s, amp);
    return NAMED[name]!;
  }
  const x = s.charCodeAt(amp + 2);
  const hex = x === 0x78 || x === 0x58;
  const digits = s.slice(amp + (hex ? 3 : 2), semi);
  if (!(hex ? HEX_DIGITS : DEC_DIGITS).test(digits)) throw badReference(s, amp);
  const cp = parseInt(digits, hex ? 16 : 10);
  if (!isXmlChar(cp)) {
    const e = new XmlSyntaxError(`character reference to U+${cp.toString(16).toUpperCase()}, which XML 1.0 does not allow`);
    e.at = amp;
    throw e;
  }
  return cp;
}

/** UTF-16 code units → a string, in slices small enough for fromCharCode's argument list. */
function unitsToString(units: Uint16Array, n: number): string {
  const SLICE = 8192;
  if (n <= SLICE) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < n; i += SLICE) parts.push(String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + SLICE)) as unknown as number[]));
  return parts.join('');
}

/**
 * Replaces the predefined entities and character references (`&#61;` → `=`). Any other
 * reference, a stray `&` or a reference to a non-Char throws XmlSyntaxError, at the first one.
 * One pass into a buffer no longer than the input (a reference is never shorter than what it
 * stands for): memory and time stay linear for a body made of millions of references, where a
 * global regular-expression replace first collected every match (gigabytes for 16 MiB of "&").
 */
export function decodeReferences(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  const units = new Uint16Array(s.length);
  let n = 0;
  let from = 0;
  while (amp !== -1) {
    for (let k = from; k < amp; k++) units[n++] = s.charCodeAt(k);
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > LONGEST_REFERENCE) throw badReference(s, amp);
    const cp = referencedCodePoint(s, amp, semi);
    if (cp > 0xffff) {
      units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    } else {
      units[n++] = cp;
    }
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  for (let k = from; k < s.length; k++) units[n++] = s.charCodeAt(k);
  return unitsToString(units, n);
}

const nameCache = new Map<string, string>();

/**
 * escapeAttr for CIM names (classes, properties, qualifiers, keys): the same few names are
 * written thousands of times per response, and a map lookup costs a fraction of the regex
 * test. Bounded, since names could come from clients.
 */
export function escapeName(s: string): string {
  let e = nameCache.get(s);
  if (e === undefined) {
    e = escapeAttr(s);
    if (nameCache.size < 4096) nameCache.set(s, e);
  }
  return e;
}

/**
 * A bounded two-level memo for markup made of a few names (a tag with its NAME and TYPE
 * attributes...): the encoder writes the same few thousand of them over and over, and one
 * flat cached string is cheaper to look up, to concatenate and to write than its pieces.
 */
export class MarkupCache {
  /** By `b` (a name: many) then `a` (a type: few, usually one per name), as a short chain. */
  private readonly byB = new Map<string, MarkupEntry>();
  constructor(private readonly make: (a: string, b: string) => string, private readonly max = 4096) {}

  get(a: string, b: string): string {
    const head = this.byB.get(b);
    for (let e = head; e !== undefined; e = e.next) if (e.a === a) return e.s;
    // Flattened once here, so that every use is a single string, not a tree of pieces.
    const s = flat(this.make(a, b));
    if (this.byB.size < this.max) this.byB.set(b, { a, s, next: head });
    return s;
  }
}

interface MarkupEntry {
  a: string;
  s: string;
  next: MarkupEntry | undefined;
}

/** A sequential (flat) copy of a string built by concatenation: JSON.parse allocates one. */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
