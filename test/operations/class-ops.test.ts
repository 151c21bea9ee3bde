import { expect } from 'chai';
import { CimClass, CimError, CIM_ERR } from '../../src/cim/index.js';
import { cn, code, run, world, type World } from './fixtures/setup.js';

describe('operations: class and qualifier operations', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  it('GetClass defaults: LocalOnly=true, IncludeQualifiers=true, IncludeClassOrigin=false, PropertyList=NULL', async () => {
    const r = await run(w, 'GetClass', { ClassName: cn('T_VirtualSystem') });
    expect(r.result.kind).to.equal('class');
    if (r.result.kind !== 'class') return;
    expect(r.result.cls.properties.names()).to.deep.equal(['Vcpus']);
    expect(r.result.cls.methods.size).to.equal(0);
    expect(r.flags).to.deep.equal({ includeQualifiers: true, includeClassOrigin: false, propertyList: null });
  });

  it('GetClass LocalOnly=false keeps inherited elements; flags follow the parameters (untyped booleans too)', async () => {
    const r = await run(w, 'GetClass', {
      ClassName: cn('t_virtualsystem'), LocalOnly: { untyped: 'FALSE' }, IncludeQualifiers: false,
      IncludeClassOrigin: { untyped: 'true' }, PropertyList: ['Name', 'vcpus'],
    });
    if (r.result.kind !== 'class') throw new Error('class expected');
    expect(r.result.cls.properties.has('Name')).to.equal(true);
    expect(r.result.cls.methods.has('RequestStateChange')).to.equal(true);
    expect(r.flags.includeQualifiers).to.equal(false);
    expect(r.flags.includeClassOrigin).to.equal(true);
    expect([...r.flags.propertyList!]).to.deep.equal(['Name', 'vcpus']);
  });

  it('GetClass: unknown class → 6 (DSP0200 lists NOT_FOUND for GetClass), unknown namespace → 3, missing ClassName → 4', async () => {
    expect(await code(run(w, 'GetClass', { ClassName: cn('Nope') }))).to.equal(CIM_ERR.NOT_FOUND);
    expect(await code(run(w, 'GetClass', { ClassName: cn('T_System') }, undefined, 'root/nope'))).to.equal(CIM_ERR.INVALID_NAMESPACE);
    expect(await code(run(w, 'GetClass', {}))).to.equal(CIM_ERR.INVALID_PARAMETER);
  });

  it('EnumerateClassNames: NULL → roots; DeepInheritance=false → direct subclasses; true → all', async () => {
    const roots = await run(w, 'EnumerateClassNames');
    if (roots.result.kind !== 'classNames') throw new Error();
    expect(roots.result.names).to.include.members(['T_ManagedElement', 'T_Setting', 'T_HostedDependency']);
    expect(roots.result.names).to.not.include('T_System');
    const direct = await run(w, 'EnumerateClassNames', { ClassName: cn('T_ManagedElement') });
    if (direct.result.kind !== 'classNames') throw new Error();
    expect(direct.result.names).to.deep.equal(['T_System']);
    const deep = await run(w, 'EnumerateClassNames', { ClassName: cn('T_ManagedElement'), DeepInheritance: true });
    if (deep.result.kind !== 'classNames') throw new Error();
    expect(deep.result.names).to.deep.equal(['T_System', 'T_VirtualSystem', 'T_Host', 'T_Unserved']);
    const all = await run(w, 'EnumerateClassNames', { DeepInheritance: true });
    if (all.result.kind !== 'classNames') throw new Error();
    expect(all.result.names).to.have.length(w.repo.classNames('root/test').length);
    expect(await code(run(w, 'EnumerateClassNames', { ClassName: cn('Nope') }))).to.equal(CIM_ERR.INVALID_CLASS);
  });

  it('GetClass LocalOnly=true leaves out the class qualifiers inherited unchanged (DSP0200 GetClass: properties, methods and qualifiers)', async () => {
    // A subclass that restates nothing: its Description is the superclass's, propagated.
    w.repo.addClass('root/test', new CimClass('T_Plain', 'T_VirtualSystem'));
    const local = await run(w, 'GetClass', { ClassName: cn('T_Plain') });
    if (local.result.kind !== 'class') throw new Error();
    expect(local.result.cls.qualifiers.has('Description')).to.equal(false);
    const full = await run(w, 'GetClass', { ClassName: cn('T_Plain'), LocalOnly: false });
    if (full.result.kind !== 'class') throw new Error();
    expect(full.result.cls.qualifiers.get('Description')?.propagated).to.equal(true);
    // A class's own qualifiers stay.
    const own = await run(w, 'GetClass', { ClassName: cn('T_VirtualSystem') });
    if (own.result.kind !== 'class') throw new Error();
    expect(own.result.cls.qualifiers.has('Description')).to.equal(true);
  });

  it('EnumerateClasses: LocalOnly default true drops propagated properties', async () => {
    const r = await run(w, 'EnumerateClasses', { ClassName: cn('T_System') });
    if (r.result.kind !== 'classes') throw new Error();
    expect(r.result.classes.map((c) => c.name)).to.deep.equal(['T_VirtualSystem', 'T_Host', 'T_Unserved']);
    expect(r.result.classes[0]!.properties.names()).to.deep.equal(['Vcpus']);
    expect(r.flags.includeQualifiers).to.equal(true);
    const full = await run(w, 'EnumerateClasses', { ClassName: cn('T_System'), LocalOnly: false });
    if (full.result.kind !== 'classes') throw new Error();
    expect(full.result.classes[0]!.properties.has('Name')).to.equal(true);
  });

  it('the repository classes are never modified by LocalOnly views', async () => {
    await run(w, 'GetClass', { ClassName: cn('T_VirtualSystem') });
    expect(w.cls('T_VirtualSystem').properties.has('Name')).to.equal(true);
  });

  it('GetQualifier / EnumerateQualifiers', async () => {
    const q = await run(w, 'GetQualifier', { QualifierName: 'key' });
    if (q.result.kind !== 'qualifierDeclaration') throw new Error();
    expect(q.result.decl.name).to.equal('Key');
    expect(await code(run(w, 'GetQualifier', { QualifierName: 'Nope' }))).to.equal(CIM_ERR.NOT_FOUND);
    const all = await run(w, 'EnumerateQualifiers');
    if (all.result.kind !== 'qualifierDeclarations') throw new Error();
    expect(all.result.decls.map((d) => d.name)).to.include('Association');
  });

  it('schema writes are CIM_ERR_NOT_SUPPORTED (and need admin)', async () => {
    for (const m of ['CreateClass', 'ModifyClass', 'DeleteClass', 'SetQualifier', 'DeleteQualifier']) {
      expect(await code(run(w, m))).to.equal(CIM_ERR.NOT_SUPPORTED);
    }
    const e = await run(w, 'DeleteClass', { ClassName: cn('T_Host') }, { name: 'v', role: 'reader' }).catch((x: CimError) => x);
    expect((e as CimError).code).to.equal(CIM_ERR.ACCESS_DENIED);
  });
});
