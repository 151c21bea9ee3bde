import { expect } from 'chai';
import {
  CIM_ERR, type CimError, CimInstance, CimInstanceName, type CimValue, type ExtrinsicRequest, type NameMap, type ParamValue, classNameRef,
} from '../../src/cim/index.js';
import type { Principal } from '../../src/operations/index.js';
import { admin, error, operator, sys, world, type World } from './fixtures/setup.js';

const vm1 = sys('T_VirtualSystem', 'vm1');

function call(method: string, params: ParamValue[], target: ExtrinsicRequest['target'] = vm1): ExtrinsicRequest {
  return { kind: 'extrinsic', method, target, params, namespace: 'root/test', messageId: '1', protocolVersion: '1.0' };
}
const setting = (props: Record<string, string>, cls = 'T_Setting') => JSON.stringify({ class: cls, props });

describe('operations: extrinsic methods', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  function lastParams(): NameMap<CimValue> {
    const c = w.systems.calls.filter((x) => x.op === 'invokeMethod').pop()!;
    return (c.args as { params: NameMap<CimValue> }).params;
  }
  const invoke = (m: string, params: ParamValue[], who: Principal = admin, target?: ExtrinsicRequest['target']) =>
    w.ops.extrinsic(call(m, params, target), who);

  it('types IN parameters through the declaration (names case-insensitive, untyped text converted)', async () => {
    const r = await invoke('requeststatechange', [{ name: 'requestedstate', value: '3', untyped: true }]);
    expect(r.returnType).to.equal('uint32');
    expect(r.returnValue).to.equal(4096);
    expect(lastParams().get('RequestedState')).to.equal(3);
    expect(r.out).to.have.length(1);
    expect(r.out[0]).to.deep.include({ name: 'Job', type: 'reference', isArray: false });
    expect(r.out[0]!.value).to.be.instanceOf(CimInstanceName);
  });

  it('embedded instances given as text are parsed and typed through their class; references and arrays too', async () => {
    const r = await invoke('DefineChild', [
      { name: 'Settings', value: setting({ InstanceID: 'new', Quantity: '512' }), untyped: true },
      { name: 'Parent', value: 'T_Host.CreationClassName="T_Host",Name="host1"', untyped: true },
      { name: 'Values', value: ['1', '2'], untyped: true, isArray: true },
    ]);
    const p = lastParams();
    const s = p.get('Settings') as CimInstance;
    expect(s).to.be.instanceOf(CimInstance);
    expect(s.get('Quantity')).to.equal(512);
    expect((p.get('Parent') as CimInstanceName).keyString('Name')).to.equal('host1');
    expect(p.get('Values')).to.deep.equal([1, 2]);
    expect(r.returnValue).to.equal(0);
    const echo = r.out.find((o) => o.name === 'Echo')!;
    expect(echo.embeddedObject).to.equal('instance');
    expect(r.out.find((o) => o.name === 'Result')!.value).to.equal('done');
  });

  it('a reference parameter must name an instance of its declared class or a subclass (DSP0004 reference type)', async () => {
    for (const parent of [CimInstanceName.of('T_Setting', { InstanceID: 'vm1/mem' }), 'T_Nope.Name="x"']) {
      const e = await error(invoke('DefineChild', [{ name: 'Parent', value: parent, untyped: typeof parent === 'string' }]));
      expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.match(/Parent.* is not a T_System/);
    }
    expect(w.systems.calls.some((c) => c.op === 'invokeMethod')).to.equal(false);
    // A subclass is one; a reference to another host's schema is not checked here.
    await invoke('DefineChild', [{ name: 'Parent', value: sys('T_VirtualSystem', 'vm2') }]);
    await invoke('DefineChild', [{ name: 'Parent', value: new CimInstanceName('Other_System', [{ name: 'Name', value: 'a' }], 'root/test', 'elsewhere') }]);
    expect(w.systems.calls.filter((c) => c.op === 'invokeMethod')).to.have.length(2);
  });

  it('an already parsed embedded instance is typed too', async () => {
    const inst = new CimInstance('T_Setting');
    inst.set('Quantity', '7');
    await invoke('DefineChild', [{ name: 'Settings', value: inst, type: 'string', embeddedObject: 'instance' }]);
    expect((lastParams().get('Settings') as CimInstance).get('Quantity')).to.equal(7);
  });

  it('an embedded instance of a class we do not define is typed through the declared class, keeping its name', async () => {
    await invoke('DefineChild', [{ name: 'Settings', value: setting({ Quantity: '9' }, 'Other_Setting'), untyped: true }]);
    const got = lastParams().get('Settings') as CimInstance;
    expect(got.className).to.equal('Other_Setting');
    expect(got.get('Quantity')).to.equal(9);
  });

  it('parameter errors are CIM_ERR_INVALID_PARAMETER naming the parameter', async () => {
    const cases: [ParamValue[], string][] = [
      [[{ name: 'Bogus', value: 1 }], 'Bogus'],
      [[{ name: 'RequestedState', value: 'on', untyped: true }], 'RequestedState'],
      [[{ name: 'RequestedState', value: '70000', untyped: true }], 'RequestedState'],
      [[{ name: 'Job', value: vm1 }], 'Job'],
    ];
    for (const [params, name] of cases) {
      const e = await error(invoke('RequestStateChange', params));
      expect(e.code, name).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.contain(name);
    }
    const embedded: [string, string][] = [
      [setting({ NotInTheDeclaredClass: 'x' }, 'T_Nope'), 'T_Nope'],
      [setting({ Bogus: 'x' }), 'Bogus'],
      [setting({ Quantity: 'lots' }), 'Quantity'],
      ['not json', 'Settings'],
      [setting({ Name: 'x' }, 'T_Host'), 'T_Host'],
    ];
    for (const [text, name] of embedded) {
      const e = await error(invoke('DefineChild', [{ name: 'Settings', value: text, untyped: true }]));
      expect(e.code, text).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description, text).to.contain(name);
    }
    const dup = await error(invoke('RequestStateChange', [{ name: 'RequestedState', value: 2 }, { name: 'requestedstate', value: 3 }]));
    expect(dup.code).to.equal(CIM_ERR.INVALID_PARAMETER);
  });

  it('target and method errors: 6 missing instance or class, 4 bad keys, 17 unknown method, 16 not implemented', async () => {
    expect((await error(invoke('RequestStateChange', [], admin, sys('T_VirtualSystem', 'nope')))).code).to.equal(CIM_ERR.NOT_FOUND);
    expect((await error(invoke('RequestStateChange', [], admin, CimInstanceName.of('T_VirtualSystem', { Name: 'vm1' })))).code).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect((await error(invoke('RequestStateChange', [], admin, CimInstanceName.of('T_Nope', { Name: 'vm1' })))).code).to.equal(CIM_ERR.NOT_FOUND);
    expect((await error(invoke('NoSuchMethod', []))).code).to.equal(CIM_ERR.METHOD_NOT_FOUND);
    expect((await error(invoke('RequestStateChange', [], admin, sys('T_Unserved', 'x')))).code).to.equal(CIM_ERR.METHOD_NOT_AVAILABLE);
    w.systems.invokeMethod = undefined;
    expect((await error(invoke('RequestStateChange', []))).code).to.equal(CIM_ERR.METHOD_NOT_AVAILABLE);
  });

  it('static calls on a class target skip the instance check', async () => {
    const r = await invoke('Unimplemented', [], admin, classNameRef('T_VirtualSystem'));
    expect(r.returnValue).to.equal(1);
  });

  it('a method that is not Static, invoked on a class path, is CIM_ERR_INVALID_PARAMETER and reaches no provider (DSP0004 Static)', async () => {
    const e = await error(invoke('RequestStateChange', [{ name: 'RequestedState', value: 3 }], admin, classNameRef('T_VirtualSystem')));
    expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(e.description).to.equal('method T_VirtualSystem.RequestStateChange is not static: invoke it on an instance of T_VirtualSystem, not on the class');
    expect(w.systems.calls.some((c) => c.op === 'invokeMethod')).to.equal(false);
  });

  it('a provider exception becomes CIM_ERR_FAILED; an ill-typed return value too', async () => {
    const e = await w.ops.extrinsic(call('Explode', []), admin).catch((x: CimError) => x);
    expect((e as CimError).code).to.equal(CIM_ERR.FAILED);
    expect((e as CimError).description).to.contain('kaboom');
    w.systems.invokeMethod = async () => ({ returnValue: 'nope' });
    expect((await error(invoke('Unimplemented', []))).code).to.equal(CIM_ERR.FAILED);
    w.systems.invokeMethod = async () => ({ returnValue: 0, out: { Undeclared: 1 } });
    expect((await error(invoke('Unimplemented', []))).code).to.equal(CIM_ERR.FAILED);
  });

  it('operator may call operator methods only', async () => {
    await invoke('RequestStateChange', [{ name: 'RequestedState', value: 2 }], operator);
    const e = await error(invoke('DefineChild', [], operator));
    expect(e.code).to.equal(CIM_ERR.ACCESS_DENIED);
    expect(e.description).to.contain('admin');
  });
});
