import { expect } from 'chai';
import { compile, compileError } from './helpers.js';

const Q = `Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier Description : string = null, Scope(any);
Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);
Qualifier Max : uint32 = null, Scope(reference);
`; // 4 lines: the MOF under test starts on line 5

describe('mof errors', () => {
  it('names file:line:col and what was expected for syntax errors', async () => {
    const cases: [string, RegExp][] = [
      ['class T_A {\n  string Name\n};', /^mof\/cim\/T\.mof:7:1: expected ';' after property declaration, found '}'$/],
      ['class T_A {\n  [Key] T_A REF Other\n  string X;\n};', /^mof\/cim\/T\.mof:7:3: expected ';' after reference declaration, found 'string'$/],
      ['class T_A { string Name; }', /^mof\/cim\/T\.mof:5:27: expected ';' after the closing '}' of class T_A, found end of file$/],
      ['class T_A { strin Name; };', /^mof\/cim\/T\.mof:5:13: unknown type 'strin'/],
      ['class T_A { T_B Other; };', /5:13: unknown type 'T_B' \(a reference needs 'REF': T_B REF Other\)/],
      ['class T_A : { };', /5:13: expected a superclass name after ':' in class T_A, found '\{'/],
      ['class { };', /5:7: expected a class name after 'class'/],
      ['[Key class T_A { };', /5:6: expected ',' or '\]' in the qualifier list, found 'class'/],
      ['class T_A { uint32 Go(uint16 a uint16 b); };', /5:32: expected '\)' or ',' in the parameter list of method Go/],
      ['class T_A { uint8 X = ; };', /5:23: expected a default value for X, found ';'/],
      ['class T_A { uint8 X[; };', /5:21: expected '\]' \(or a positive size\)/],
      ['instance T_A { };', /5:10: expected 'of' after 'instance'/],
      ['Foo;', /5:1: expected 'class', 'instance of', 'qualifier' or '#pragma', found 'Foo'/],
      ['[Description("x")] Qualifier Q : string, Scope(any);', /5:20: expected 'class' or 'instance of' after the qualifier list/],
      ['Qualifier Q : string;', /5:21: expected Scope\(...\) in the declaration of qualifier Q/],
      ['[Key : Sticky] class T_A { };', /5:8: expected a flavor/],
      ['class T_A { uint8 X = {1, {2}}; };', /5:27: arrays cannot be nested/],
      ['#pragma include (foo)', /5:18: expected a string argument for #pragma include, found 'foo'/],
    ];
    for (const [mof, re] of cases) {
      await compileError(Q + mof, re, { bare: true, file: 'mof/cim/T.mof' });
    }
  });

  it('refuses deeply nested array braces with a position, not a stack overflow', async () => {
    await compileError(Q + 'class T_A { string X[] = ' + '{'.repeat(200000) + '}; };', /^T\.mof:5:27: arrays cannot be nested$/, { bare: true, file: 'T.mof' });
  });

  it('quotes a huge literal or name in a message only in part', async () => {
    const big = '9'.repeat(1_000_000);
    const cases: [string, RegExp][] = [
      [`class T_A { uint8 X = ${big}; };`, /^T\.mof:5:23: property T_A\.X: 9{37}\.\.\. is out of range for uint8/],
      [`class T_A { uint8 X = ${big}z; };`, /^T\.mof:5:23: malformed number '9{37}\.\.\.'$/],
      [`class T_A { string X = ${big}; };`, /the value is an integer 9{37}\.\.\.$/],
      [`class T_A { ${'x'.repeat(1_000_000)} Y; };`, /^T\.mof:5:13: unknown type 'x{37}\.\.\.' \(a reference needs 'REF': x{37}\.\.\. REF Y\)/],
      [`class T_A { string X = "${'s'.repeat(1_000_000)}" }`, /found '}'$/],
    ];
    for (const [mof, re] of cases) {
      const e = await compileError(Q + mof, re, { bare: true, file: 'T.mof' });
      expect(e.message.length).to.be.below(300);
    }
  });

  it('reports an undeclared qualifier with its position', async () => {
    await compileError(Q + 'class T_A {\n    [Keyy] string Name;\n};', /^T\.mof:6:6: qualifier Keyy is not declared in namespace root\/test/, { bare: true, file: 'T.mof' });
  });

  it('reports a qualifier used outside its scope', async () => {
    await compileError(Q + '[Key] class T_A { };', /^T\.mof:5:2: qualifier Key cannot be used on class class T_A \(its Scope is property, reference\)/, { bare: true, file: 'T.mof' });
    await compileError(Q + 'class T_A { [Max(1)] string S; };', /T\.mof:5:14: qualifier Max cannot be used on property T_A\.S/, { bare: true, file: 'T.mof' });
    await compileError(Q + 'class T_A { uint32 Go([Key] string s); };', /qualifier Key cannot be used on parameter parameter s of T_A\.Go/, { bare: true, file: 'T.mof' });
  });

  it('reports qualifier values of the wrong type', async () => {
    await compileError(Q + '[Description(5)] class T_A { };', /5:14: qualifier Description is of type string, but the value is an integer 5/, { bare: true });
    await compileError(Q + 'class T_A { [Key("yes")] string S; };', /5:18: qualifier Key is of type boolean, but the value is a string "yes"/, { bare: true });
    await compileError(Q + '[Description{"a", "b"}] class T_A { };', /5:13: qualifier Description is a single string, not an array/, { bare: true });
  });

  it('reports default values that do not match the property type', async () => {
    const cases: [string, RegExp][] = [
      ['class T_A { uint8 X = 256; };', /5:23: property T_A\.X: 256 is out of range for uint8 \(0\.\.255\)/],
      ['class T_A { uint32 X = -1; };', /out of range for uint32/],
      ['class T_A { sint64 X = 9223372036854775808; };', /out of range for sint64/],
      ['class T_A { uint16 X = "5"; };', /5:24: property T_A\.X is of type uint16, but the value is a string "5"/],
      ['class T_A { uint16 X = 1.5; };', /property T_A\.X is of type uint16, but the value is a real 1\.5/],
      ['class T_A { string X = 5; };', /property T_A\.X is of type string, but the value is an integer 5/],
      ['class T_A { boolean X = 1; };', /is of type boolean, but the value is an integer 1/],
      ['class T_A { char16 X = "ab"; };', /is of type char16, but the value is a string "ab"/],
      ['class T_A { datetime X = "yesterday"; };', /5:26: property T_A\.X: "yesterday" is not a CIM datetime/],
      ['class T_A { uint8 X[] = 1; };', /5:25: property T_A\.X is an array of uint8: write its value in braces, e\.g\. \{an integer 1\}/],
      ['class T_A { uint8 X = {1}; };', /property T_A\.X is a single uint8, not an array/],
      ['class T_A { uint8 X[2] = {1, 2, 3}; };', /holds at most 2 elements, the default has 3/],
      ['class T_A { [Key] string Id; T_A REF R = "not a path"; };', /5:42: property T_A\.R: malformed object path/],
      ['class T_A { T_A REF R = $nobody; };', /alias \$nobody names no instance/],
      ['class T_A { T_A REF R[]; };', /5:21: reference T_A\.R cannot be an array \(only method parameters can/],
      ['class T_A { real32 X = 3.5e38; };', /5:24: property T_A\.X: 3\.5e38 is out of range for real32$/],
      ['class T_A { real32 X = -340282366920938463463374607431768211456; };', /out of range for real32/],
      ['class T_A { real64 X = 1e309; };', /5:24: property T_A\.X: 1e309 is out of range for real64$/],
    ];
    for (const [mof, re] of cases) await compileError(Q + mof, re, { bare: true });
  });

  it('reports duplicate properties, methods and parameters', async () => {
    await compileError(Q + 'class T_A {\n string Name;\n uint8 NAME;\n};', /^test\.mof:7:8: T_A\.NAME is declared twice in class T_A \(first at line 6\)/, { bare: true });
    await compileError(Q + 'class T_A { uint8 Go(); string go; };', /T_A\.go is declared twice/, { bare: true });
    await compileError(Q + 'class T_A { uint8 Go(uint8 a, string A); };', /5:38: parameter A is declared twice in method T_A\.Go/, { bare: true });
    await compileError(Q + '[Description("a"), Description("b")] class T_A { };', /5:20: qualifier Description is given twice on class T_A/, { bare: true });
  });

  it('reports an unknown superclass and a class defined twice', async () => {
    await compileError(Q + 'class T_B : T_Nope { };', /^test\.mof:5:13: superclass T_Nope of T_B is not defined in namespace root\/test/, { bare: true });
    await compileError(Q + 'class T_A { };\nclass t_a { };', /^test\.mof:6:7: class t_a is already defined in namespace root\/test \(at test\.mof:5:7\)/, { bare: true });
  });

  it('reports an EmbeddedInstance naming a class that is never defined (DSP0004: a class of the same namespace)', async () => {
    const q = Q + 'Qualifier EmbeddedInstance : string = null, Scope(property, method, parameter);\n';
    await compileError(q + 'class T_A {\n  [EmbeddedInstance ("T_Nope")] string S;\n};', /^T\.mof:7:22: class T_Nope, referenced by EmbeddedInstance of property T_A\.S, is not defined in namespace root\/test$/, { bare: true, file: 'T.mof' });
    await compileError(q + 'class T_A { uint32 Go([EmbeddedInstance ("T_Nope")] string p); };', /class T_Nope, referenced by EmbeddedInstance of parameter p of T_A\.Go, is not defined/, { bare: true, file: 'T.mof' });
    // A class defined later in the same compile, or the class itself, is fine.
    await compile(q + 'class T_A { [EmbeddedInstance ("T_B")] string S; [EmbeddedInstance ("T_A")] string Self; };\nclass T_B { };', { bare: true });
  });

  it('reports a ValueMap and Values of different lengths, given together or over an inherited one', async () => {
    const q = Q + 'Qualifier ValueMap : string[], Scope(property, method, parameter);\nQualifier Values : string[], Scope(property, method, parameter);\nQualifier Override : string = null, Scope(property, reference, method);\n';
    await compileError(q + 'class T_A {\n  [ValueMap {"1", "2"}, Values {"One"}] uint16 S;\n};', /^T\.mof:9:25: property T_A\.S: ValueMap has 2 entries but Values has 1; they correspond one to one$/, { bare: true, file: 'T.mof' });
    await compileError(q + 'class T_A { uint32 Go([ValueMap {"1"}, Values {"a", "b"}] uint16 p); };', /parameter p of T_A\.Go: ValueMap has 1 entries but Values has 2/, { bare: true, file: 'T.mof' });
    await compileError(q + 'class T_A { [ValueMap {"1", "2"}, Values {"a", "b"}] uint16 S; };\nclass T_B : T_A { [Override ("S"), ValueMap {"1", "2", "3"}] uint16 S; };', /^T\.mof:9:36: property T_B\.S: ValueMap has 3 entries but Values has 2/, { bare: true, file: 'T.mof' });
    await compile(q + 'class T_A { [ValueMap {"1", "2"}, Values {"a", "b"}] uint16 S; };\nclass T_B : T_A { [Override ("S"), ValueMap {"1", "3"}] uint16 S; };', { bare: true });
  });

  it('reports a REF to a class that is never defined', async () => {
    await compileError(Q + '\nclass T_A { T_Nope REF R; };', /^test\.mof:6:13: class T_Nope, referenced by T_A\.R, is not defined in namespace root\/test/, { bare: true });
  });

  it('reports bad qualifier declarations', async () => {
    await compileError('Qualifier Q : string, Scope(galaxy);', /1:29: unknown scope 'galaxy'/, { bare: true });
    await compileError('Qualifier Q : boolean = 3, Scope(any);', /qualifier Q is of type boolean, but the value is an integer 3/, { bare: true });
    await compileError('Qualifier Q : boolean, Scope(any), Flavor(EnableOverride, DisableOverride);', /1:59: flavors EnableOverride and DisableOverride contradict each other/, { bare: true });
    await compileError('Qualifier Q : Foo REF, Scope(any);', /unknown type 'Foo'/, { bare: true });
  });

  it('warns on an association with fewer than two references', async () => {
    const { warnings } = await compile(Q + '[Association] class T_A { [Key] T_A REF Only; };', { bare: true });
    expect(warnings).to.deep.equal(['test.mof:5:21: warning: association T_A has 1 reference(s); DSP0004 requires at least two']);
  });
});
