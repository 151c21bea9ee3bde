import { expect } from 'chai';
import { CIM_ERR, type CimInstance, CimInstanceName, type ClassNameRef } from '../../src/cim/index.js';
import { cn, code, run, sys, world, type World } from './fixtures/setup.js';

const host = sys('T_Host', 'host1');
const vm1 = sys('T_VirtualSystem', 'vm1');

function keys(list: CimInstanceName[] | CimInstance[]): string[] {
  return list.map((x) => {
    const n = x instanceof CimInstanceName ? x : x.path!;
    return `${n.className}:${n.keyString('Name') ?? n.keyString('InstanceID') ?? ''}`;
  }).sort();
}

for (const assocRefs of [false, true]) {
  describe(`operations: associations (${assocRefs ? 'provider referencesTo' : 'enumerate and filter'})`, () => {
    let w: World;
    beforeEach(() => { w = world({ assocRefs }); });
    afterEach(() => w.ops.close());

    it('AssociatorNames from the host: both association classes (subclass included), paths with namespace and host', async () => {
      const r = await run(w, 'AssociatorNames', { ObjectName: host });
      if (r.result.kind !== 'objectPaths') throw new Error();
      expect(keys(r.result.names)).to.deep.equal(['T_Profile:DMTF:VS', 'T_VirtualSystem:vm1', 'T_VirtualSystem:vm2']);
      const vm = r.result.names.find((n) => n.keyString('Name') === 'vm1')!;
      expect(vm.namespace).to.equal('root/test');
      expect(vm.host).to.equal('testhost');
      const prof = r.result.names.find((n) => n.className === 'T_Profile')!;
      expect(prof.namespace).to.equal('root/interop');
    });

    it('AssocClass includes subclasses; a subclass filter excludes the parent', async () => {
      const all = await run(w, 'AssociatorNames', { ObjectName: host, AssocClass: cn('T_HostedDependency') });
      if (all.result.kind !== 'objectPaths') throw new Error();
      expect(keys(all.result.names)).to.deep.equal(['T_VirtualSystem:vm1', 'T_VirtualSystem:vm2']);
      const sub = await run(w, 'AssociatorNames', { ObjectName: host, AssocClass: cn('T_SubHosted') });
      if (sub.result.kind !== 'objectPaths') throw new Error();
      expect(keys(sub.result.names)).to.deep.equal(['T_VirtualSystem:vm2']);
    });

    it('Role / ResultRole / ResultClass filters', async () => {
      const wrongRole = await run(w, 'AssociatorNames', { ObjectName: host, Role: 'Dependent' });
      if (wrongRole.result.kind !== 'objectPaths') throw new Error();
      expect(wrongRole.result.names).to.have.length(0);
      const rr = await run(w, 'AssociatorNames', { ObjectName: vm1, ResultRole: 'antecedent' });
      if (rr.result.kind !== 'objectPaths') throw new Error();
      expect(keys(rr.result.names)).to.deep.equal(['T_Host:host1']);
      const rc = await run(w, 'AssociatorNames', { ObjectName: vm1, ResultClass: cn('T_Setting') });
      if (rc.result.kind !== 'objectPaths') throw new Error();
      expect(keys(rc.result.names)).to.deep.equal(['T_Setting:vm1/gone', 'T_Setting:vm1/mem']);
      const rcBase = await run(w, 'AssociatorNames', { ObjectName: vm1, ResultClass: cn('T_System') });
      if (rcBase.result.kind !== 'objectPaths') throw new Error();
      expect(keys(rcBase.result.names)).to.deep.equal(['T_Host:host1']);
      const unknown = await run(w, 'AssociatorNames', { ObjectName: vm1, ResultClass: cn('T_DoesNotExist') });
      if (unknown.result.kind !== 'objectPaths') throw new Error();
      expect(unknown.result.names).to.have.length(0);
    });

    it('Associators fetches far ends (cross-namespace too), skips dangling references with a log, applies flags', async () => {
      const r = await run(w, 'Associators', { ObjectName: vm1, PropertyList: ['Quantity'], IncludeClassOrigin: true });
      if (r.result.kind !== 'objectsWithPath') throw new Error();
      expect(keys(r.result.instances)).to.deep.equal(['T_Host:host1', 'T_Setting:vm1/mem']);
      expect(w.logs.join('\n')).to.contain('vm1/gone');
      expect([...r.flags.propertyList!]).to.deep.equal(['Quantity']);
      expect(r.flags.includeClassOrigin).to.equal(true);
      expect(r.flags.includeQualifiers).to.equal(false);
      for (const i of r.result.instances) expect(i.path!.host).to.equal('testhost');
      const p = await run(w, 'Associators', { ObjectName: host, AssocClass: cn('T_ConformsTo') });
      if (p.result.kind !== 'objectsWithPath') throw new Error();
      expect(p.result.instances).to.have.length(1);
      expect(p.result.instances[0]!.get('RegisteredName')).to.equal('Virtual System');
      expect(p.result.instances[0]!.path!.namespace).to.equal('root/interop');
    });

    it('References / ReferenceNames: ResultClass is the association class, Role the source role', async () => {
      const r = await run(w, 'References', { ObjectName: vm1 });
      if (r.result.kind !== 'objectsWithPath') throw new Error();
      expect(r.result.instances.map((i) => i.className).sort()).to.deep.equal(['T_HostedDependency', 'T_SettingsOf', 'T_SettingsOf']);
      for (const i of r.result.instances) expect(i.path!.namespace).to.equal('root/test');
      const n = await run(w, 'ReferenceNames', { ObjectName: vm1, ResultClass: cn('T_HostedDependency'), Role: 'Dependent' });
      if (n.result.kind !== 'objectPaths') throw new Error();
      expect(n.result.names).to.have.length(1);
      expect(n.result.names[0]!.host).to.equal('testhost');
      const none = await run(w, 'ReferenceNames', { ObjectName: vm1, Role: 'Antecedent' });
      if (none.result.kind !== 'objectPaths') throw new Error();
      expect(none.result.names).to.have.length(0);
    });

    it('reference identity ignores namespace and host on the source and key typing', async () => {
      const src = CimInstanceName.of('T_VirtualSystem', { Name: 'vm1', CreationClassName: 'T_VirtualSystem' }, 'root/test');
      src.host = 'elsewhere';
      const r = await run(w, 'ReferenceNames', { ObjectName: src });
      if (r.result.kind !== 'objectPaths') throw new Error();
      expect(r.result.names).to.have.length(3);
    });

    it('an unknown source class is CIM_ERR_INVALID_PARAMETER; a missing source gives an empty result', async () => {
      expect(await code(run(w, 'Associators', { ObjectName: CimInstanceName.of('T_Nope', { a: 1 }) }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(await code(run(w, 'References', { ObjectName: cn('T_Nope') }))).to.equal(CIM_ERR.INVALID_PARAMETER);
      const r = await run(w, 'Associators', { ObjectName: sys('T_VirtualSystem', 'ghost') });
      if (r.result.kind !== 'objectsWithPath') throw new Error();
      expect(r.result.instances).to.have.length(0);
    });
  });
}

describe('operations: class-level associations', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  it('ReferenceNames / References of a class list the association classes', async () => {
    const r = await run(w, 'ReferenceNames', { ObjectName: cn('T_VirtualSystem') });
    if (r.result.kind !== 'classPaths') throw new Error();
    expect(r.result.paths.map((p: ClassNameRef) => p.className).sort()).to.deep.equal(['T_ConformsTo', 'T_HostedDependency', 'T_SettingsOf', 'T_SubHosted']);
    expect(r.result.paths[0]!.namespace).to.equal('root/test');
    const refs = await run(w, 'References', { ObjectName: cn('T_Setting'), ResultClass: cn('T_SettingsOf') });
    if (refs.result.kind !== 'classesWithPath') throw new Error();
    expect(refs.result.classes.map((c) => c.cls.name)).to.deep.equal(['T_SettingsOf']);
  });

  it('AssociatorNames / Associators of a class list the far-end classes', async () => {
    const r = await run(w, 'AssociatorNames', { ObjectName: cn('T_Setting') });
    if (r.result.kind !== 'classPaths') throw new Error();
    expect(r.result.paths.map((p) => p.className)).to.deep.equal(['T_ManagedElement']);
    const a = await run(w, 'Associators', { ObjectName: cn('T_Host'), AssocClass: cn('T_HostedDependency'), ResultRole: 'Dependent' });
    if (a.result.kind !== 'classesWithPath') throw new Error();
    expect(a.result.classes.map((c) => c.cls.name)).to.deep.equal(['T_System']);
  });
});
