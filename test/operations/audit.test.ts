import { expect } from 'chai';
import { CimInstance, CimInstanceName, CimProperty, type ExtrinsicRequest, NameMap, type ParamValue } from '../../src/cim/index.js';
import { auditParams } from '../../src/operations/audit.js';
import { reader, world } from './fixtures/setup.js';

function call(params: ExtrinsicRequest['params']): ExtrinsicRequest {
  return {
    kind: 'extrinsic', method: 'RequestStateChange', params, namespace: 'root/test', messageId: '1', protocolVersion: '1.0',
    target: CimInstanceName.of('T_VirtualSystem', { CreationClassName: 'T_VirtualSystem', Name: 'vm1' }, 'root/test'),
  };
}

describe('operations: audit summaries of method parameters', () => {
  it('names an embedded instance sent as text by its class and naming property', () => {
    const text = '<INSTANCE CLASSNAME="Xen_VirtualSystemSettingData"><PROPERTY NAME="Caption" TYPE="string"><VALUE>c</VALUE></PROPERTY>' +
      '<PROPERTY NAME="ElementName" TYPE="string"><VALUE>web</VALUE></PROPERTY></INSTANCE>';
    expect(auditParams(call([{ name: 'SystemSettings', value: text }]))).to.deep.equal({ SystemSettings: 'Xen_VirtualSystemSettingData(ElementName="web")' });
    // An attribute before the end of the tag, and a tag that never gets a VALUE.
    const other = '<INSTANCE CLASSNAME="X"><PROPERTY NAME="ElementName" TYPE="string"></PROPERTY><PROPERTY NAME="InstanceID" TYPE="string"><VALUE>id</VALUE></PROPERTY></INSTANCE>';
    expect(auditParams(call([{ name: 'P', value: other }]))).to.deep.equal({ P: 'X(InstanceID="id")' });
  });

  it('takes linear time on hostile text (any user reaches it: the summary is made before the role check)', async () => {
    // Thousands of NAME="ElementName" with no '>' after them: the summary regex backtracked over
    // the rest of the text at each one (144 KB: 0.6 s; 1.5 MB: about a minute, the server frozen).
    const v = '<INSTANCE CLASSNAME="X">' + 'NAME="ElementName"'.repeat(25_000);
    const t = Date.now();
    expect(auditParams(call([{ name: 'P', value: v }]))).to.deep.equal({ P: 'X' });
    const v2 = '<INSTANCE CLASSNAME="X">' + 'NAME="ElementName">'.repeat(25_000) + '<VALUE>' + 'a'.repeat(400_000);
    auditParams(call([{ name: 'P', value: v2 }]));
    expect(Date.now() - t).to.be.below(500);
    // And through Operations, as a reader calling a method it may not call.
    const w = world();
    await w.ops.extrinsic(call([{ name: 'RequestedState', value: v }]), reader).catch(() => undefined);
    expect(w.audit[0]!.params).to.deep.equal({ RequestedState: 'X' });
    w.ops.close();
  });

  it('clips what it keeps of an embedded instance (class and naming value), as it clips plain values', () => {
    const long = 'n'.repeat(100_000);
    const text = `<INSTANCE CLASSNAME="${'C'.repeat(100_000)}"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>${long}</VALUE></PROPERTY></INSTANCE>`;
    const inst = new CimInstance('Y');
    inst.properties.set('ElementName', new CimProperty('ElementName', 'string', long));
    const s = auditParams(call([{ name: 'A', value: text }, { name: 'B', value: inst }]))!;
    expect(s['A']!.length).to.be.below(500);
    expect(s['B']!.length).to.be.below(500);
    expect(s['B']).to.match(/^Y\(ElementName="n+…"\)$/);
  });
});

describe('operations: audit entries stay small whatever the request', () => {
  it('clips the target, the method name and the error text (a reader cannot write megabytes into the audit log per request)', async () => {
    const w = world();
    const huge = 'x'.repeat(1_000_000);
    const name = CimInstanceName.of('T_VirtualSystem', { CreationClassName: 'T_VirtualSystem', Name: huge });
    await w.ops.intrinsic({
      kind: 'intrinsic', method: 'DeleteInstance', namespace: 'root/test', messageId: '1', protocolVersion: '1.0',
      params: new NameMap<ParamValue>([['InstanceName', { name: 'InstanceName', value: name }]]),
    }, reader).catch(() => undefined);
    const target = CimInstanceName.of(`T_${'V'.repeat(500_000)}`, { Name: huge }, 'root/test');
    await w.ops.extrinsic({ ...call([]), method: `M${'m'.repeat(500_000)}`, target }, reader).catch(() => undefined);
    expect(w.audit).to.have.length(2);
    for (const e of w.audit) expect(JSON.stringify(e).length, JSON.stringify(e).slice(0, 200)).to.be.below(5000);
    expect(w.audit[0]!.target).to.match(/^T_VirtualSystem\.CreationClassName="T_VirtualSystem",Name="x+…$/);
    w.ops.close();
  });
});
