/**
 * MOF lexer (DSP0221 v2.x §A and v3.0 §7): comments, identifiers, `$alias`, `#pragma`, string
 * and char16 literals with escapes, integer (decimal, hex, binary, octal) and real literals,
 * punctuation. Hand-written over char codes: the whole schema is lexed once at start-up.
 */
import { MofError, clip, type Loc } from './errors.js';

export type TokenKind = 'ident' | 'string' | 'char' | 'int' | 'real' | 'alias' | 'pragma' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for ident/punct/number tokens; the decoded text for string/char; alias name without '$'. */
  text: string;
  /** Integer literals only. */
  int?: bigint;
  /** Real literals only. */
  real?: number;
  line: number;
  col: number;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ';', ',', ':', '=']);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const HEX = /^[+-]?0[xX][0-9a-fA-F]+$/;
const BINARY = /^[+-]?[01]+[bB]$/;
const OCTAL = /^[+-]?0[0-7]+$/;
const DECIMAL = /^[+-]?(0|[1-9][0-9]*)$/;
const REAL = /^[+-]?([0-9]*\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)$/;

export function tokenize(src: string, file: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (at: number): Loc => ({ file, line, col: at - lineStart + 1 });
  const fail = (at: number, why: string): never => {
    throw new MofError(here(at), why);
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    // Whitespace and line ends (CR, LF, CRLF).
    if (c === 10) {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
      i++;
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    // Comments.
    if (c === 47 /* / */) {
      const d = src.charCodeAt(i + 1);
      if (d === 47) {
        while (i < n && src.charCodeAt(i) !== 10) i++;
        continue;
      }
      if (d === 42) {
        // Reported where the comment opens: the scan below moves the line on.
        const opened: Loc = { file, line, col };
        i += 2;
        for (;;) {
          if (i >= n) throw new MofError(opened, 'unterminated comment (missing "*/")');
          const e = src.charCodeAt(i);
          if (e === 42 && src.charCodeAt(i + 1) === 47) {
            i += 2;
            break;
          }
          if (e === 10) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        continue;
      }
      fail(start, "unexpected '/'");
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: src.slice(start, i), line, col });
      continue;
    }
    if (c === 34 /* " */) {
      i = lexString(src, i, 34, tokens, line, col, fail);
      continue;
    }
    if (c === 39 /* ' */) {
      const before = tokens.length;
      i = lexString(src, i, 39, tokens, line, col, fail);
      const tok = tokens[before]!;
      // DSP0004 char16 is one UCS-2 unit: a character beyond U+FFFF (a surrogate pair) is not one.
      if (tok.text.length !== 1) fail(start, 'a char16 literal must hold exactly one character of the Basic Multilingual Plane (UCS-2)');
      continue;
    }
    const next = src.charCodeAt(i + 1);
    if (isDigit(c) || ((c === 43 || c === 45 || c === 46) && (isDigit(next) || (next === 46 && isDigit(src.charCodeAt(i + 2)))))) {
      i = lexNumber(src, i, tokens, line, col, fail);
      continue;
    }
    if (c === 36 /* $ */) {
      i++;
      if (!isIdentStart(src.charCodeAt(i))) fail(start, "expected an alias name after '$'");
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      tokens.push({ kind: 'alias', text: src.slice(start + 1, i), line, col });
      continue;
    }
    if (c === 35 /* # */) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      const word = src.slice(start + 1, i);
      if (word.toLowerCase() !== 'pragma') fail(start, `unknown directive '#${clip(word)}' (only #pragma exists)`);
      tokens.push({ kind: 'pragma', text: '#pragma', line, col });
      continue;
    }
    const ch = src[i]!;
    if (PUNCT.has(ch)) {
      i++;
      tokens.push({ kind: 'punct', text: ch, line, col });
      continue;
    }
    fail(start, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: 'eof', text: '', line, col: i - lineStart + 1 });
  return tokens;
}

/** A string or char16 literal starting at `i` (the quote); escapes per DSP0221 §7.10. */
function lexString(
  src: string, i: number, quote: number, tokens: Token[], line: number, col: number,
  fail: (at: number, why: string) => never,
): number {
  const start = i;
  i++;
  let out = '';
  let chunk = i;
  for (;;) {
    if (i >= src.length) fail(start, quote === 34 ? 'unterminated string (missing \'"\')' : "unterminated char16 literal");
    const c = src.charCodeAt(i);
    if (c === quote) break;
    if (c === 10 || c === 13) fail(start, quote === 34 ? 'unterminated string (a string cannot span lines; use adjacent strings "a" "b")' : 'unterminated char16 literal');
    if (c !== 92 /* \ */) {
      i++;
      continue;
    }
    out += src.slice(chunk, i);
    const e = src[i + 1];
    switch (e) {
      case 'b': out += '\b'; i += 2; break;
      case 't': out += '\t'; i += 2; break;
      case 'n': out += '\n'; i += 2; break;
      case 'f': out += '\f'; i += 2; break;
      case 'r': out += '\r'; i += 2; break;
      case '"': out += '"'; i += 2; break;
      case "'": out += "'"; i += 2; break;
      case '\\': out += '\\'; i += 2; break;
      case 'x':
      case 'X': {
        // \x followed by 1 to 4 hex digits (a UCS-2 code unit).
        let j = i + 2;
        while (j < i + 6 && j < src.length && /[0-9a-fA-F]/.test(src[j]!)) j++;
        if (j === i + 2) fail(i, 'expected hex digits after \\x');
        out += String.fromCharCode(parseInt(src.slice(i + 2, j), 16));
        i = j;
        break;
      }
      default:
        fail(i, `unknown escape sequence '\\${e ?? ''}' (valid: \\b \\t \\n \\f \\r \\" \\' \\\\ \\xHHHH)`);
    }
    chunk = i;
  }
  out += src.slice(chunk, i);
  tokens.push({ kind: quote === 34 ? 'string' : 'char', text: out, line, col });
  return i + 1;
}

/** A numeric literal with optional sign; classified once its extent is known (DSP0221 §7.6). */
function lexNumber(
  src: string, i: number, tokens: Token[], line: number, col: number,
  fail: (at: number, why: string) => never,
): number {
  const start = i;
  if (src[i] === '+' || src[i] === '-') i++;
  for (;;) {
    const c = src.charCodeAt(i);
    if (isIdentPart(c) || c === 46) {
      i++;
      continue;
    }
    // An exponent sign: "1.5e-3".
    if ((c === 43 || c === 45) && /[eE]/.test(src[i - 1]!) && /^[+-]?[0-9]*\.?[0-9]+[eE]$/.test(src.slice(start, i))) {
      i++;
      continue;
    }
    break;
  }
  const text = src.slice(start, i);
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  let value: bigint | undefined;
  if (DECIMAL.test(text)) value = BigInt(body);
  else if (HEX.test(text)) value = BigInt(body);
  else if (BINARY.test(text)) value = BigInt('0b' + body.slice(0, -1));
  else if (OCTAL.test(text)) value = BigInt('0o' + body.slice(1));
  if (value !== undefined) {
    tokens.push({ kind: 'int', text, int: neg ? -value : value, line, col });
    return i;
  }
  if (REAL.test(text)) {
    tokens.push({ kind: 'real', text, real: Number(text), line, col });
    return i;
  }
  return fail(start, `malformed number '${clip(text)}'`);
}
