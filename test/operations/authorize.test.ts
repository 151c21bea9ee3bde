import { expect } from 'chai';
import { CIM_ERR, CimInstance, CimInstanceName, CimProperty, type ExtrinsicRequest } from '../../src/cim/index.js';
import { admin, cn, error, operator, reader, run, sys, world, type World } from './fixtures/setup.js';

describe('operations: roles and audit', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  it('readers and operators may read everything', async () => {
    for (const who of [reader, operator]) {
      await run(w, 'EnumerateInstances', { ClassName: cn('T_System') }, who);
      await run(w, 'Associators', { ObjectName: sys('T_Host', 'host1') }, who);
      await run(w, 'ExecQuery', { QueryLanguage: 'WQL', Query: 'SELECT * FROM T_Host' }, who);
      await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), MaxObjectCount: 10 }, who);
    }
    expect(w.audit).to.have.length(0);
  });

  it('changes need admin: ACCESS_DENIED names the role, nothing reaches the provider, the attempt is audited', async () => {
    const vs = new CimInstance('T_VirtualSystem');
    vs.properties.set('Name', new CimProperty('Name', 'string', 'x'));
    vs.properties.set('CreationClassName', new CimProperty('CreationClassName', 'string', 'T_VirtualSystem'));
    const attempts: [string, Record<string, unknown>][] = [
      ['CreateInstance', { NewInstance: vs }],
      ['DeleteInstance', { InstanceName: sys('T_VirtualSystem', 'vm1') }],
      ['SetProperty', { InstanceName: sys('T_VirtualSystem', 'vm1'), PropertyName: 'Vcpus', NewValue: 1 }],
      ['ModifyInstance', { ModifiedInstance: Object.assign(new CimInstance('T_VirtualSystem'), { path: sys('T_VirtualSystem', 'vm1') }) }],
    ];
    for (const [method, params] of attempts) {
      for (const who of [reader, operator]) {
        const e = await error(run(w, method, params as never, who));
        expect(e.code, method).to.equal(CIM_ERR.ACCESS_DENIED);
        expect(e.description).to.contain('admin');
      }
    }
    expect(w.systems.calls.filter((c) => c.op !== 'enumerateInstances' && c.op !== 'getInstance')).to.have.length(0);
    expect(w.audit).to.have.length(8);
    expect(w.audit[0]).to.deep.include({ principal: 'viewer', operation: 'CreateInstance', namespace: 'root/test', target: 'T_VirtualSystem', result: 'error' });
    expect(w.audit[0]!.error).to.contain('CIM_ERR_ACCESS_DENIED');
  });

  it('the role a class\'s owner asks for its writes applies to an InstanceName sent as path text too', async () => {
    Object.assign(w.systems, { writeRole: () => 'reader' });
    await run(w, 'DeleteInstance', { InstanceName: 'T_VirtualSystem.CreationClassName="T_VirtualSystem",Name="vm2"' }, reader);
    expect(w.systems.calls.some((c) => c.op === 'deleteInstance')).to.equal(true);
    // Text that is no path needs admin, as before.
    expect((await error(run(w, 'DeleteInstance', { InstanceName: 'no path' }, reader))).code).to.equal(CIM_ERR.ACCESS_DENIED);
  });

  it('every change by an admin is audited with ok or the error text, the namespace once', async () => {
    await run(w, 'DeleteInstance', { InstanceName: sys('T_VirtualSystem', 'vm2') }, admin);
    await run(w, 'DeleteInstance', { InstanceName: sys('T_VirtualSystem', 'vm2') }, admin).catch(() => undefined);
    expect(w.audit.map((a) => a.result)).to.deep.equal(['ok', 'error']);
    expect(w.audit[1]!.error).to.match(/^CIM_ERR_NOT_FOUND/);
    expect(w.audit[0]).to.deep.include({ namespace: 'root/test', target: 'T_VirtualSystem.CreationClassName="T_VirtualSystem",Name="vm2"' });
  });

  it('method calls are audited with what was asked and the real outcome, including refused ones', async () => {
    const req = (method: string, params: ExtrinsicRequest['params'] = []): ExtrinsicRequest => ({
      kind: 'extrinsic', method,
      target: CimInstanceName.of('T_VirtualSystem', { CreationClassName: 'T_VirtualSystem', Name: 'vm1' }, 'root/test'),
      params, namespace: 'root/test', messageId: '1', protocolVersion: '1.0',
    });
    await w.ops.extrinsic(req('RequestStateChange', [{ name: 'RequestedState', value: '6', untyped: true }]), operator);
    await w.ops.extrinsic(req('RequestStateChange'), reader).catch(() => undefined);
    await w.ops.extrinsic(req('Unimplemented'), admin);
    expect(w.audit.map((a) => [a.principal, a.operation, a.method, a.result])).to.deep.equal([
      ['op', 'InvokeMethod', 'RequestStateChange', 'job'],
      ['viewer', 'InvokeMethod', 'RequestStateChange', 'error'],
      ['root', 'InvokeMethod', 'Unimplemented', 'failed'],
    ]);
    expect(w.audit[2]!.returnValue).to.equal(1);
    expect(w.audit[0]).to.deep.include({
      namespace: 'root/test', target: 'T_VirtualSystem.CreationClassName="T_VirtualSystem",Name="vm1"',
      params: { RequestedState: '6' }, returnValue: 4096,
    });
    expect(w.audit[0]!.job).to.contain('job');
    expect(w.audit[1]!.error).to.match(/^CIM_ERR_ACCESS_DENIED/);
  });
});
