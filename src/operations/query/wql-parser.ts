/**
 * A small WQL parser (the subset DSP0202 CQL shares with WQL): 
 *   SELECT * | prop[, prop...] FROM Class [WHERE expr]
 * expr: OR / AND / NOT, parentheses, comparisons (= <> != < <= > >=) between properties and
 * string / number / boolean / NULL literals, `prop IS [NOT] NULL`, `prop [NOT] LIKE 'pattern'`,
 * `prop ISA Class` (and `__Class ISA Class` for the instance itself). A property may be qualified:
 * `Class.Prop` (the class part only scopes it), or, in an indication filter, a property of an
 * embedded instance, `SourceInstance.Prop` or as DSP0202 CQL writes it
 * `SourceInstance.Class::Prop` (the value is NULL when the embedded instance is not ISA Class).
 * The one difference between the two languages here is LIKE's pattern: WQL's `%` and `_`, case
 * ignored; DMTF:CQL's (DSP0202) `.` any character, `*` the element before it repeated, `\`
 * escaping the next character, case kept.
 * Keywords and property names are case-insensitive. A syntax error is CIM_ERR_INVALID_QUERY with
 * its position.
 */
import { cimError } from '../../cim/index.js';

export type Literal = string | number | bigint | boolean | null;
export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * A property as written: `name`, with `via` the part before the dot (a class, or a property
 * holding an embedded instance) and `scope` the class of a CQL `via.scope::name`.
 */
export interface PropRef {
  name: string;
  pos: number;
  via?: string;
  scope?: string;
}

export type Operand = ({ kind: 'prop' } & PropRef) | { kind: 'lit'; value: Literal; pos: number };

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'cmp'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'isNull'; prop: Operand; negated: boolean }
  | { kind: 'like'; prop: Operand; pattern: string; negated: boolean; cql?: CqlPattern }
  | { kind: 'isa'; prop: Operand; className: string };

/** A DMTF:CQL LIKE pattern: each element one character (null: any), once or, with `*`, repeated. */
export type CqlPattern = readonly { c: string | null; repeat: boolean }[];

/** The query language whose LIKE patterns a query uses. */
export type QueryDialect = 'wql' | 'cql';

/**
 * A DMTF:CQL LIKE pattern (DSP0202) into its elements. `pos` is where the pattern starts in
 * the query, for the position of an error: a `*` that follows nothing, or a `\` at the end.
 */
export function parseCqlPattern(pattern: string, pos: number): CqlPattern {
  const out: { c: string | null; repeat: boolean }[] = [];
  const chars = Array.from(pattern);
  let at = pos;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      const last = out[out.length - 1];
      if (!last || last.repeat) throw syntax(at, 'a "*" in a LIKE pattern must follow a character or "."');
      last.repeat = true;
    } else if (ch === '\\') {
      const next = chars[++i];
      if (next === undefined) throw syntax(at, 'a LIKE pattern cannot end with "\\"');
      out.push({ c: next, repeat: false });
      at += 1;
    } else {
      out.push({ c: ch === '.' ? null : ch, repeat: false });
    }
    at += ch.length;
  }
  return out;
}

export interface SelectQuery {
  /** null for SELECT *. */
  properties: PropRef[] | null;
  from: string;
  fromPos: number;
  where: Expr | null;
}

type Tok =
  | { t: 'id'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: number | bigint; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; pos: number };

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'is', 'null', 'isa', 'true', 'false', 'like']);

/** Positions in messages are 1-based character offsets into the query text. */
function syntax(pos: number, why: string): Error {
  return cimError('INVALID_QUERY', `syntax error at position ${pos + 1}: ${why}`);
}

function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      out.push({ t: 'id', v: text.slice(start, i), pos: start });
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && /[0-9a-fA-FxX.eE]/.test(text[i]!)) {
        if (/[eE]/.test(text[i]!) && /[+-]/.test(text[i + 1] ?? '')) i++;
        i++;
      }
      const raw = text.slice(start, i);
      out.push({ t: 'num', v: parseNumber(raw, start), pos: start });
    } else if (c === "'" || c === '"') {
      i++;
      let v = '';
      for (;;) {
        if (i >= text.length) throw syntax(start, 'unterminated string literal');
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < text.length) { v += text[i + 1]; i += 2; continue; }
        if (ch === c) {
          if (text[i + 1] === c) { v += c; i += 2; continue; } // doubled quote
          i++;
          break;
        }
        v += ch;
        i++;
      }
      out.push({ t: 'str', v, pos: start });
    } else {
      const two = text.slice(i, i + 2);
      if (['<>', '!=', '<=', '>=', '::'].includes(two)) { out.push({ t: 'op', v: two === '!=' ? '<>' : two, pos: start }); i += 2; }
      else if ('=<>(),*.'.includes(c)) { out.push({ t: 'op', v: c, pos: start }); i++; }
      else throw syntax(start, `unexpected character "${c}"`);
    }
  }
  out.push({ t: 'eof', pos: text.length });
  return out;
}

function parseNumber(raw: string, pos: number): number | bigint {
  const n = decimalNumber(raw);
  if (n !== undefined) return n;
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(raw)) return Number(BigInt(raw.replace(/^[+-]/, ''))) * (raw.startsWith('-') ? -1 : 1);
  throw syntax(pos, `malformed number "${raw}"`);
}

/**
 * An integer longer than this is outside every CIM integer type (sint64/uint64 have at most 20
 * digits): it is read as a double, in linear time, rather than as a BigInt.
 */
const EXACT_INTEGER_CHARS = 40;
/** Unambiguous (a fraction starts with its dot), so a long run of digits cannot make it backtrack. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A decimal integer or real as written in a query (a literal, or a string read as a number), or
 * undefined. Integers are exact up to the CIM integer types' range; the cost is linear in length.
 */
export function decimalNumber(text: string): number | bigint | undefined {
  if (/^[+-]?\d+$/.test(text)) {
    if (text.length > EXACT_INTEGER_CHARS) return Number(text);
    const b = BigInt(text);
    return b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b;
  }
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/**
 * Bounds on a WHERE clause: its conditions are evaluated (and walked) recursively, for every
 * instance and every indication, so a clause nested or chained without end would overflow the
 * stack there; it is refused here instead, as an invalid query.
 */
const MAX_NESTING = 64;
const MAX_CONDITIONS = 1024;

class Parser {
  private i = 0;
  private nesting = 0;
  private conditions = 0;
  constructor(private readonly toks: Tok[], private readonly dialect: QueryDialect) {}

  private deeper(pos: number): void {
    if (++this.nesting > MAX_NESTING) throw syntax(pos, `the WHERE clause nests parentheses and NOT deeper than ${MAX_NESTING}`);
  }

  private oneMore(pos: number): void {
    if (++this.conditions > MAX_CONDITIONS) throw syntax(pos, `the WHERE clause has more than ${MAX_CONDITIONS} conditions`);
  }

  private peek(): Tok { return this.toks[this.i]!; }
  private next(): Tok { return this.toks[this.i++]!; }

  private isKw(kw: string, tok = this.peek()): boolean {
    return tok.t === 'id' && tok.v.toLowerCase() === kw;
  }
  private isOp(op: string, tok = this.peek()): boolean {
    return tok.t === 'op' && tok.v === op;
  }
  private expectKw(kw: string): Tok {
    const tok = this.next();
    if (!this.isKw(kw, tok)) throw syntax(tok.pos, `expected ${kw.toUpperCase()}, found ${describe(tok)}`);
    return tok;
  }
  private expectOp(op: string): void {
    const tok = this.next();
    if (!this.isOp(op, tok)) throw syntax(tok.pos, `expected "${op}", found ${describe(tok)}`);
  }
  private identifier(what: string): { name: string; pos: number } {
    const tok = this.next();
    if (tok.t !== 'id' || (KEYWORDS.has(tok.v.toLowerCase()) && tok.v.toLowerCase() !== 'null')) {
      throw syntax(tok.pos, `expected ${what}, found ${describe(tok)}`);
    }
    if (tok.v.toLowerCase() === 'null') throw syntax(tok.pos, `expected ${what}, found NULL`);
    return { name: tok.v, pos: tok.pos };
  }

  query(): SelectQuery {
    this.expectKw('select');
    let properties: SelectQuery['properties'] = null;
    if (this.isOp('*')) this.next();
    else {
      properties = [this.propertyName()];
      while (this.isOp(',')) { this.next(); properties.push(this.propertyName()); }
    }
    this.expectKw('from');
    const from = this.identifier('a class name');
    let where: Expr | null = null;
    if (this.isKw('where')) { this.next(); where = this.orExpr(); }
    const end = this.peek();
    if (end.t !== 'eof') throw syntax(end.pos, `unexpected ${describe(end)}`);
    return { properties, from: from.name, fromPos: from.pos, where };
  }

  /** A property, optionally qualified (`Class.Prop`, `Embedded.Prop`, `Embedded.Class::Prop`). */
  private propertyName(): PropRef {
    const first = this.identifier('a property name');
    if (!this.isOp('.')) return first;
    this.next();
    const second = this.identifier('a property name');
    if (!this.isOp('::')) return { ...second, via: first.name };
    this.next();
    return { ...this.identifier('a property name'), via: first.name, scope: second.name };
  }

  private orExpr(): Expr {
    let left = this.andExpr();
    while (this.isKw('or')) { this.oneMore(this.next().pos); left = { kind: 'or', left, right: this.andExpr() }; }
    return left;
  }
  private andExpr(): Expr {
    let left = this.notExpr();
    while (this.isKw('and')) { this.oneMore(this.next().pos); left = { kind: 'and', left, right: this.notExpr() }; }
    return left;
  }
  private notExpr(): Expr {
    if (this.isKw('not')) {
      this.deeper(this.next().pos);
      const e: Expr = { kind: 'not', expr: this.notExpr() };
      this.nesting--;
      return e;
    }
    return this.primary();
  }
  private primary(): Expr {
    if (this.isOp('(')) {
      this.deeper(this.next().pos);
      const e = this.orExpr();
      this.expectOp(')');
      this.nesting--;
      return e;
    }
    const left = this.operand();
    const tok = this.peek();
    if (this.isKw('is')) {
      this.next();
      let negated = false;
      if (this.isKw('not')) { this.next(); negated = true; }
      this.expectKw('null');
      return { kind: 'isNull', prop: left, negated };
    }
    if (this.isKw('isa')) {
      this.next();
      if (left.kind !== 'prop') throw syntax(left.pos, 'ISA needs a property (or __Class) on its left');
      return { kind: 'isa', prop: left, className: this.identifier('a class name').name };
    }
    if (this.isKw('like') || (this.isKw('not') && this.isKw('like', this.toks[this.i + 1]))) {
      const negated = this.isKw('not');
      if (negated) this.next();
      this.next();
      const pat = this.next();
      if (pat.t !== 'str') throw syntax(pat.pos, `LIKE needs a string pattern, found ${describe(pat)}`);
      if (this.dialect === 'cql') return { kind: 'like', prop: left, pattern: pat.v, negated, cql: parseCqlPattern(pat.v, pat.pos + 1) };
      return { kind: 'like', prop: left, pattern: pat.v, negated };
    }
    if (tok.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(tok.v)) {
      this.next();
      return { kind: 'cmp', op: tok.v as CompareOp, left, right: this.operand() };
    }
    throw syntax(tok.pos, `expected a comparison, IS, ISA or LIKE, found ${describe(tok)}`);
  }
  private operand(): Operand {
    const tok = this.peek();
    if (tok.t === 'str') { this.next(); return { kind: 'lit', value: tok.v, pos: tok.pos }; }
    if (tok.t === 'num') { this.next(); return { kind: 'lit', value: tok.v, pos: tok.pos }; }
    if (this.isKw('true') || this.isKw('false')) { this.next(); return { kind: 'lit', value: this.isKw('true', tok), pos: tok.pos }; }
    if (this.isKw('null')) { this.next(); return { kind: 'lit', value: null, pos: tok.pos }; }
    return { kind: 'prop', ...this.propertyName() };
  }
}

function describe(tok: Tok): string {
  switch (tok.t) {
    case 'eof': return 'the end of the query';
    case 'str': return `string '${tok.v}'`;
    case 'num': return `number ${tok.v}`;
    default: return `"${tok.v}"`;
  }
}

/**
 * The longest query text read: every character becomes part of a token, and tokens cost some
 * hundred times their text, so a 16 MiB request body holding one query took gigabytes before
 * the nesting or condition bound could refuse it. Far above any real query (1,024 conditions
 * of some sixty characters each is a quarter of it).
 */
export const MAX_QUERY_LENGTH = 256 * 1024;

/** Parses a query; `dialect` says whose LIKE patterns it has (DMTF:CQL's or WQL's). */
export function parseWql(text: string, dialect: QueryDialect = 'wql'): SelectQuery {
  if (text.length > MAX_QUERY_LENGTH) {
    throw cimError('INVALID_QUERY', `the query is ${text.length} characters long; at most ${MAX_QUERY_LENGTH} are accepted`);
  }
  return new Parser(lex(text), dialect).query();
}

/** Every property a query names: its SELECT list, then those of its WHERE clause. */
export function referencedProperties(q: Pick<SelectQuery, 'properties' | 'where'>): PropRef[] {
  const out = [...(q.properties ?? [])];
  const walk = (e: Expr | null): void => {
    if (!e) return;
    switch (e.kind) {
      case 'and': case 'or': walk(e.left); walk(e.right); break;
      case 'not': walk(e.expr); break;
      case 'cmp':
        for (const o of [e.left, e.right]) if (o.kind === 'prop') out.push(o);
        break;
      default:
        if (e.prop.kind === 'prop') out.push(e.prop);
    }
  };
  walk(q.where);
  return out;
}
