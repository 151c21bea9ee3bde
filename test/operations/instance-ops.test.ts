import { expect } from 'chai';
import { CIM_ERR, CimInstance, CimInstanceName, CimProperty } from '../../src/cim/index.js';
import { admin, cn, code, error, run, sys, world, type World } from './fixtures/setup.js';

function names(list: CimInstance[] | CimInstanceName[]): string[] {
  return list.map((x) => (x instanceof CimInstance ? x.path!.keyString('Name') ?? x.path!.keyString('InstanceID')! : x.keyString('Name')!)).sort();
}

describe('operations: instance operations', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  describe('EnumerateInstances', () => {
    it('fans out over subclasses with providers; defaults DeepInheritance=true, IQ=false, ICO=false, PL=NULL', async () => {
      const r = await run(w, 'EnumerateInstances', { ClassName: cn('T_System') });
      if (r.result.kind !== 'namedInstances') throw new Error();
      expect(names(r.result.instances)).to.deep.equal(['host1', 'vm1', 'vm2']);
      expect(r.flags).to.deep.equal({ includeQualifiers: false, includeClassOrigin: false, propertyList: null });
    });

    it('DeepInheritance=false restricts the properties to those of the requested class (via flags)', async () => {
      const r = await run(w, 'EnumerateInstances', { ClassName: cn('T_System'), DeepInheritance: false });
      if (r.result.kind !== 'namedInstances') throw new Error();
      expect(r.result.instances).to.have.length(3);
      const pl = r.flags.propertyList!;
      expect(pl.has('Name')).to.equal(true);
      expect(pl.has('Vcpus')).to.equal(false);
      expect(pl.has('Cpus')).to.equal(false);
      expect(r.flags.namedProperties, 'no property was named: NULL ones are left out').to.equal(null);
      const r2 = await run(w, 'EnumerateInstances', { ClassName: cn('T_System'), DeepInheritance: false, PropertyList: ['Name', 'Vcpus'] });
      expect([...r2.flags.propertyList!]).to.deep.equal(['Name']);
      expect([...r2.flags.namedProperties!]).to.deep.equal(['Name', 'Vcpus']);
    });

    it('passes PropertyList to providers as a hint and honours IncludeQualifiers/IncludeClassOrigin when asked', async () => {
      const r = await run(w, 'EnumerateInstances', { ClassName: cn('T_Host'), PropertyList: ['Name'], IncludeQualifiers: true, IncludeClassOrigin: true, LocalOnly: true });
      expect(r.flags.includeQualifiers).to.equal(true);
      expect(r.flags.includeClassOrigin).to.equal(true);
      expect(w.systems.calls[0]!.args).to.deep.equal(['Name']);
    });

    it('a class without provider gives an empty result, abstract or not; unknown class 5; unknown namespace 3', async () => {
      for (const c of ['T_Unserved', 'T_Profile']) {
        const r = await run(w, 'EnumerateInstances', { ClassName: cn(c) });
        if (r.result.kind !== 'namedInstances') throw new Error();
        expect(r.result.instances, c).to.have.length(0);
      }
      // An abstract class has no provider of its own but gets its subclasses' instances.
      const abs = await run(w, 'EnumerateInstances', { ClassName: cn('T_ManagedElement') });
      if (abs.result.kind !== 'namedInstances') throw new Error();
      expect(abs.result.instances).to.have.length(3);
      expect(await code(run(w, 'EnumerateInstances', { ClassName: cn('Nope') }))).to.equal(CIM_ERR.INVALID_CLASS);
      expect(await code(run(w, 'EnumerateInstances', { ClassName: cn('T_Host') }, admin, 'nope/ns'))).to.equal(CIM_ERR.INVALID_NAMESPACE);
    });

    it('adds no per-instance overhead: the provider objects are returned as they are', async () => {
      const vs = w.cls('T_VirtualSystem');
      for (let i = 0; i < 1000; i++) w.systems.add(vs, { CreationClassName: 'T_VirtualSystem', Name: `bulk${i}` });
      const provided = w.systems.store.get('t_virtualsystem')!;
      const t0 = process.hrtime.bigint();
      const r = await run(w, 'EnumerateInstances', { ClassName: cn('T_VirtualSystem'), DeepInheritance: false, PropertyList: ['Name'] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.result.kind !== 'namedInstances') throw new Error();
      expect(r.result.instances).to.equal(provided);
      expect(ms).to.be.below(50);
    });
  });

  describe('EnumerateInstanceNames', () => {
    it('fans out; uses enumerateInstanceNames when the provider has it', async () => {
      const r = await run(w, 'EnumerateInstanceNames', { ClassName: cn('T_System') });
      if (r.result.kind !== 'instanceNames') throw new Error();
      expect(names(r.result.names)).to.deep.equal(['host1', 'vm1', 'vm2']);
      w.settings.enumerateInstanceNames = async () => [CimInstanceName.of('T_Setting', { InstanceID: 'only' })];
      const s = await run(w, 'EnumerateInstanceNames', { ClassName: cn('T_Setting') });
      if (s.result.kind !== 'instanceNames') throw new Error();
      expect(s.result.names.map((n) => n.keyString('InstanceID'))).to.deep.equal(['only']);
    });
  });

  describe('GetInstance', () => {
    it('types untyped keys through the class and returns the instance; defaults IQ=false ICO=false', async () => {
      const r = await run(w, 'GetInstance', { InstanceName: CimInstanceName.of('T_VirtualSystem', { creationclassname: 'T_VirtualSystem', NAME: 'vm1' }) });
      if (r.result.kind !== 'instance') throw new Error();
      expect(r.result.instance.get('ElementName')).to.equal('web');
      expect(r.flags).to.deep.equal({ includeQualifiers: false, includeClassOrigin: false, propertyList: null });
    });

    it('falls back to enumeration when the provider has no getInstance', async () => {
      const r = await run(w, 'GetInstance', { InstanceName: CimInstanceName.of('T_Setting', { InstanceID: 'vm2/mem' }), PropertyList: ['Quantity'] });
      if (r.result.kind !== 'instance') throw new Error();
      expect(r.result.instance.get('Quantity')).to.equal(4096);
      expect([...r.flags.propertyList!]).to.deep.equal(['Quantity']);
    });

    it('errors: missing instance 6, bad keys 4, unknown class 5, class without provider 6', async () => {
      expect(await code(run(w, 'GetInstance', { InstanceName: sys('T_VirtualSystem', 'nope') }))).to.equal(CIM_ERR.NOT_FOUND);
      expect(await code(run(w, 'GetInstance', { InstanceName: CimInstanceName.of('T_VirtualSystem', { Name: 'vm1' }) }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(await code(run(w, 'GetInstance', { InstanceName: CimInstanceName.of('T_VirtualSystem', { Name: 'vm1', CreationClassName: 'x', Extra: 1 }) }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(await code(run(w, 'GetInstance', { InstanceName: CimInstanceName.of('T_Nope', { Name: 'vm1' }) }))).to.equal(CIM_ERR.INVALID_CLASS);
      // A key of the wrong type, typed by the client (a reference for a string key): 4 as any bad key, not 13.
      const refForString = CimInstanceName.of('T_VirtualSystem', { CreationClassName: 'T_VirtualSystem', Name: CimInstanceName.of('T_Setting', { InstanceID: 'x' }) });
      expect(await code(run(w, 'GetInstance', { InstanceName: refForString }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(await code(run(w, 'GetInstance', { InstanceName: sys('T_Unserved', 'x') }))).to.equal(CIM_ERR.NOT_FOUND);
      expect(await code(run(w, 'GetInstance', { InstanceName: CimInstanceName.of('T_Setting', { InstanceID: 'zzz' }) }))).to.equal(CIM_ERR.NOT_FOUND);
    });

    it('accepts an instance path given as text', async () => {
      const r = await run(w, 'GetInstance', { InstanceName: 'T_Host.CreationClassName="T_Host",Name="host1"' });
      expect(r.result.kind).to.equal('instance');
    });

    it('reads the single-key shorthand (an INSTANCENAME with a bare KEYVALUE, DSP0201) as the class\'s one key', async () => {
      const r = await run(w, 'GetInstance', { InstanceName: new CimInstanceName('T_Setting', [{ name: '', value: 'vm1/mem' }]) });
      if (r.result.kind !== 'instance') throw new Error(r.result.kind);
      expect(r.result.instance.get('Quantity')).to.equal(1024);
      // A class with two keys cannot take it.
      const e = await error(run(w, 'GetInstance', { InstanceName: new CimInstanceName('T_VirtualSystem', [{ name: '', value: 'vm1' }]) }));
      expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.match(/one unnamed key.*T_VirtualSystem has 2 keys/);
    });

    it('reads a reference key given as path text (DSP0207 quoted path, as a path-text InstanceName carries it)', async () => {
      // The path as the server itself writes it (toString): reference keys as quoted paths.
      const text = CimInstanceName.of('T_HostedDependency', { Antecedent: sys('T_Host', 'host1'), Dependent: sys('T_VirtualSystem', 'vm1') }).toString();
      const r = await run(w, 'GetInstance', { InstanceName: text });
      if (r.result.kind !== 'instance') throw new Error(r.result.kind);
      expect((r.result.instance.get('Dependent') as CimInstanceName).keyString('Name')).to.equal('vm1');
      // A KEYVALUE VALUETYPE="string" holding the path (a client typing no key).
      const keyText = new CimInstanceName('T_HostedDependency', [
        { name: 'Antecedent', value: sys('T_Host', 'host1').toString() }, { name: 'Dependent', value: sys('T_VirtualSystem', 'vm1').toString() },
      ]);
      expect((await run(w, 'GetInstance', { InstanceName: keyText })).result.kind).to.equal('instance');
      const bad = new CimInstanceName('T_HostedDependency', [{ name: 'Antecedent', value: 'no path' }, { name: 'Dependent', value: 'x' }]);
      const e = await error(run(w, 'GetInstance', { InstanceName: bad }));
      expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.match(/Antecedent/);
    });
  });

  describe('GetProperty / SetProperty', () => {
    it('GetProperty returns the typed value, or NULL', async () => {
      const r = await run(w, 'GetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'vcpus' });
      expect(r.result).to.deep.include({ kind: 'value', value: 2, type: 'uint32', isArray: false });
      const n = await run(w, 'GetProperty', { InstanceName: sys('T_VirtualSystem', 'vm2'), PropertyName: 'Tags' });
      expect(n.result).to.deep.include({ value: null, isArray: true });
      expect(await code(run(w, 'GetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'Nope' }))).to.equal(CIM_ERR.NO_SUCH_PROPERTY);
      expect(await code(run(w, 'GetProperty', { InstanceName: sys('T_VirtualSystem', 'vm9'), PropertyName: 'Vcpus' }))).to.equal(CIM_ERR.NOT_FOUND);
    });

    it('SetProperty converts untyped text and modifies through a one-property list', async () => {
      await run(w, 'SetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'vcpus', NewValue: { untyped: '6' } });
      const call = w.systems.calls.find((c) => c.op === 'modifyInstance')!;
      expect((call.args as { pl: string[] }).pl).to.deep.equal(['Vcpus']);
      const r = await run(w, 'GetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'Vcpus' });
      expect(r.result).to.deep.include({ value: 6 });
    });

    it('SetProperty errors: ill-typed 13, unknown property 12, key 4, NULL allowed', async () => {
      expect(await code(run(w, 'SetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'Vcpus', NewValue: { untyped: 'many' } }))).to.equal(CIM_ERR.TYPE_MISMATCH);
      expect(await code(run(w, 'SetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'Nope', NewValue: 'x' }))).to.equal(CIM_ERR.NO_SUCH_PROPERTY);
      expect(await code(run(w, 'SetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'Name', NewValue: 'x' }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      await run(w, 'SetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'ElementName' });
      expect(w.systems.store.get('t_virtualsystem')![0]!.get('ElementName')).to.equal(null);
    });
  });

  describe('CreateInstance / ModifyInstance / DeleteInstance', () => {
    function newVs(props: Record<string, string>): CimInstance {
      const i = new CimInstance('T_VirtualSystem');
      for (const [k, v] of Object.entries(props)) i.properties.set(k, new CimProperty(k, 'string', v));
      return i;
    }

    it('CreateInstance types the values through the class and fills class defaults', async () => {
      const r = await run(w, 'CreateInstance', { NewInstance: newVs({ CreationClassName: 'T_VirtualSystem', name: 'vm3', Vcpus: '3' }) });
      if (r.result.kind !== 'instanceName') throw new Error();
      expect(r.result.name.keyString('Name')).to.equal('vm3');
      const created = w.systems.calls.find((c) => c.op === 'createInstance')!.args as CimInstance;
      expect(created.get('Vcpus')).to.equal(3);
      expect(created.get('EnabledState')).to.equal(5);
      expect(created.properties.spelling('name')).to.equal('Name');
    });

    it('CreateInstance errors: unknown property 12, bad value 4, unknown class 5, abstract 5, no create 7', async () => {
      expect(await code(run(w, 'CreateInstance', { NewInstance: newVs({ CreationClassName: 'T_VirtualSystem', Name: 'x', Bogus: '1' }) }))).to.equal(CIM_ERR.NO_SUCH_PROPERTY);
      expect(await code(run(w, 'CreateInstance', { NewInstance: newVs({ CreationClassName: 'T_VirtualSystem', Name: 'x', Vcpus: 'lots' }) }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(await code(run(w, 'CreateInstance', { NewInstance: new CimInstance('T_Nope') }))).to.equal(CIM_ERR.INVALID_CLASS);
      expect(await code(run(w, 'CreateInstance', { NewInstance: new CimInstance('T_ManagedElement') }))).to.equal(CIM_ERR.INVALID_CLASS);
      const s = new CimInstance('T_Setting');
      s.properties.set('InstanceID', new CimProperty('InstanceID', 'string', 'x'));
      expect(await code(run(w, 'CreateInstance', { NewInstance: s }))).to.equal(CIM_ERR.NOT_SUPPORTED);
      expect(await code(run(w, 'CreateInstance', { NewInstance: newVs({ CreationClassName: 'T_VirtualSystem', Name: 'vm1' }) }))).to.equal(CIM_ERR.ALREADY_EXISTS);
    });

    it('ModifyInstance: PropertyList NULL = all given properties; a list restricts; keys stay', async () => {
      const mod = newVs({ ElementName: 'renamed', Vcpus: '8' });
      mod.path = sys('T_VirtualSystem', 'vm2');
      await run(w, 'ModifyInstance', { ModifiedInstance: mod, PropertyList: ['vcpus'] });
      const vm2 = w.systems.store.get('t_virtualsystem')![1]!;
      expect(vm2.get('Vcpus')).to.equal(8);
      expect(vm2.get('ElementName')).to.equal('db');
      await run(w, 'ModifyInstance', { ModifiedInstance: mod });
      expect(vm2.get('ElementName')).to.equal('renamed');
    });

    it('ModifyInstance errors: no path 4, unknown property 12 (instance or list), key change 4, missing 6, no modify 7', async () => {
      const mod = newVs({ Vcpus: '8' });
      expect(await code(run(w, 'ModifyInstance', { ModifiedInstance: mod }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      mod.path = sys('T_VirtualSystem', 'vm2');
      expect(await code(run(w, 'ModifyInstance', { ModifiedInstance: mod, PropertyList: ['Nope'] }))).to.equal(CIM_ERR.NO_SUCH_PROPERTY);
      const bad = newVs({ Bogus: '1' });
      bad.path = sys('T_VirtualSystem', 'vm2');
      expect(await code(run(w, 'ModifyInstance', { ModifiedInstance: bad }))).to.equal(CIM_ERR.NO_SUCH_PROPERTY);
      const key = newVs({ Name: 'other' });
      key.path = sys('T_VirtualSystem', 'vm2');
      expect(await code(run(w, 'ModifyInstance', { ModifiedInstance: key }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      const gone = newVs({ Vcpus: '1' });
      gone.path = sys('T_VirtualSystem', 'vm9');
      expect(await code(run(w, 'ModifyInstance', { ModifiedInstance: gone }))).to.equal(CIM_ERR.NOT_FOUND);
      const s = new CimInstance('T_Setting');
      s.path = CimInstanceName.of('T_Setting', { InstanceID: 'vm1/mem' });
      expect(await code(run(w, 'ModifyInstance', { ModifiedInstance: s }))).to.equal(CIM_ERR.NOT_SUPPORTED);
    });

    it('ModifyInstance and SetProperty of a class nobody modifies: 7 before any property is checked', async () => {
      const s = new CimInstance('T_Setting');
      s.set('Bogus', 'x');
      s.path = CimInstanceName.of('T_Setting', { InstanceID: 'vm1/mem' });
      const e = await error(run(w, 'ModifyInstance', { ModifiedInstance: s, PropertyList: ['Nope'] }));
      expect(e.code).to.equal(CIM_ERR.NOT_SUPPORTED);
      expect(e.description).to.contain('cannot be modified');
      const target = CimInstanceName.of('T_Setting', { InstanceID: 'vm1/mem' });
      expect(await code(run(w, 'SetProperty', { InstanceName: target, PropertyName: 'Nope', NewValue: { untyped: '1' } }))).to.equal(CIM_ERR.NOT_SUPPORTED);
    });

    it('DeleteInstance: deletes; missing 6; no delete 7; bad keys 4', async () => {
      await run(w, 'DeleteInstance', { InstanceName: sys('T_VirtualSystem', 'vm2') });
      expect(w.systems.store.get('t_virtualsystem')).to.have.length(1);
      expect(await code(run(w, 'DeleteInstance', { InstanceName: sys('T_VirtualSystem', 'vm2') }))).to.equal(CIM_ERR.NOT_FOUND);
      expect(await code(run(w, 'DeleteInstance', { InstanceName: CimInstanceName.of('T_Setting', { InstanceID: 'vm1/mem' }) }))).to.equal(CIM_ERR.NOT_SUPPORTED);
      const e = await error(run(w, 'DeleteInstance', { InstanceName: CimInstanceName.of('T_VirtualSystem', { Name: 'vm1' }) }));
      expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.contain('CreationClassName');
    });
  });
});
