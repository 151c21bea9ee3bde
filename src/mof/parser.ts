/**
 * MOF parser: tokens → productions (DSP0221 v2.x Annex A grammar, plus the v3.0 forms
 * `association`/`indication` keywords and `Policy(...)` that real schemas use). Keywords are
 * case-insensitive (DSP0221 §7.1). The parser only checks syntax; types of qualifier values and
 * defaults are checked by the compiler, which knows the declarations.
 */
import { isCimType, type CimType } from '../cim/index.js';
import type {
  ArraySpec, ClassNode, FlavorWord, InstanceNode, MethodNode, ParameterNode, PragmaNode, Production,
  PropertyNode, PropertyValueNode, QualifierDeclNode, QualifierNode, ValueNode,
} from './ast.js';
import { MofError, clip, type Loc } from './errors.js';
import { tokenize, type Token } from './lexer.js';

export const FLAVOR_WORDS: ReadonlySet<string> = new Set([
  'enableoverride', 'disableoverride', 'tosubclass', 'restricted', 'translatable', 'toinstance',
]);

export function parseMof(text: string, file: string): Production[] {
  return new Parser(tokenize(text, file), file).parseFile();
}

class Parser {
  private pos = 0;

  constructor(private readonly toks: Token[], private readonly file: string) {}

  parseFile(): Production[] {
    const out: Production[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return out;
      if (t.kind === 'pragma') {
        out.push(this.parsePragma());
        continue;
      }
      const qualifiers = this.isPunct(t, '[') ? this.parseQualifierList() : [];
      const k = this.peek();
      const word = k.kind === 'ident' ? k.text.toLowerCase() : '';
      if (word === 'class' || word === 'association' || word === 'indication') out.push(this.parseClass(qualifiers));
      else if (word === 'instance') out.push(this.parseInstance(qualifiers));
      else if (word === 'qualifier' && qualifiers.length === 0) out.push(this.parseQualifierDecl());
      else throw this.error(k, qualifiers.length ? "expected 'class' or 'instance of' after the qualifier list" : "expected 'class', 'instance of', 'qualifier' or '#pragma'");
    }
  }

  // ---- top-level productions ----

  /** `#pragma name ("arg")` (DSP0221 §7.3 compilerDirective). */
  private parsePragma(): PragmaNode {
    const hash = this.next();
    const name = this.expectIdent('a pragma name after #pragma');
    const args: string[] = [];
    if (this.acceptPunct('(')) {
      if (!this.isPunct(this.peek(), ')')) {
        do args.push(this.parseStrings('a string argument for #pragma ' + name.text));
        while (this.acceptPunct(','));
      }
      this.expectPunct(')', `')' after the #pragma ${name.text} argument`);
    }
    return { kind: 'pragma', name: name.text.toLowerCase(), args, loc: this.loc(hash) };
  }

  /** `Qualifier Name : type[n] = default, Scope(...), Flavor(...);` (DSP0221 §7.4). */
  private parseQualifierDecl(): QualifierDeclNode {
    this.next();
    const nameTok = this.expectIdent('a qualifier name after Qualifier');
    this.expectPunct(':', `':' and a type after qualifier name ${nameTok.text}`);
    const type = this.parseDataType(this.expectIdent(`a type for qualifier ${nameTok.text}`));
    if (type === 'reference') throw this.error(this.peek(-1), 'a qualifier cannot be of reference type');
    const array = this.parseArraySpec();
    const node: QualifierDeclNode = {
      kind: 'qualifierDecl', name: nameTok.text, type, array, scopes: [], flavors: [], loc: this.loc(nameTok),
    };
    if (this.acceptPunct('=')) node.value = this.parseValue(`a default value for qualifier ${nameTok.text}`);
    let sawScope = false;
    for (;;) {
      this.acceptPunct(',');
      const t = this.peek();
      const w = t.kind === 'ident' ? t.text.toLowerCase() : '';
      if (w === 'scope' && !sawScope) {
        sawScope = true;
        this.next();
        this.expectPunct('(', "'(' after Scope");
        do {
          const s = this.expectIdent('a scope name (class, association, indication, property, reference, method, parameter, any)');
          node.scopes.push({ word: s.text.toLowerCase(), loc: this.loc(s) });
        } while (this.acceptPunct(','));
        this.expectPunct(')', "')' or ',' in the Scope list");
      } else if (w === 'flavor' || w === 'policy') {
        this.next();
        this.expectPunct('(', `'(' after ${t.text}`);
        do node.flavors.push(this.parseFlavorWord());
        while (this.acceptPunct(','));
        this.expectPunct(')', `')' or ',' in the ${t.text} list`);
      } else break;
    }
    if (!sawScope) throw this.error(this.peek(), `expected Scope(...) in the declaration of qualifier ${nameTok.text}`);
    this.expectPunct(';', "';' after qualifier declaration");
    return node;
  }

  /** `class Name [as $alias] [: Super] { features };` (DSP0221 §7.5.2). */
  private parseClass(qualifiers: QualifierNode[]): ClassNode {
    const kw = this.next();
    const keyword = kw.text.toLowerCase() as ClassNode['keyword'];
    const nameTok = this.expectIdent(`a class name after '${kw.text}'`);
    this.parseOptionalAlias();
    const node: ClassNode = { kind: 'class', keyword, qualifiers, name: nameTok.text, features: [], loc: this.loc(nameTok) };
    if (this.acceptPunct(':')) {
      const sup = this.expectIdent(`a superclass name after ':' in class ${nameTok.text}`);
      node.superClass = sup.text;
      node.superLoc = this.loc(sup);
    }
    this.expectPunct('{', `'{' to open the body of class ${nameTok.text}`);
    while (!this.acceptPunct('}')) {
      if (this.peek().kind === 'eof') throw this.error(this.peek(), `expected '}' to close class ${nameTok.text}`);
      node.features.push(this.parseFeature());
    }
    this.expectPunct(';', `';' after the closing '}' of class ${nameTok.text}`);
    return node;
  }

  /** A property, reference or method (DSP0221 §7.5.3–7.5.5). */
  private parseFeature(): PropertyNode | MethodNode {
    const qualifiers = this.isPunct(this.peek(), '[') ? this.parseQualifierList() : [];
    const typeTok = this.expectIdent('a property or method declaration (type and name)');
    let type: CimType;
    let refClass: string | undefined;
    if (this.isRefKeyword()) {
      this.next();
      type = 'reference';
      refClass = typeTok.text;
    } else {
      type = this.parseDataType(typeTok);
    }
    const nameTok = this.expectIdent(type === 'reference' ? 'a reference name after REF' : `a property or method name after type ${typeTok.text}`);
    if (this.isPunct(this.peek(), '(')) {
      const m: MethodNode = { kind: 'method', qualifiers, returnType: type, name: nameTok.text, parameters: [], loc: this.loc(nameTok) };
      this.next();
      if (!this.isPunct(this.peek(), ')')) {
        do m.parameters.push(this.parseParameter(nameTok.text));
        while (this.acceptPunct(','));
      }
      this.expectPunct(')', `')' or ',' in the parameter list of method ${nameTok.text}`);
      this.expectPunct(';', "';' after method declaration");
      return m;
    }
    const p: PropertyNode = { kind: 'property', qualifiers, type, name: nameTok.text, array: this.parseArraySpec(), loc: this.loc(nameTok) };
    if (refClass !== undefined) {
      p.refClass = refClass;
      p.refClassLoc = this.loc(typeTok);
    }
    if (this.acceptPunct('=')) p.value = this.parseValue(`a default value for ${nameTok.text}`);
    this.expectPunct(';', type === 'reference' ? "';' after reference declaration" : "';' after property declaration");
    return p;
  }

  private parseParameter(method: string): ParameterNode {
    const qualifiers = this.isPunct(this.peek(), '[') ? this.parseQualifierList() : [];
    const typeTok = this.expectIdent(`a parameter (type and name) in method ${method}`);
    let type: CimType;
    let refClass: string | undefined;
    if (this.isRefKeyword()) {
      this.next();
      type = 'reference';
      refClass = typeTok.text;
    } else {
      type = this.parseDataType(typeTok);
    }
    const nameTok = this.expectIdent(`a parameter name after ${typeTok.text}${refClass ? ' REF' : ''}`);
    const p: ParameterNode = { qualifiers, type, name: nameTok.text, array: this.parseArraySpec(), loc: this.loc(nameTok) };
    if (refClass !== undefined) {
      p.refClass = refClass;
      p.refClassLoc = this.loc(typeTok);
    }
    // DSP0221 v3 allows a parameter default; CIM-XML has nowhere to carry it, so it is dropped.
    if (this.acceptPunct('=')) this.parseValue(`a default value for parameter ${nameTok.text}`);
    return p;
  }

  /** `instance of Class [as $alias] { Prop = value; ... };` (DSP0221 §7.7). */
  private parseInstance(qualifiers: QualifierNode[]): InstanceNode {
    const kw = this.next();
    if (!this.isWord(this.peek(), 'of')) throw this.error(this.peek(), "expected 'of' after 'instance'");
    this.next();
    const cls = this.expectIdent("a class name after 'instance of'");
    const node: InstanceNode = { kind: 'instance', qualifiers, className: cls.text, properties: [], loc: this.loc(kw) };
    const alias = this.parseOptionalAlias();
    if (alias !== undefined) node.alias = alias;
    this.expectPunct('{', `'{' to open the instance of ${cls.text}`);
    while (!this.acceptPunct('}')) {
      const q = this.isPunct(this.peek(), '[') ? this.parseQualifierList() : [];
      const name = this.expectIdent(`a property name or '}' in the instance of ${cls.text}`);
      this.expectPunct('=', `'=' after property name ${name.text}`);
      const pv: PropertyValueNode = { qualifiers: q, name: name.text, value: this.parseValue(`a value for ${name.text}`), loc: this.loc(name) };
      this.expectPunct(';', "';' after property value");
      node.properties.push(pv);
    }
    this.expectPunct(';', `';' after the closing '}' of the instance of ${cls.text}`);
    return node;
  }

  private parseOptionalAlias(): string | undefined {
    if (!this.isWord(this.peek(), 'as')) return undefined;
    this.next();
    const t = this.next();
    if (t.kind !== 'alias') throw this.error(t, "expected an alias ('$name') after 'as'");
    return t.text;
  }

  // ---- pieces ----

  /** `[Name, Name(value), Name{v1, v2} : Flavor ...]` (DSP0221 §7.4.1). */
  private parseQualifierList(): QualifierNode[] {
    this.next();
    const out: QualifierNode[] = [];
    do {
      const nameTok = this.expectIdent('a qualifier name');
      const q: QualifierNode = { name: nameTok.text, braces: false, flavors: [], loc: this.loc(nameTok) };
      if (this.acceptPunct('(')) {
        q.value = this.parseValue(`a value for qualifier ${nameTok.text}`);
        this.expectPunct(')', `')' after the value of qualifier ${nameTok.text}`);
      } else if (this.isPunct(this.peek(), '{')) {
        q.value = this.parseValue(`values for qualifier ${nameTok.text}`);
        q.braces = true;
      }
      if (this.acceptPunct(':')) {
        do q.flavors.push(this.parseFlavorWord());
        while (this.peek().kind === 'ident');
      }
      out.push(q);
    } while (this.acceptPunct(','));
    this.expectPunct(']', "',' or ']' in the qualifier list");
    return out;
  }

  private parseFlavorWord(): FlavorWord {
    const t = this.expectIdent('a flavor (EnableOverride, DisableOverride, ToSubclass, Restricted, Translatable)');
    const word = t.text.toLowerCase();
    if (!FLAVOR_WORDS.has(word)) {
      throw this.error(t, 'expected a flavor (EnableOverride, DisableOverride, ToSubclass, Restricted, Translatable)');
    }
    return { word, loc: this.loc(t) };
  }

  /** `[]` or `[n]` after a name. */
  private parseArraySpec(): ArraySpec {
    if (!this.acceptPunct('[')) return { isArray: false };
    const spec: ArraySpec = { isArray: true };
    const t = this.peek();
    if (t.kind === 'int') {
      this.next();
      if (t.int! <= 0n) throw this.error(t, 'an array size must be positive');
      spec.size = Number(t.int);
    }
    this.expectPunct(']', "']' (or a positive size) in the array declaration");
    return spec;
  }

  /** An initializer: constant, adjacent strings, `{...}` array, `$alias`. */
  private parseValue(what: string): ValueNode {
    const t = this.peek();
    const loc = this.loc(t);
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: this.parseStrings(what), loc };
      case 'char':
        this.next();
        return { kind: 'char', value: t.text, loc };
      case 'int':
        this.next();
        return { kind: 'int', value: t.int!, text: t.text, loc };
      case 'real':
        this.next();
        return { kind: 'real', value: t.real!, text: t.text, loc };
      case 'alias':
        this.next();
        return { kind: 'alias', name: t.text, loc };
      case 'ident': {
        const w = t.text.toLowerCase();
        if (w === 'true' || w === 'false') {
          this.next();
          return { kind: 'bool', value: w === 'true', loc };
        }
        if (w === 'null') {
          this.next();
          return { kind: 'null', loc };
        }
        break;
      }
      case 'punct':
        if (t.text === '{') {
          this.next();
          const items: ValueNode[] = [];
          if (!this.isPunct(this.peek(), '}')) {
            do {
              // Refused before descending: '{{{{...' must not recurse once per brace.
              const inner = this.peek();
              if (this.isPunct(inner, '{')) throw new MofError(this.loc(inner), 'arrays cannot be nested');
              items.push(this.parseValue(what));
            } while (this.acceptPunct(','));
          }
          this.expectPunct('}', "',' or '}' in the array value");
          return { kind: 'array', items, loc };
        }
        break;
      default:
        break;
    }
    throw this.error(t, `expected ${what}`);
  }

  /** One or more adjacent string literals, concatenated (DSP0221 §7.10.1). */
  private parseStrings(what: string): string {
    const first = this.next();
    if (first.kind !== 'string') throw this.error(first, `expected ${what}`);
    let s = first.text;
    while (this.peek().kind === 'string') s += this.next().text;
    return s;
  }

  private parseDataType(t: Token): CimType {
    const lower = t.text.toLowerCase();
    if (lower !== 'reference' && isCimType(lower)) return lower;
    const next = this.peek();
    if (next.kind === 'ident' && next.text.toLowerCase() !== 'ref') {
      throw this.error(t, `unknown type '${clip(t.text)}' (a reference needs 'REF': ${clip(t.text)} REF ${clip(next.text)})`);
    }
    throw this.error(t, `unknown type '${clip(t.text)}'`);
  }

  // ---- token helpers ----

  private peek(offset = 0): Token {
    return this.toks[Math.min(Math.max(this.pos + offset, 0), this.toks.length - 1)]!;
  }

  private next(): Token {
    const t = this.toks[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isPunct(t: Token, ch: string): boolean {
    return t.kind === 'punct' && t.text === ch;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  /** `REF` is a keyword only before a name: `string Ref;` declares a property called Ref. */
  private isRefKeyword(): boolean {
    return this.isWord(this.peek(), 'ref') && this.peek(1).kind === 'ident';
  }

  private acceptPunct(ch: string): boolean {
    if (!this.isPunct(this.peek(), ch)) return false;
    this.pos++;
    return true;
  }

  private expectPunct(ch: string, what: string): Token {
    const t = this.peek();
    if (!this.isPunct(t, ch)) throw this.error(t, `expected ${what}`);
    return this.next();
  }

  private expectIdent(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') throw this.error(t, `expected ${what}`);
    return this.next();
  }

  private loc(t: Token): Loc {
    return { file: this.file, line: t.line, col: t.col };
  }

  private error(t: Token, why: string): MofError {
    return new MofError(this.loc(t), `${why}, found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of file';
    case 'string': return `string "${clip(t.text, 30)}"`;
    case 'char': return `char16 '${t.text}'`;
    case 'alias': return `alias $${clip(t.text)}`;
    case 'pragma': return '#pragma';
    default: return `'${clip(t.text)}'`;
  }
}
