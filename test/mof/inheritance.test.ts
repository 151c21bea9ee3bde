import { expect } from 'chai';
import { compile, compileError, NS } from './helpers.js';

describe('mof inheritance through the repository', () => {
  const base = `
    [Abstract, Version("2.0"), Description("base")]
    class T_Base {
      [Key, Description("id")] string InstanceID;
      [Description("state"), ValueMap{"1", "2"}] uint16 State = 1;
      string Caption;
      uint32 Go([IN] uint16 How);
    };`;

  it('propagates properties, methods and ToSubclass qualifiers, not Restricted ones', async () => {
    const { repo } = await compile(base + `
      [Description("derived")]
      class T_Derived : T_Base {
        [Override("State"), Description("derived state")] uint16 State = 2;
        string Extra;
      };`);
    const c = repo.requireClass(NS, 'T_Derived');
    expect(c.superClass).to.equal('T_Base');
    expect(c.properties.names()).to.deep.equal(['InstanceID', 'State', 'Caption', 'Extra']);
    expect(c.keyNames).to.deep.equal(['InstanceID']);
    const id = c.properties.get('InstanceID')!;
    expect(id).to.include({ propagated: true, classOrigin: 'T_Base' });
    expect(id.qualifiers.get('Description')!.propagated).to.equal(true);
    // Abstract and Version are Restricted: not inherited.
    expect(c.isAbstract).to.equal(false);
    expect(c.qualifiers.has('Version')).to.equal(false);
    expect(c.qualifiers.get('Description')!.value).to.equal('derived');
    const state = c.properties.get('State')!;
    expect(state).to.include({ propagated: false, classOrigin: 'T_Derived', value: 2 });
    expect(state.qualifiers.get('Description')!.value).to.equal('derived state');
    // ValueMap is inherited by the overriding property; Override is Restricted.
    expect(state.qualifiers.get('ValueMap')!.value).to.deep.equal(['1', '2']);
    expect(c.methods.get('Go')).to.include({ propagated: true, classOrigin: 'T_Base' });
    expect(repo.subclassNames(NS, 'T_Base', false)).to.deep.equal(['T_Derived']);
  });

  it('gives an overriding method\'s parameters the ToSubclass qualifiers of the parameters they override', async () => {
    const { repo } = await compile(`
      class T_M {
        uint32 Go([IN, Description("how"), EmbeddedInstance("T_M"), ValueMap{"1"} : Restricted] string How, [IN] uint16 Other);
      };
      class T_M2 : T_M {
        [Override("Go")] uint32 Go([IN, Description("how, here")] string How, [IN] uint16 Other, [IN] uint16 New);
      };`);
    const go = repo.requireClass(NS, 'T_M2').methods.get('Go')!;
    const how = go.parameters.get('How')!;
    expect(how.qualifiers.get('EmbeddedInstance')).to.include({ value: 'T_M', propagated: true });
    expect(how.embeddedObject).to.equal('instance');
    expect(how.qualifiers.get('Description')).to.include({ value: 'how, here', propagated: false });
    expect(how.qualifiers.has('ValueMap')).to.equal(false);
    expect(go.parameters.get('New')!.qualifiers.names()).to.deep.equal(['In']);
    await compileError(`
      class T_K { uint32 Go([IN] string How); };
      class T_K2 : T_K { [Override("Go")] uint32 Go([IN(false)] string How); };`, /parameter How of method T_K2\.Go: qualifier In cannot be overridden \(DisableOverride\)/);
  });

  it('keeps the inherited default when an override gives none', async () => {
    const { repo } = await compile(base + `class T_D : T_Base { [Override("State")] uint16 State; };`);
    expect(repo.requireClass(NS, 'T_D').properties.get('State')!.value).to.equal(1);
  });

  it('propagates a usage-flavored ToSubclass on a Restricted-declared qualifier', async () => {
    const { repo } = await compile(`
      [Version("3.0") : ToSubclass] class T_V { };
      class T_V2 : T_V { };`);
    expect(repo.requireClass(NS, 'T_V2').qualifiers.get('Version')!.value).to.equal('3.0');
  });

  it('does not propagate a usage-Restricted qualifier', async () => {
    const { repo } = await compile(`
      [Description("only here") : Restricted] class T_R { };
      class T_R2 : T_R { };`);
    expect(repo.requireClass(NS, 'T_R2').qualifiers.has('Description')).to.equal(false);
  });

  it('refuses to change a DisableOverride qualifier in a subclass', async () => {
    await compileError(base + `
      class T_D : T_Base {
        [Key(false)] string InstanceID;
      };`, /test\.mof:\d+:10: qualifier Key of T_D\.InstanceID is DisableOverride: it cannot change from true to false/);
  });

  it('lets an overriding reference narrow its class to a subclass, and refuses another class (DSP0004)', async () => {
    const assoc = `
      class T_X { }; class T_X2 : T_X { }; class T_Z { };
      [Association] class T_A { [Key] T_X REF a; [Key] T_Z REF b; };`;
    const { repo } = await compile(assoc + `[Association] class T_A2 : T_A { [Override("a")] T_X2 REF a; };`);
    expect(repo.requireClass(NS, 'T_A2').properties.get('a')!.referenceClass).to.equal('T_X2');
    // Also when the narrowed class comes later in the compile.
    await compile(assoc + `[Association] class T_A3 : T_A { [Override("a")] T_Late REF a; };\nclass T_Late : T_X2 { };`);
    await compileError(assoc + `\n[Association] class T_A2 : T_A { [Override("a")] T_Z REF a; };`,
      /^test\.mof:\d+:50: reference T_A2\.a overrides a reference to T_X with T_Z, which is not T_X or a subclass of it$/);
  });

  it('refuses a key added below a class that has keys (DSP0004 Key), and allows keys below a keyless class', async () => {
    await compileError(base + `\nclass T_D : T_Base {\n  [Key] string Extra;\n};`,
      /^test\.mof:\d+:16: T_D\.Extra cannot be a key: superclass T_Base already has keys \(InstanceID\)$/);
    const { repo } = await compile(`class T_N { string A; };\nclass T_N2 : T_N { [Key] string Id; };\nclass T_N3 : T_N2 { [Key] string Id; };`);
    expect(repo.requireClass(NS, 'T_N3').keyNames).to.deep.equal(['Id']);
  });

  it('refuses an override that changes the type', async () => {
    await compileError(base + `class T_D : T_Base { string State; };`, /T_D\.State overrides T_Base\.State with type string, but it is uint16/);
  });

  it('warns on Override naming nothing in the superclass', async () => {
    const { warnings } = await compile(base + `class T_D : T_Base { [Override("Nope")] string Nope; };`);
    expect(warnings.join('\n')).to.match(/warning: T_D\.Nope has Override\("Nope"\) but the superclass has no such element/);
  });
});
