/**
 * End-to-end over HTTP: every intrinsic operation family, the extrinsic call path, DSP0200
 * header rules and error codes, on the test provider.
 */
import { expect } from 'chai';
import { all, esc, extrinsic, first, instanceName, intrinsic, post, propNames, propValue, text, type XmlNode } from '../support/cim-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const W1 = instanceName('Test_Widget', { InstanceID: 'w1' });

describe('e2e: CIM-XML operations over HTTP', () => {
  let srv: TestServer;
  let c: { port: number };
  before(async () => {
    srv = await startTestServer();
    c = { port: srv.port };
  });
  after(async () => srv.close());

  const names = (rsp: XmlNode, tag: string) => all(first(rsp, 'IRETURNVALUE'), tag).map((n) => String(n['@CLASSNAME'] ?? n['@NAME']));

  it('EnumerateClassNames: roots by default, the whole tree with DeepInheritance', async () => {
    const roots = await intrinsic(c, 'EnumerateClassNames');
    expect(names(roots.rsp, 'CLASSNAME')).to.have.members(['Test_Base', 'Test_WidgetGadget', 'Test_Bulk']);
    const deep = await intrinsic(c, 'EnumerateClassNames', { ClassName: '<CLASSNAME NAME="Test_Base"/>', DeepInheritance: '<VALUE>TRUE</VALUE>' });
    expect(names(deep.rsp, 'CLASSNAME')).to.have.members(['Test_Widget', 'Test_SpecialWidget', 'Test_Gadget']);
  });

  it('GetClass returns qualifiers, inherited properties and methods', async () => {
    const r = await intrinsic(c, 'GetClass', { ClassName: '<CLASSNAME NAME="Test_Widget"/>', LocalOnly: '<VALUE>FALSE</VALUE>' });
    const cls = first(first(r.rsp, 'IRETURNVALUE'), 'CLASS');
    expect(cls['@NAME']).to.equal('Test_Widget');
    expect(cls['@SUPERCLASS']).to.equal('Test_Base');
    expect(propNames(cls)).to.include.members(['InstanceID', 'Size', 'Tags']);
    expect(all(cls, 'METHOD').map((m) => m['@NAME'])).to.deep.equal(['Resize']);
    const state = all(cls, 'PROPERTY').find((p) => p['@NAME'] === 'State')!;
    expect(all(state, 'QUALIFIER').map((q) => q['@NAME'])).to.include('ValueMap');
  });

  it('EnumerateInstances fans out over subclasses and honours PropertyList', async () => {
    const r = await intrinsic(c, 'EnumerateInstances', { ClassName: '<CLASSNAME NAME="Test_Widget"/>' });
    const insts = all(first(r.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE');
    expect(insts.map((n) => first(n, 'INSTANCE')['@CLASSNAME'])).to.have.members(['Test_Widget', 'Test_Widget', 'Test_Widget', 'Test_SpecialWidget']);
    const p = await intrinsic(c, 'EnumerateInstances', {
      ClassName: '<CLASSNAME NAME="Test_Widget"/>',
      PropertyList: '<VALUE.ARRAY><VALUE>Size</VALUE></VALUE.ARRAY>',
    });
    for (const n of all(first(p.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE')) {
      expect(propNames(first(n, 'INSTANCE'))).to.deep.equal(['Size']);
    }
  });

  it('GetInstance returns the instance; errors carry the DSP0200 codes', async () => {
    const r = await intrinsic(c, 'GetInstance', { InstanceName: W1 });
    const inst = first(first(r.rsp, 'IRETURNVALUE'), 'INSTANCE');
    expect(propValue(inst, 'Size')).to.equal('10');
    expect((await intrinsic(c, 'GetInstance', { InstanceName: instanceName('Test_Widget', { InstanceID: 'nope' }) })).error?.code).to.equal(6);
    expect((await intrinsic(c, 'GetInstance', { InstanceName: instanceName('Test_Nope', { InstanceID: 'x' }) })).error?.code).to.equal(5);
    expect((await intrinsic(c, 'GetInstance', { InstanceName: instanceName('Test_Widget', { Bogus: 'x' }) })).error?.code).to.equal(4);
    expect((await intrinsic({ ...c, namespace: 'root/nope' } as never, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="Test_Widget"/>' })).error?.code).to.equal(3);
    const desc = (await intrinsic(c, 'GetInstance', { InstanceName: instanceName('Test_Widget', { InstanceID: 'nope' }) })).error!.description;
    expect(desc).to.match(/^CIM_ERR_NOT_FOUND/);
  });

  it('GetProperty and SetProperty', async () => {
    const g = await intrinsic(c, 'GetProperty', { InstanceName: W1, PropertyName: '<VALUE>Size</VALUE>' });
    expect(text(first(first(g.rsp, 'IRETURNVALUE'), 'VALUE'))).to.equal('10');
    const s = await intrinsic(c, 'SetProperty', { InstanceName: W1, PropertyName: '<VALUE>Note</VALUE>', NewValue: '<VALUE>hello</VALUE>' });
    expect(s.error).to.equal(undefined);
    expect(first(s.rsp, 'IRETURNVALUE'), 'void operations have no IRETURNVALUE').to.equal(undefined);
    expect(srv.store.byClass.get('Test_Widget')!.get('w1')!.Note).to.equal('hello');
  });

  it('CreateInstance, ModifyInstance, DeleteInstance', async () => {
    const inst = '<INSTANCE CLASSNAME="Test_Widget"><PROPERTY NAME="InstanceID" TYPE="string"><VALUE>new1</VALUE></PROPERTY><PROPERTY NAME="Size" TYPE="uint32"><VALUE>7</VALUE></PROPERTY></INSTANCE>';
    const cr = await intrinsic(c, 'CreateInstance', { NewInstance: inst });
    expect(first(first(cr.rsp, 'IRETURNVALUE'), 'INSTANCENAME')['@CLASSNAME']).to.equal('Test_Widget');
    expect(srv.store.byClass.get('Test_Widget')!.get('new1')!.Size).to.equal(7);
    const bad = await intrinsic(c, 'CreateInstance', { NewInstance: inst.replace('new1', 'new2').replace('<VALUE>7</VALUE>', '<VALUE>seven</VALUE>') });
    expect(bad.error?.code).to.be.oneOf([4, 13]);
    expect(srv.store.byClass.get('Test_Widget')!.has('new2'), 'a bad request changes nothing').to.equal(false);
    const mod = `<VALUE.NAMEDINSTANCE>${instanceName('Test_Widget', { InstanceID: 'new1' })}${inst.replace('<VALUE>7</VALUE>', '<VALUE>8</VALUE>')}</VALUE.NAMEDINSTANCE>`;
    expect((await intrinsic(c, 'ModifyInstance', { ModifiedInstance: mod })).error).to.equal(undefined);
    expect(srv.store.byClass.get('Test_Widget')!.get('new1')!.Size).to.equal(8);
    expect((await intrinsic(c, 'DeleteInstance', { InstanceName: instanceName('Test_Widget', { InstanceID: 'new1' }) })).error).to.equal(undefined);
    expect((await intrinsic(c, 'DeleteInstance', { InstanceName: instanceName('Test_Widget', { InstanceID: 'new1' }) })).error?.code).to.equal(6);
    expect(srv.audit.length).to.be.greaterThan(0);
  });

  it('Associators, AssociatorNames, References, ReferenceNames with filters', async () => {
    const a = await intrinsic(c, 'Associators', { ObjectName: W1 });
    const objs = all(first(a.rsp, 'IRETURNVALUE'), 'VALUE.OBJECTWITHPATH');
    expect(objs.map((o) => propValue(first(o, 'INSTANCE'), 'InstanceID'))).to.have.members(['g1', 'g2']);
    const an = await intrinsic(c, 'AssociatorNames', { ObjectName: W1, ResultRole: '<VALUE>Gadget</VALUE>' });
    expect(all(first(an.rsp, 'IRETURNVALUE'), 'OBJECTPATH')).to.have.length(2);
    const none = await intrinsic(c, 'AssociatorNames', { ObjectName: W1, ResultRole: '<VALUE>Widget</VALUE>' });
    expect(all(first(none.rsp, 'IRETURNVALUE'), 'OBJECTPATH')).to.have.length(0);
    const back = await intrinsic(c, 'AssociatorNames', { ObjectName: instanceName('Test_Gadget', { InstanceID: 'g2' }), ResultClass: '<CLASSNAME NAME="Test_Widget"/>' });
    expect(all(first(back.rsp, 'IRETURNVALUE'), 'OBJECTPATH')).to.have.length(2);
    const refs = await intrinsic(c, 'References', { ObjectName: W1, Role: '<VALUE>Widget</VALUE>' });
    expect(all(first(refs.rsp, 'IRETURNVALUE'), 'VALUE.OBJECTWITHPATH')).to.have.length(2);
    const rn = await intrinsic(c, 'ReferenceNames', { ObjectName: W1, ResultClass: '<CLASSNAME NAME="Test_WidgetGadget"/>' });
    expect(all(first(rn.rsp, 'IRETURNVALUE'), 'OBJECTPATH')).to.have.length(2);
  });

  it('ExecQuery with WQL', async () => {
    const q = await intrinsic(c, 'ExecQuery', {
      QueryLanguage: '<VALUE>WQL</VALUE>',
      Query: `<VALUE>${esc('SELECT InstanceID FROM Test_Widget WHERE Size >= 20 AND Enabled = TRUE')}</VALUE>`,
    });
    const ids = all(first(q.rsp, 'IRETURNVALUE'), 'VALUE.OBJECTWITHPATH').map((o) => propValue(first(o, 'INSTANCE'), 'InstanceID'));
    expect(ids, 'sw1 has Enabled NULL, so it does not match').to.deep.equal(['w3']);
    const big = await intrinsic(c, 'ExecQuery', { QueryLanguage: '<VALUE>WQL</VALUE>', Query: '<VALUE>SELECT * FROM Test_Widget WHERE Size &gt; 50 OR NOT (Enabled IS NULL)</VALUE>' });
    const bigIds = all(first(big.rsp, 'IRETURNVALUE'), 'VALUE.OBJECTWITHPATH').map((o) => propValue(first(o, 'INSTANCE'), 'InstanceID'));
    expect(bigIds).to.have.members(['w1', 'w2', 'w3', 'sw1']);
    const bad = await intrinsic(c, 'ExecQuery', { QueryLanguage: '<VALUE>WQL</VALUE>', Query: '<VALUE>SELECT FROM</VALUE>' });
    expect(bad.error?.code).to.equal(15);
  });

  it('pull operations page through an enumeration context', async () => {
    const open = await intrinsic(c, 'OpenEnumerateInstances', { ClassName: '<CLASSNAME NAME="Test_Widget"/>', MaxObjectCount: '<VALUE>3</VALUE>' });
    const params = (rsp: XmlNode) => Object.fromEntries(all(rsp, 'PARAMVALUE').map((p) => [p['@NAME'], text(first(p, 'VALUE'))]));
    expect(all(first(open.rsp, 'IRETURNVALUE'), 'VALUE.INSTANCEWITHPATH')).to.have.length(3);
    let p = params(open.rsp);
    expect(p.EndOfSequence).to.equal('FALSE');
    const pull = await intrinsic(c, 'PullInstancesWithPath', { EnumerationContext: `<VALUE>${p.EnumerationContext}</VALUE>`, MaxObjectCount: '<VALUE>10</VALUE>' });
    expect(all(first(pull.rsp, 'IRETURNVALUE'), 'VALUE.INSTANCEWITHPATH')).to.have.length(1);
    p = params(pull.rsp);
    expect(p.EndOfSequence).to.equal('TRUE');
    const again = await intrinsic(c, 'PullInstancesWithPath', { EnumerationContext: `<VALUE>${params(open.rsp).EnumerationContext}</VALUE>`, MaxObjectCount: '<VALUE>10</VALUE>' });
    expect(again.error?.code).to.equal(21);
  });

  it('InvokeMethod: typed IN parameters, embedded instance, OUT parameters', async () => {
    const tpl = esc('<INSTANCE CLASSNAME="Test_Gadget"><PROPERTY NAME="InstanceID" TYPE="string"><VALUE>gx</VALUE></PROPERTY><PROPERTY NAME="Weight" TYPE="real64"><VALUE>3.5</VALUE></PROPERTY></INSTANCE>');
    const r = await extrinsic(c, 'Resize', { className: 'Test_Widget', keys: { InstanceID: 'w2' } },
      `<PARAMVALUE NAME="NewSize"><VALUE>42</VALUE></PARAMVALUE><PARAMVALUE NAME="Template"><VALUE>${tpl}</VALUE></PARAMVALUE>`);
    expect(r.error).to.equal(undefined);
    expect(text(first(first(r.rsp, 'RETURNVALUE'), 'VALUE'))).to.equal('0');
    const out = Object.fromEntries(all(r.rsp, 'PARAMVALUE').map((p) => [p['@NAME'], p]));
    expect(text(first(out.OldSize as XmlNode, 'VALUE'))).to.equal('20');
    expect(out.Made).to.not.equal(undefined);
    expect(srv.store.byClass.get('Test_Gadget')!.get('gx')!.Weight).to.equal(3.5);
    const bad = await extrinsic(c, 'Resize', { className: 'Test_Widget', keys: { InstanceID: 'w2' } }, '<PARAMVALUE NAME="NewSize"><VALUE>big</VALUE></PARAMVALUE>');
    expect(bad.error?.code).to.equal(4);
    expect(bad.error?.description).to.contain('NewSize');
    const unknown = await extrinsic(c, 'Explode', { className: 'Test_Widget', keys: { InstanceID: 'w2' } }, '');
    expect(unknown.error?.code).to.equal(17);
  });

  it('answers protocol errors with HTTP status and CIMError header', async () => {
    const body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CIM/>';
    const dt = await post(c, body, { CIMMethod: 'GetClass', CIMObject: 'root/test' });
    expect(dt.status).to.equal(400);
    const notXml = await post(c, '<CIM><MESSAGE', { CIMMethod: 'GetClass', CIMObject: 'root/test' });
    expect(notXml.status).to.equal(400);
    expect(notXml.headers.cimerror).to.equal('request-not-well-formed');
    const req = (await import('../support/cim-client.js')).imethodcall('EnumerateClassNames', 'root/test');
    const mismatch = await post(c, req, { CIMMethod: 'GetClass', CIMObject: 'root/test' });
    expect(mismatch.status).to.equal(400);
    expect(mismatch.headers.cimerror).to.equal('header-mismatch');
    // CIM names ignore case, in the header too; a CIMProtocolVersion never sent is not compared.
    expect((await post(c, req, { CIMMethod: 'enumerateclassnames', CIMObject: 'root/test' })).status).to.equal(200);
    const v14 = req.replace('PROTOCOLVERSION="1.0"', 'PROTOCOLVERSION="1.4"');
    expect(v14).to.contain('PROTOCOLVERSION="1.4"');
    expect((await post(c, v14, { CIMMethod: 'EnumerateClassNames', CIMObject: 'root/test' })).status).to.equal(200);
    const v14h = await post(c, v14, { CIMMethod: 'EnumerateClassNames', CIMObject: 'root/test', CIMProtocolVersion: '1.0' });
    expect([v14h.status, v14h.headers.cimerror]).to.deep.equal([400, 'header-mismatch']);
    expect(srv.log.join('\n')).to.not.match(/unexpectedly/);
  });
});
