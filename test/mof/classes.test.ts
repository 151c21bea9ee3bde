import { expect } from 'chai';
import { CimDateTime, CimInstanceName } from '../../src/cim/index.js';
import { compile, NS } from './helpers.js';

describe('mof classes', () => {
  it('compiles properties of every CIM type with defaults', async () => {
    const { repo, classes } = await compile(`
      class T_All {
        boolean B = TRUE;
        boolean B2 = false;
        string S = "a" "b"   "c";
        char16 C = 'x';
        datetime D = "20240102030405.000000+060";
        datetime I = "00000001020304.000000:000";
        uint8 U8 = 255;
        sint8 S8 = -128;
        uint16 U16 = 0xFFFF;
        sint16 S16 = -0x10;
        uint32 U32 = 017;
        sint32 S32 = 101b;
        uint64 U64 = 18446744073709551615;
        sint64 S64 = -9223372036854775808;
        real32 R32 = 1.5;
        real64 R64 = -2.5e-3;
        real64 RI = 3;
        string N = NULL;
        string Empty;
      };`);
    expect(classes).to.equal(1);
    const c = repo.requireClass(NS, 't_all');
    const v = (n: string) => c.properties.get(n)!.value;
    expect(v('B')).to.equal(true);
    expect(v('B2')).to.equal(false);
    expect(v('S')).to.equal('abc');
    expect(v('C')).to.equal('x');
    expect(v('D')).to.be.instanceOf(CimDateTime);
    expect((v('I') as CimDateTime).isInterval).to.equal(true);
    expect([v('U8'), v('S8'), v('U16'), v('S16'), v('U32'), v('S32')]).to.deep.equal([255, -128, 65535, -16, 15, 5]);
    expect(v('U64')).to.equal(18446744073709551615n);
    expect(v('S64')).to.equal(-9223372036854775808n);
    expect([v('R32'), v('R64'), v('RI')]).to.deep.equal([1.5, -0.0025, 3]);
    expect(v('N')).to.equal(null);
    expect(v('Empty')).to.equal(null);
    expect(c.properties.get('U16')!.type).to.equal('uint16');
    expect(c.properties.names()).to.deep.equal(['B', 'B2', 'S', 'C', 'D', 'I', 'U8', 'S8', 'U16', 'S16', 'U32', 'S32', 'U64', 'S64', 'R32', 'R64', 'RI', 'N', 'Empty']);
  });

  it('compiles arrays, fixed-size arrays and array defaults', async () => {
    const { repo } = await compile(`
      class T_Arr {
        uint16 A[] = {1, 2, 3};
        string F[4] = {"a", NULL};
        string E[] = {};
        real64 R[];
      };`);
    const c = repo.requireClass(NS, 'T_Arr');
    expect(c.properties.get('A')).to.include({ isArray: true, value: c.properties.get('A')!.value });
    expect(c.properties.get('A')!.value).to.deep.equal([1, 2, 3]);
    expect(c.properties.get('F')!.arraySize).to.equal(4);
    expect(c.properties.get('F')!.value).to.deep.equal(['a', null]);
    expect(c.properties.get('E')!.value).to.deep.equal([]);
    expect(c.properties.get('R')).to.include({ isArray: true, value: null });
  });

  it('is case-insensitive for keywords and types', async () => {
    const { repo } = await compile(`CLASS T_Case { STRING Name; Uint32 N = 1; BOOLEAN b = True; string s = Null; };`);
    const c = repo.requireClass(NS, 'T_Case');
    expect(c.properties.get('N')!.type).to.equal('uint32');
    expect(c.properties.get('b')!.value).to.equal(true);
  });

  it('compiles qualifiers with values, arrays, implicit TRUE and declared types', async () => {
    const { repo } = await compile(`
      [Abstract, Description("A " "class"), Version("1.0")]
      class T_Q {
        [Key, Description("the key"), MaxLen(64)] string Name;
        [ValueMap{"1", "2", ".."}, Values{"One", "Two", "Other"}] uint16 State;
        [ValueMap("9")] uint16 Single;
      };`);
    const c = repo.requireClass(NS, 'T_Q');
    expect(c.isAbstract).to.equal(true);
    expect(c.qualifiers.get('description')!.value).to.equal('A class');
    const name = c.properties.get('Name')!;
    expect(name.isKey).to.equal(true);
    expect(name.qualifiers.get('MaxLen')).to.include({ type: 'uint32', value: 64 });
    const state = c.properties.get('State')!;
    expect(state.qualifiers.get('ValueMap')).to.include({ type: 'string', isArray: true });
    expect(state.qualifiers.get('ValueMap')!.value).to.deep.equal(['1', '2', '..']);
    expect(state.qualifiers.get('Values')!.value).to.deep.equal(['One', 'Two', 'Other']);
    // A scalar in parentheses for an array qualifier is read as a one-element array.
    expect(c.properties.get('Single')!.qualifiers.get('ValueMap')!.value).to.deep.equal(['9']);
    // The qualifier keeps the declaration's spelling.
    expect(c.keyNames).to.deep.equal(['Name']);
    expect(c.qualifiers.names()).to.deep.equal(['Abstract', 'Description', 'Version']);
  });

  it('takes qualifier flavors from the declaration, overridden by usage flavors', async () => {
    const { repo } = await compile(`
      [Description("d") : Restricted DisableOverride, Version("1") : ToSubclass]
      class T_F { [Key] string K; [Description("x")] string P; };`);
    const c = repo.requireClass(NS, 'T_F');
    expect(c.qualifiers.get('Description')!.flavor).to.deep.equal({ overridable: false, toSubclass: false, toInstance: false, translatable: true });
    expect(c.qualifiers.get('Version')!.flavor).to.include({ toSubclass: true, overridable: true, translatable: true });
    expect(c.properties.get('K')!.qualifiers.get('Key')!.flavor).to.include({ overridable: false, toSubclass: true });
    expect(c.properties.get('P')!.qualifiers.get('Description')!.flavor).to.include({ overridable: true, toSubclass: true, translatable: true });
  });

  it('compiles methods with qualified, REF and array parameters', async () => {
    const { repo } = await compile(`
      class T_Job { [Key] string Id; };
      class T_Svc {
        [Key] string Name;
        [Description("Starts it"), ValueMap{"0", "4096"}]
        uint32 Start(
          [IN, Description("wanted")] uint16 State,
          [IN(false), OUT] T_Job REF Job,
          [IN] string Names[],
          [OUT] uint8 Fixed[2]);
        uint32 NoArgs();
        T_Job REF Current();
      };`);
    const c = repo.requireClass(NS, 'T_Svc');
    const m = c.methods.get('start')!;
    expect(m.returnType).to.equal('uint32');
    expect(m.qualifiers.get('ValueMap')!.value).to.deep.equal(['0', '4096']);
    expect(m.parameters.names()).to.deep.equal(['State', 'Job', 'Names', 'Fixed']);
    const job = m.parameters.get('Job')!;
    expect(job).to.include({ type: 'reference', referenceClass: 'T_Job', isIn: false, isOut: true });
    expect(m.parameters.get('State')).to.include({ type: 'uint16', isIn: true, isOut: false });
    expect(m.parameters.get('Names')!.isArray).to.equal(true);
    expect(m.parameters.get('Fixed')!.arraySize).to.equal(2);
    expect(c.methods.get('NoArgs')!.parameters.size).to.equal(0);
    expect(c.methods.get('Current')!.returnType).to.equal('reference');
  });

  it('compiles associations with REF properties and default object paths', async () => {
    const { repo } = await compile(`
      class T_A { [Key] string Id; };
      [Association, Description("links")]
      class T_Link {
        [Key, Aggregate, Max(1)] T_A REF Parent;
        [Key] T_A REF Child = "root/test:T_A.Id=\\"c\\"";
      };
      association T_Link2 : T_Link { };`);
    const c = repo.requireClass(NS, 'T_Link');
    expect(c.isAssociation).to.equal(true);
    expect(c.referenceProperties.map((p) => p.name)).to.deep.equal(['Parent', 'Child']);
    expect(c.properties.get('Parent')).to.include({ type: 'reference', referenceClass: 'T_A' });
    const def = c.properties.get('Child')!.value as CimInstanceName;
    expect(def).to.be.instanceOf(CimInstanceName);
    expect(def.keyString('Id')).to.equal('c');
    expect(def.namespace).to.equal('root/test');
    const c2 = repo.requireClass(NS, 'T_Link2');
    expect(c2.isAssociation).to.equal(true);
    expect(c2.keyNames).to.deep.equal(['Parent', 'Child']);
    expect(repo.associationClasses(NS).map((a) => a.name)).to.deep.equal(['T_Link', 'T_Link2']);
  });

  it('allows REF properties outside associations (DSP0004 2.6)', async () => {
    const { repo, warnings } = await compile(`class T_A { [Key] string Id; T_A REF Self; };`);
    expect(repo.requireClass(NS, 'T_A').properties.get('Self')!.referenceClass).to.equal('T_A');
    expect(warnings).to.deep.equal([]);
  });

  it('accepts a REF to a class defined later in the same compile', async () => {
    const { repo } = await compile(`
      class T_Svc { [Key] string Name; uint32 Go([OUT] T_Later REF Job); };
      class T_Later { [Key] string Id; };`);
    expect(repo.requireClass(NS, 'T_Svc').methods.get('Go')!.parameters.get('Job')!.referenceClass).to.equal('T_Later');
  });

  it('compiles indications, by qualifier or keyword', async () => {
    const { repo } = await compile(`
      [Indication, Abstract] class T_Ind { datetime IndicationTime; };
      class T_InstCreation : T_Ind { string SourceInstance; };
      indication T_Alert { string Text; };`);
    expect(repo.requireClass(NS, 'T_Ind').isIndication).to.equal(true);
    expect(repo.requireClass(NS, 'T_InstCreation').isIndication).to.equal(true);
    expect(repo.requireClass(NS, 'T_InstCreation').isAbstract).to.equal(false);
    expect(repo.requireClass(NS, 'T_Alert').isIndication).to.equal(true);
  });

  it('marks EmbeddedInstance properties', async () => {
    const { repo } = await compile(`class T_E { [EmbeddedInstance("T_E")] string Inner; };`);
    expect(repo.requireClass(NS, 'T_E').properties.get('Inner')!.embeddedObject).to.equal('instance');
  });

  it('accepts and ignores other pragmas and class aliases', async () => {
    const { repo, warnings } = await compile(`
      #pragma locale ("en_US")
      #pragma instancelocale ("en_US")
      #pragma nonlocal ("x")
      #pragma frobnicate ("y")
      class T_X as $X { };`);
    expect(repo.getClass(NS, 'T_X')).to.not.equal(undefined);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^test\.mof:\d+:7: warning: unknown #pragma frobnicate ignored$/);
  });
});
