import { expect } from 'chai';
import { CIM_ERR, CimError } from '../../src/cim/index.js';
import { cn, code, error, run, world, type World } from './fixtures/setup.js';

describe('operations: dispatch and parameters', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  it('an unknown intrinsic method is CIM_ERR_NOT_SUPPORTED', async () => {
    expect(await code(run(w, 'FrobnicateInstances'))).to.equal(CIM_ERR.NOT_SUPPORTED);
  });

  it('method names are case-insensitive', async () => {
    const r = await run(w, 'enumerateinstancenames', { ClassName: cn('T_Host') });
    expect(r.result.kind).to.equal('instanceNames');
  });

  it('an unknown IPARAMVALUE is CIM_ERR_INVALID_PARAMETER naming it', async () => {
    const e = await error(run(w, 'EnumerateInstances', { ClassName: cn('T_Host'), Bogus: true }));
    expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(e.description).to.contain('Bogus');
  });

  it('a missing required IPARAMVALUE is CIM_ERR_INVALID_PARAMETER naming it', async () => {
    const e = await error(run(w, 'GetInstance', {}));
    expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(e.description).to.contain('InstanceName');
  });

  it('an ill-typed boolean is CIM_ERR_INVALID_PARAMETER', async () => {
    expect(await code(run(w, 'EnumerateInstances', { ClassName: cn('T_Host'), DeepInheritance: { untyped: 'maybe' } }))).to.equal(CIM_ERR.INVALID_PARAMETER);
  });

  it('a NULL parameter takes the default', async () => {
    const r = await run(w, 'GetClass', { ClassName: cn('T_VirtualSystem'), LocalOnly: null, PropertyList: null });
    if (r.result.kind !== 'class') throw new Error();
    expect(r.result.cls.properties.names()).to.deep.equal(['Vcpus']);
    expect(r.flags.propertyList).to.equal(null);
  });

  it('a class name given as plain text is accepted', async () => {
    const r = await run(w, 'GetClass', { ClassName: 'T_Host' });
    expect(r.result.kind).to.equal('class');
  });

  it('a provider that throws something other than a CimError yields CIM_ERR_FAILED', async () => {
    w.systems.enumerateInstances = async () => { throw new RangeError('disk on fire'); };
    const e = await run(w, 'EnumerateInstances', { ClassName: cn('T_Host') }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError);
    expect((e as CimError).code).to.equal(CIM_ERR.FAILED);
    expect((e as CimError).description).to.contain('disk on fire');
    expect(w.logs.join('\n')).to.contain('disk on fire');
  });

  it('an aborted request stops before calling providers', async () => {
    const ac = new AbortController();
    ac.abort();
    const { req } = await import('./fixtures/setup.js');
    const e = await w.ops.intrinsic(req('EnumerateInstances', { ClassName: cn('T_Host') }), { name: 'a', role: 'admin' }, ac.signal).catch((x: CimError) => x);
    expect((e as CimError).code).to.equal(CIM_ERR.FAILED);
    expect(w.systems.calls).to.have.length(0);
  });
});
