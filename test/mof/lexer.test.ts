import { expect } from 'chai';
import { MofError, tokenize } from '../../src/mof/index.js';

const kinds = (src: string) => tokenize(src, 't.mof').map((t) => `${t.kind}:${t.text}`);

describe('mof lexer', () => {
  it('skips comments and whitespace and tracks line and column', () => {
    const toks = tokenize('// line comment\n  class /* block\n comment */ X {\r\n};', 't.mof');
    expect(toks.map((t) => [t.text, t.line, t.col])).to.deep.equal([
      ['class', 2, 3], ['X', 3, 13], ['{', 3, 15], ['}', 4, 1], [';', 4, 2], ['', 4, 3],
    ]);
  });

  it('produces identifiers, punctuation, aliases and #pragma', () => {
    expect(kinds('#pragma include ("a.mof") instance of X as $Foo_1 { }; [ ] : = ,')).to.deep.equal([
      'pragma:#pragma', 'ident:include', 'punct:(', 'string:a.mof', 'punct:)', 'ident:instance', 'ident:of',
      'ident:X', 'ident:as', 'alias:Foo_1', 'punct:{', 'punct:}', 'punct:;', 'punct:[', 'punct:]', 'punct::',
      'punct:=', 'punct:,', 'eof:',
    ]);
  });

  it('decodes string and char16 escapes', () => {
    const toks = tokenize(String.raw`"a\"b\\c\n\t\x41\X263A" '\'' 'z' "it's"`, 't.mof');
    expect(toks[0]!.text).to.equal('a"b\\c\n\tA\u263A');
    expect(toks[1]).to.include({ kind: 'char', text: "'" });
    expect(toks[2]).to.include({ kind: 'char', text: 'z' });
    expect(toks[3]!.text).to.equal("it's");
  });

  it('reads every numeric form of DSP0221 §7.6', () => {
    const toks = tokenize('42 -7 +3 0 0x1F -0X10 101b 1B 017 1.5 -0.25 .5 1.5e3 2.0E-2 3e2', 't.mof');
    const vals = toks.slice(0, -1).map((t) => (t.kind === 'int' ? `i${t.int}` : `r${t.real}`));
    expect(vals).to.deep.equal(['i42', 'i-7', 'i3', 'i0', 'i31', 'i-16', 'i5', 'i1', 'i15', 'r1.5', 'r-0.25', 'r0.5', 'r1500', 'r0.02', 'r300']);
  });

  it('reads 64-bit integers exactly', () => {
    expect(tokenize('18446744073709551615', 't.mof')[0]!.int).to.equal(18446744073709551615n);
  });

  it('reports lexical errors with file:line:col', () => {
    const cases: [string, RegExp][] = [
      ['\n  "abc', /^t\.mof:2:3: unterminated string/],
      ['"a\nb"', /^t\.mof:1:1: unterminated string/],
      ['/* x', /^t\.mof:1:1: unterminated comment/],
      ['class\n  /* a\nlong\ncomment', /^t\.mof:2:3: unterminated comment/],
      ['"\\q"', /^t\.mof:1:2: unknown escape sequence '\\q'/],
      ['  08', /^t\.mof:1:3: malformed number '08'/],
      ['12abc', /malformed number '12abc'/],
      ['#include "x"', /^t\.mof:1:1: unknown directive '#include'/],
      ['x @', /^t\.mof:1:3: unexpected character '@'/],
      ["'ab'", /exactly one character/],
      ["'\u{1F600}'", /^t\.mof:1:1: a char16 literal must hold exactly one character of the Basic Multilingual Plane/],
    ];
    for (const [src, re] of cases) {
      expect(() => tokenize(src, 't.mof'), src).to.throw(MofError, re);
    }
  });
});
