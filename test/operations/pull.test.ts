import { expect } from 'chai';
import { CIM_ERR, type IntrinsicResponse, type IntrinsicResult } from '../../src/cim/index.js';
import { ContextStore } from '../../src/operations/pull/contexts.js';
import { NO_FLAGS } from '../../src/operations/flags.js';
import { admin, cn, code, reader, run, sys, world, type World } from './fixtures/setup.js';

type Pull = Extract<IntrinsicResult, { kind: 'pull' }>;
function pull(r: IntrinsicResponse): Pull {
  if (r.result.kind !== 'pull') throw new Error(`pull expected, got ${r.result.kind}`);
  return r.result;
}

describe('operations: pull operations', () => {
  let w: World;
  beforeEach(() => { w = world({ pull: { defaultTimeoutSec: 30, maxTimeoutSec: 60, maxObjectCount: 2, maxContexts: 2 } }); });
  afterEach(() => w.ops.close());

  it('OpenEnumerateInstances with MaxObjectCount default 0 returns nothing and keeps a context; pulls page through', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') }));
    expect(open.items).to.equal('instancesWithPath');
    expect(open.instances).to.have.length(0);
    expect(open.endOfSequence).to.equal(false);
    expect(open.context).to.match(/^[0-9a-f]{32}$/);
    const p1 = pull(await run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 2 }));
    expect(p1.instances).to.have.length(2);
    expect(p1.endOfSequence).to.equal(false);
    expect(p1.instances[0]!.path!.host).to.equal('testhost');
    const p2 = pull(await run(w, 'PullInstancesWithPath', { EnumerationContext: p1.context, MaxObjectCount: { untyped: '5' } }));
    expect(p2.instances).to.have.length(1);
    expect(p2.endOfSequence).to.equal(true);
    expect(p2.context).to.equal('');
    // closed at EndOfSequence
    expect(await code(run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 1 }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
  });

  it('everything in the Open response when it fits: EndOfSequence and no context kept', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstancePaths', { ClassName: cn('T_VirtualSystem'), MaxObjectCount: 2 }));
    expect(open.items).to.equal('instancePaths');
    expect(open.paths).to.have.length(2);
    expect(open.paths[0]!.namespace).to.equal('root/test');
    expect(open.endOfSequence).to.equal(true);
  });

  it('MaxObjectCount above the limit is clamped', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstancePaths', { ClassName: cn('T_System'), MaxObjectCount: 1000 }));
    expect(open.paths).to.have.length(2);
    expect(open.endOfSequence).to.equal(false);
  });

  it('Open keeps the flags for the pulls (PropertyList, DeepInheritance=false, IncludeClassOrigin)', async () => {
    const open = await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), DeepInheritance: false, IncludeClassOrigin: true });
    const p = await run(w, 'PullInstancesWithPath', { EnumerationContext: pull(open).context, MaxObjectCount: 1 });
    expect(p.flags.includeClassOrigin).to.equal(true);
    expect(p.flags.propertyList!.has('Vcpus')).to.equal(false);
  });

  it('the pull type must match the open type (21); wrong namespace or user (21)', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') }));
    expect(await code(run(w, 'PullInstancePaths', { EnumerationContext: open.context, MaxObjectCount: 1 }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    expect(await code(run(w, 'PullInstances', { EnumerationContext: open.context, MaxObjectCount: 1 }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    expect(await code(run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 1 }, reader))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    expect(await code(run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 1 }, admin, 'root/interop'))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    // still usable after the refused pulls
    expect(pull(await run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 2 })).instances).to.have.length(2);
  });

  it('Pull requires MaxObjectCount and EnumerationContext; MaxObjectCount 0 returns nothing', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') }));
    expect(await code(run(w, 'PullInstancesWithPath', { EnumerationContext: open.context }))).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(await code(run(w, 'PullInstancesWithPath', { MaxObjectCount: 1 }))).to.equal(CIM_ERR.INVALID_PARAMETER);
    const zero = pull(await run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 0 }));
    expect(zero.instances).to.have.length(0);
    expect(zero.endOfSequence).to.equal(false);
    expect(zero.context).to.equal(open.context);
  });

  it('contexts expire after OperationTimeout (default 30 s) counted from the last operation', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') }));
    w.clock.t += 29_000;
    pull(await run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 1 }));
    w.clock.t += 29_000;
    pull(await run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 1 }));
    w.clock.t += 30_001;
    expect(await code(run(w, 'PullInstancesWithPath', { EnumerationContext: open.context, MaxObjectCount: 1 }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    const short = pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), OperationTimeout: 5 }));
    w.clock.t += 5_001;
    expect(await code(run(w, 'CloseEnumeration', { EnumerationContext: short.context }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
  });

  it('OperationTimeout 0 or above the maximum → 22; ContinueOnError → 26; FilterQuery → 25/14/4', async () => {
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), OperationTimeout: 0 }))).to.equal(CIM_ERR.INVALID_OPERATION_TIMEOUT);
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), OperationTimeout: 61 }))).to.equal(CIM_ERR.INVALID_OPERATION_TIMEOUT);
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), ContinueOnError: true }))).to.equal(CIM_ERR.CONTINUATION_ON_ERROR_NOT_SUPPORTED);
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), FilterQueryLanguage: 'DMTF:FQL', FilterQuery: 'Name="x"' }))).to.equal(CIM_ERR.FILTERED_ENUMERATION_NOT_SUPPORTED);
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), FilterQueryLanguage: 'WQL', FilterQuery: 'x' }))).to.equal(CIM_ERR.QUERY_LANGUAGE_NOT_SUPPORTED);
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), FilterQuery: 'x' }))).to.equal(CIM_ERR.INVALID_PARAMETER);
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_Nope') }))).to.equal(CIM_ERR.INVALID_CLASS);
  });

  it('CloseEnumeration closes; EnumerationCount returns what is left', async () => {
    const open = pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System'), MaxObjectCount: 1 }));
    const count = await run(w, 'EnumerationCount', { EnumerationContext: open.context });
    expect(count.result).to.deep.equal({ kind: 'count', value: 2 });
    await run(w, 'CloseEnumeration', { EnumerationContext: open.context });
    expect(await code(run(w, 'CloseEnumeration', { EnumerationContext: open.context }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    expect(await code(run(w, 'PullInstancesWithPath', { EnumerationContext: 'deadbeef', MaxObjectCount: 1 }))).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
  });

  it('too many open contexts → CIM_ERR_SERVER_LIMITS_EXCEEDED; expired ones are swept', async () => {
    await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') });
    await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') });
    expect(await code(run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') }))).to.equal(CIM_ERR.SERVER_LIMITS_EXCEEDED);
    // an enumeration that fits needs no context
    pull(await run(w, 'OpenEnumerateInstancePaths', { ClassName: cn('T_Host'), MaxObjectCount: 1 }));
    w.clock.t += 31_000;
    pull(await run(w, 'OpenEnumerateInstances', { ClassName: cn('T_System') }));
  });

  it('OpenAssociatorInstances / Paths and OpenReferenceInstances / Paths', async () => {
    const vm1 = sys('T_VirtualSystem', 'vm1');
    const a = pull(await run(w, 'OpenAssociatorInstances', { InstanceName: vm1, MaxObjectCount: 2, PropertyList: ['Name'] }));
    expect(a.instances).to.have.length(2);
    expect(a.endOfSequence).to.equal(true);
    const ap = pull(await run(w, 'OpenAssociatorInstancePaths', { InstanceName: vm1, ResultClass: cn('T_Setting'), MaxObjectCount: 1 }));
    expect(ap.paths).to.have.length(1);
    expect(ap.endOfSequence).to.equal(false);
    const ap2 = pull(await run(w, 'PullInstancePaths', { EnumerationContext: ap.context, MaxObjectCount: 1 }));
    expect(ap2.paths).to.have.length(1);
    expect(ap2.endOfSequence).to.equal(true);
    const r = pull(await run(w, 'OpenReferenceInstances', { InstanceName: vm1, ResultClass: cn('T_SettingsOf'), MaxObjectCount: 5 }));
    expect(r.instances).to.have.length(2);
    const rp = pull(await run(w, 'OpenReferenceInstancePaths', { InstanceName: vm1, Role: 'Dependent', MaxObjectCount: 5 }));
    expect(rp.paths).to.have.length(1);
    expect(await code(run(w, 'OpenAssociatorInstances', { ObjectName: vm1 }))).to.equal(CIM_ERR.INVALID_PARAMETER);
  });

  it('OpenQueryInstances returns instances (no path items) and PullInstances continues it', async () => {
    const o = await run(w, 'OpenQueryInstances', { FilterQueryLanguage: 'WQL', FilterQuery: 'SELECT Name FROM T_System WHERE Memory > 0', MaxObjectCount: 1 });
    const open = pull(o);
    expect(open.items).to.equal('instances');
    expect(open.instances).to.have.length(1);
    expect([...o.flags.propertyList!]).to.deep.equal(['Name']);
    const p = pull(await run(w, 'PullInstances', { EnumerationContext: open.context, MaxObjectCount: 2 }));
    expect(p.instances).to.have.length(2);
    expect(p.endOfSequence).to.equal(true);
    expect(await code(run(w, 'OpenQueryInstances', { FilterQueryLanguage: 'WQL', FilterQuery: 'SELECT * FROM T_System', ReturnQueryResultClass: true }))).to.equal(CIM_ERR.QUERY_FEATURE_NOT_SUPPORTED);
    expect(await code(run(w, 'OpenQueryInstances', { FilterQueryLanguage: 'WQL' }))).to.equal(CIM_ERR.INVALID_PARAMETER);
  });
});

describe('operations: enumeration context store', () => {
  it('a pull on a context in use is refused (21); a close during a pull abandons it (23)', () => {
    let t = 0;
    const store = new ContextStore(10, () => t, 0);
    const first = store.open({ namespace: 'ns', owner: 'u', items: 'instancePaths', flags: NO_FLAGS, timeoutMs: 1000 }, [1, 2, 3] as never[], 1);
    const ctx = store.find(first.context, 'ns', 'u');
    ctx.busy = true;
    try {
      store.pull(first.context, 'ns', 'u', 'instancePaths', 1);
      expect.fail('expected 21');
    } catch (e) {
      expect((e as { code: number }).code).to.equal(CIM_ERR.INVALID_ENUMERATION_CONTEXT);
    }
    store.close(first.context, 'ns', 'u');
    expect(ctx.abandoned).to.equal(true);
    t = 1;
    store.stop();
  });

  it('one user holds at most its share of the contexts; the others can still open theirs', () => {
    const store = new ContextStore(10, () => 0, 0, 3);
    const open = (owner: string) => store.open({ namespace: 'ns', owner, items: 'instancePaths', flags: NO_FLAGS, timeoutMs: 60_000 }, [1, 2, 3] as never[], 1);
    for (let i = 0; i < 3; i++) open('greedy');
    try {
      open('greedy');
      expect.fail('expected CIM_ERR_SERVER_LIMITS_EXCEEDED');
    } catch (e) {
      expect((e as { code: number; description: string }).code).to.equal(CIM_ERR.SERVER_LIMITS_EXCEEDED);
      expect((e as { description: string }).description).to.match(/user 'greedy' has 3 open enumeration contexts, the limit per user/);
    }
    expect(open('other').context).to.not.equal('');
    store.stop();
  });
});
