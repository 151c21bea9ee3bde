import { expect } from 'chai';
import { parseMof } from '../../src/mof/index.js';

describe('mof parser', () => {
  it('parses each top-level production in order', () => {
    const prods = parseMof(`
      #pragma namespace ("root/x")
      Qualifier Q : uint32[4] = {1, 2}, Scope(property, parameter), Flavor(DisableOverride, Restricted);
      [Q{3}] class A as $A : B { };
      instance of A as $i { P = 1; };`, 'p.mof');
    expect(prods.map((p) => p.kind)).to.deep.equal(['pragma', 'qualifierDecl', 'class', 'instance']);
    const [pragma, decl, cls, inst] = prods;
    expect(pragma).to.deep.include({ name: 'namespace', args: ['root/x'] });
    expect(decl).to.deep.include({ name: 'Q', type: 'uint32', array: { isArray: true, size: 4 } });
    if (decl!.kind !== 'qualifierDecl') throw new Error();
    expect(decl.scopes.map((s) => s.word)).to.deep.equal(['property', 'parameter']);
    expect(decl.flavors.map((f) => f.word)).to.deep.equal(['disableoverride', 'restricted']);
    expect(cls).to.deep.include({ name: 'A', superClass: 'B', keyword: 'class' });
    expect(inst).to.deep.include({ className: 'A', alias: 'i' });
    expect(cls!.loc).to.deep.equal({ file: 'p.mof', line: 4, col: 20 });
  });

  it('accepts the DSP0221 v3 forms: Policy, association/indication keywords, parameter defaults', () => {
    const prods = parseMof(`
      Qualifier Q : string = "x" Scope(any) Policy(Restricted);
      association As { A REF x; A REF y; };
      indication In { };
      class C { uint32 M(uint32 a = 5); };`, 'p.mof');
    expect(prods.map((p) => (p.kind === 'class' ? p.keyword : p.kind))).to.deep.equal(['qualifierDecl', 'association', 'indication', 'class']);
  });

  it('treats REF as a keyword only before a name', () => {
    const [cls] = parseMof('class C { string Ref; C REF ref; uint8 M(string Ref, C REF Ref2); };', 'p.mof');
    if (cls!.kind !== 'class') throw new Error();
    const [p1, p2, m] = cls.features;
    expect(p1).to.deep.include({ name: 'Ref', type: 'string' });
    expect(p2).to.deep.include({ name: 'ref', type: 'reference', refClass: 'C' });
    if (m!.kind !== 'method') throw new Error();
    expect(m.parameters.map((p) => [p.name, p.type])).to.deep.equal([['Ref', 'string'], ['Ref2', 'reference']]);
  });

  it('keeps qualifier usage flavors and brace form', () => {
    const [cls] = parseMof('[A : ToSubclass DisableOverride, B("x" "y"), C{"1"}] class K { };', 'p.mof');
    if (cls!.kind !== 'class') throw new Error();
    const [a, b, c] = cls.qualifiers;
    expect(a!.flavors.map((f) => f.word)).to.deep.equal(['tosubclass', 'disableoverride']);
    expect(b).to.deep.include({ braces: false, value: { kind: 'string', value: 'xy', loc: { file: 'p.mof', line: 1, col: 36 } } });
    expect(c!.braces).to.equal(true);
  });
});
