import { expect } from 'chai';
import { CimInstanceName } from '../../src/cim/index.js';
import { compile, compileError, NS } from './helpers.js';

const classes = `
  class T_Host { [Key] string Name; uint32 Cpus = 1; string Tags[]; };
  [Association] class T_Runs { [Key] T_Host REF Host; [Key] T_Host REF Guest; };
  class T_Keyless { string Note; };
  [Abstract] class T_Abs { [Key] string Id; };
`;

describe('mof instances', () => {
  it('compiles instances typed by their class, with class defaults and paths', async () => {
    const { instances, classes: n } = await compile(classes + `
      instance of T_Host as $h1 { Name = "host1"; Tags = {"a", "b"}; };
      INSTANCE OF t_host as $H2 { name = "host2"; Cpus = 0x10; };
      instance of T_Runs { Host = $h1; Guest = $h2; };
      instance of T_Runs { Host = "T_Host.Name=\\"x\\""; Guest = $h1; };
      instance of T_Keyless { Note = "hello\\tworld"; };`);
    expect(n).to.equal(4);
    expect(instances).to.have.length(5);
    const [h1, h2, r, r2, k] = instances;
    expect(h1!.className).to.equal('T_Host');
    expect(h1!.get('Cpus')).to.equal(1);
    expect(h1!.get('Tags')).to.deep.equal(['a', 'b']);
    expect(h1!.properties.get('Tags')!.isArray).to.equal(true);
    expect(h1!.path!.toString()).to.equal('/root/test:T_Host.Name="host1"');
    expect(h2!.get('Cpus')).to.equal(16);
    expect(h2!.properties.get('Name')!.name).to.equal('Name');
    const host = r!.get('Host') as CimInstanceName;
    expect(host).to.be.instanceOf(CimInstanceName);
    expect(host.keyString('Name')).to.equal('host1');
    expect((r!.get('Guest') as CimInstanceName).keyString('Name')).to.equal('host2');
    expect(r!.path!.keybindings.map((b) => b.name)).to.deep.equal(['Host', 'Guest']);
    expect((r2!.get('Host') as CimInstanceName).keyString('Name')).to.equal('x');
    expect(k!.get('Note')).to.equal('hello\tworld');
    expect(k!.path!.namespace).to.equal(NS);
    expect(k!.path!.keybindings).to.deep.equal([]);
  });

  it('reports errors in instances with positions', async () => {
    await compileError(classes + 'instance of T_Nope { };', /instance of undefined class T_Nope in namespace root\/test/);
    await compileError(classes + 'instance of T_Host { Name = "a"; Bogus = 1; };', /test\.mof:\d+:34: class T_Host has no property Bogus/);
    await compileError(classes + 'instance of T_Host { Name = "a"; name = "b"; };', /property Name is given twice/);
    await compileError(classes + 'instance of T_Host { Name = 5; };', /property T_Host\.Name is of type string, but the value is an integer 5/);
    await compileError(classes + 'instance of T_Host { Cpus = 2; };', /this instance of T_Host has no value for key property Name/);
    await compileError(classes + 'instance of T_Abs { Id = "x"; };', /class T_Abs is abstract/);
    await compileError(classes + 'instance of T_Host as $a { Name = "a"; }; instance of T_Host as $A { Name = "b"; };', /alias \$A is already defined/);
    await compileError(classes + 'instance of T_Host { Name = "a" }', /expected ';' after property value, found '}'/);
  });
});
