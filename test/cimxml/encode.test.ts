/**
 * Every encode form: the output is read back with fast-xml-parser (not our decoder) and its
 * structure asserted; no PROPERTY/PARAMETER/QUALIFIER is ever self-closing (wbemcli).
 */
import { expect } from 'chai';
import {
  CimError, CimInstance, CimInstanceName, CimProperty, classNameRef, cimError, type IntrinsicResult,
} from '../../src/cim/index.js';
import {
  CHUNK_SIZE, encodeExtrinsicResponse, encodeIntrinsicResponse,
  encodeIntrinsicResponseText, joinChunks, parseEmbeddedObject,
} from '../../src/cimxml/index.js';
import { ALL, flags, qualifierDecls, settingsInstance, vmClass, vmInstance, vmName } from './fixtures.js';
import { NO_SELF_CLOSE, all, at, parseBack, type El } from './helpers.js';
import { normalizeXmlForCompare } from './xml-normalize.js';

function respond(result: IntrinsicResult, f = ALL, method = 'X', options?: { host?: string; namespace?: string }): { xml: string; rsp: El } {
  const xml = encodeIntrinsicResponseText('1001', method, { result, flags: f }, options);
  expect(xml).to.not.match(NO_SELF_CLOSE);
  return { xml, rsp: at(parseBack(xml), 'MESSAGE/SIMPLERSP/IMETHODRESPONSE') };
}

function irv(result: IntrinsicResult, f = ALL, options?: { host?: string; namespace?: string }): El {
  return at(respond(result, f, 'X', options).rsp, 'IRETURNVALUE');
}

function props(inst: El): Record<string, El> {
  return Object.fromEntries(inst.children.filter((c) => c.name.startsWith('PROPERTY')).map((p) => [p.attrs['NAME'], p]));
}

describe('cimxml encode: envelope and errors', () => {
  it('writes the DSP0201 envelope and echoes the (escaped) message ID', () => {
    const xml = encodeIntrinsicResponseText('4711 "&"', 'GetInstance', { result: { kind: 'void' }, flags: ALL });
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="4711 &quot;&amp;&quot;" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="GetInstance">')).to.equal(true);
    expect(xml.endsWith('</IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>')).to.equal(true);
    expect(parseBack(xml).attrs).to.deep.equal({ CIMVERSION: '2.0', DTDVERSION: '2.0' });
    expect(at(parseBack(xml), 'MESSAGE').attrs['ID']).to.equal('4711 "&"');
  });

  it('void operations carry no IRETURNVALUE', () => {
    const { xml, rsp } = respond({ kind: 'void' }, ALL, 'DeleteInstance');
    expect(rsp.children).to.deep.equal([]);
    expect(xml).to.contain('<IMETHODRESPONSE NAME="DeleteInstance"></IMETHODRESPONSE>');
  });

  it('errors: ERROR with CODE and DESCRIPTION inside IMETHODRESPONSE / METHODRESPONSE', () => {
    const err = cimError('NOT_FOUND', 'no Xen_ComputerSystem named "vm<9>"');
    const xml = joinChunks(encodeIntrinsicResponse('1', 'GetInstance', err));
    const e = at(parseBack(xml), 'MESSAGE/SIMPLERSP/IMETHODRESPONSE/ERROR');
    expect(e.attrs).to.deep.equal({ CODE: '6', DESCRIPTION: 'CIM_ERR_NOT_FOUND: no Xen_ComputerSystem named "vm<9>"' });
    expect(xml).to.contain('<ERROR CODE="6" DESCRIPTION="CIM_ERR_NOT_FOUND: no Xen_ComputerSystem named &quot;vm&lt;9&gt;&quot;"/>');
    const x = encodeExtrinsicResponse('2', 'RequestStateChange', new CimError(17));
    expect(at(parseBack(x), 'MESSAGE/SIMPLERSP/METHODRESPONSE/ERROR').attrs).to.deep.equal({ CODE: '17', DESCRIPTION: 'CIM_ERR_METHOD_NOT_FOUND' });
    expect(at(parseBack(x), 'MESSAGE/SIMPLERSP/METHODRESPONSE').attrs['NAME']).to.equal('RequestStateChange');
  });

  it('matches a golden GetInstance response, whatever the formatting', () => {
    const inst = new CimInstance('Xen_Foo');
    inst.properties.set('Name', new CimProperty('Name', 'string', 'a'));
    inst.properties.set('N', new CimProperty('N', 'uint8', null));
    // N is NULL: written because the PropertyList names it.
    const xml = encodeIntrinsicResponseText('9', 'GetInstance', { result: { kind: 'instance', instance: inst }, flags: flags({ props: ['Name', 'n'] }) });
    const golden = `<?xml version="1.0" encoding="utf-8"?>
      <CIM DTDVERSION="2.0" CIMVERSION="2.0">
        <MESSAGE PROTOCOLVERSION="1.0" ID="9"><SIMPLERSP><IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE>
          <INSTANCE CLASSNAME="Xen_Foo">
            <PROPERTY TYPE="string" NAME="Name"><VALUE>a</VALUE></PROPERTY>
            <PROPERTY TYPE="uint8" NAME="N"/>
          </INSTANCE>
        </IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE>
      </CIM>`;
    expect(normalizeXmlForCompare(xml)).to.equal(normalizeXmlForCompare(golden));
  });
});

describe('cimxml encode: instances and flags', () => {
  it('GetInstance → INSTANCE with every value form', () => {
    const inst = at(irv({ kind: 'instance', instance: vmInstance() }), 'INSTANCE');
    expect(inst.attrs).to.deep.equal({ CLASSNAME: 'Xen_ComputerSystem' });
    const p = props(inst);
    expect(p['Name']!.attrs).to.deep.equal({ NAME: 'Name', TYPE: 'string' });
    expect(at(p['EnabledState']!, 'VALUE').text).to.equal('2');
    expect(p['Dedicated']!.name).to.equal('PROPERTY.ARRAY');
    expect(at(p['Dedicated']!, 'VALUE.ARRAY').children.map((c) => c.name)).to.deep.equal(['VALUE', 'VALUE.NULL', 'VALUE']);
    expect(p['Caption'], 'NULL and not named: left out').to.equal(undefined);
    expect(at(p['Flag']!, 'VALUE').text).to.equal('FALSE');
    expect(at(p['Big']!, 'VALUE').text).to.equal('18446744073709551615');
    expect(at(p['Ratio']!, 'VALUE').text).to.equal('-INF');
    expect(at(p['NotANumber']!, 'VALUE').text).to.equal('NaN');
    expect(at(p['Installed']!, 'VALUE').text).to.equal('20240131154500.000000+060');
    const host = p['Host']!;
    expect(host.name).to.equal('PROPERTY.REFERENCE');
    expect(host.attrs).to.deep.equal({ NAME: 'Host', REFERENCECLASS: 'CIM_System' });
    const ip = at(host, 'VALUE.REFERENCE/INSTANCEPATH');
    expect(at(ip, 'NAMESPACEPATH/HOST').text).to.equal('h1');
    expect(all(at(ip, 'NAMESPACEPATH/LOCALNAMESPACEPATH'), 'NAMESPACE').map((n) => n.attrs['NAME'])).to.deep.equal(['root', 'virt']);
    expect(at(ip, 'INSTANCENAME').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
    const s = p['Settings']!;
    expect(s.attrs).to.deep.equal({ NAME: 'Settings', TYPE: 'string', EmbeddedObject: 'instance' });
    const embedded = parseEmbeddedObject(at(s, 'VALUE').text) as CimInstance;
    expect(embedded.className).to.equal('Xen_VirtualSystemSettingData');
    expect(embedded.get('ElementName')).to.equal('vm <2> & "q"');
    expect(embedded.get('VirtualQuantity')).to.equal(2);
  });

  it('PropertyList: NULL = all that are not NULL, empty = none, a list selects (case-insensitively)', () => {
    const count = (f = ALL) => Object.keys(props(at(irv({ kind: 'instance', instance: vmInstance() }, f), 'INSTANCE'))).length;
    const all = vmInstance().properties.values();
    expect(all.some((p) => p.value === null), 'the fixture has NULL properties').to.equal(true);
    expect(count()).to.equal(all.filter((p) => p.value !== null).length);
    expect(count(flags({ props: [] }))).to.equal(0);
    expect(Object.keys(props(at(irv({ kind: 'instance', instance: vmInstance() }, flags({ props: ['enabledstate', 'NAME', 'NoSuch'] })), 'INSTANCE')))).to.deep.equal(['Name', 'EnabledState']);
  });

  it('a NULL property is written, as PROPERTY without VALUE, when the client names it', () => {
    const named = props(at(irv({ kind: 'instance', instance: vmInstance() }, flags({ props: ['Name', 'caption'] })), 'INSTANCE'));
    expect(Object.keys(named)).to.deep.equal(['Name', 'Caption']);
    expect(named['Caption']!.children).to.deep.equal([]);
    // A PropertyList narrowed by the server (DeepInheritance false) is not the client naming.
    const narrowed = props(at(irv({ kind: 'instance', instance: vmInstance() }, flags({ props: ['Name', 'Caption'], namedProperties: null })), 'INSTANCE'));
    expect(Object.keys(narrowed)).to.deep.equal(['Name']);
  });

  it('IncludeQualifiers and IncludeClassOrigin', () => {
    const plain = at(irv({ kind: 'instance', instance: vmInstance() }), 'INSTANCE');
    expect(all(plain, 'QUALIFIER')).to.deep.equal([]);
    expect(props(plain)['Name']!.children).to.deep.equal([at(props(plain)['Name']!, 'VALUE')]);
    expect(props(plain)['Name']!.attrs['CLASSORIGIN']).to.equal(undefined);
    const rich = at(irv({ kind: 'instance', instance: vmInstance() }, flags({ includeQualifiers: true, includeClassOrigin: true })), 'INSTANCE');
    expect(all(rich, 'QUALIFIER').map((q) => q.attrs['NAME'])).to.deep.equal(['Description']);
    const name = props(rich)['Name']!;
    expect(name.attrs['CLASSORIGIN']).to.equal('CIM_System');
    expect(at(name, 'QUALIFIER').attrs).to.deep.equal({ NAME: 'Key', TYPE: 'boolean', OVERRIDABLE: 'false' });
    expect(at(name, 'QUALIFIER/VALUE').text).to.equal('TRUE');
    expect(props(rich)['Host']!.attrs['CLASSORIGIN']).to.equal('CIM_ManagedSystemElement');
  });

  it('EnumerateInstances → VALUE.NAMEDINSTANCE (INSTANCENAME + INSTANCE)', () => {
    const r = irv({ kind: 'namedInstances', instances: [vmInstance('a'), vmInstance('b')] }, flags({ props: ['Name'] }));
    const named = all(r, 'VALUE.NAMEDINSTANCE');
    expect(named).to.have.length(2);
    expect(named[1]!.children.map((c) => c.name)).to.deep.equal(['INSTANCENAME', 'INSTANCE']);
    const kb = all(at(named[1]!, 'INSTANCENAME'), 'KEYBINDING');
    expect(kb.map((k) => [k.attrs['NAME'], at(k, 'KEYVALUE').attrs, at(k, 'KEYVALUE').text])).to.deep.equal([
      ['CreationClassName', { VALUETYPE: 'string', TYPE: 'string' }, 'Xen_ComputerSystem'],
      ['Name', { VALUETYPE: 'string', TYPE: 'string' }, 'b'],
    ]);
  });

  it('an empty enumeration is an empty IRETURNVALUE', () => {
    expect(irv({ kind: 'namedInstances', instances: [] }).children).to.deep.equal([]);
  });

  it('refuses an instance without a path at call time, before any chunk exists', () => {
    const inst = vmInstance();
    delete inst.path;
    expect(() => encodeIntrinsicResponse('1', 'EnumerateInstances', { result: { kind: 'namedInstances', instances: [inst] }, flags: ALL })).to.throw(CimError, /without its path/);
    expect(() => encodeIntrinsicResponse('1', 'AssociatorNames', { result: { kind: 'objectPaths', names: [vmName()] }, flags: ALL })).to.throw(CimError, /no namespace/);
    expect(() => encodeIntrinsicResponse('1', 'AssociatorNames', { result: { kind: 'objectPaths', names: [vmName()] }, flags: ALL }, { namespace: 'root/virt' })).to.not.throw();
  });

  it('EnumerateInstanceNames → INSTANCENAME with KEYVALUE VALUETYPE and TYPE', () => {
    const n = new CimInstanceName('X', [
      { name: 'S', value: 's' },
      { name: 'U', value: 7, type: 'uint16' },
      { name: 'N', value: 7 },
      { name: 'B', value: true },
      { name: 'R', value: vmName('vm1', 'root/virt') },
    ]);
    const kv = all(at(irv({ kind: 'instanceNames', names: [n] }), 'INSTANCENAME'), 'KEYBINDING').map((k) => k.children[0]!);
    expect(kv.slice(0, 4).map((k) => [k.attrs, k.text])).to.deep.equal([
      [{ VALUETYPE: 'string', TYPE: 'string' }, 's'],
      [{ VALUETYPE: 'numeric', TYPE: 'uint16' }, '7'],
      [{ VALUETYPE: 'numeric' }, '7'],
      [{ VALUETYPE: 'boolean', TYPE: 'boolean' }, 'TRUE'],
    ]);
    expect(kv[4]!.name).to.equal('VALUE.REFERENCE');
    expect(at(kv[4]!, 'LOCALINSTANCEPATH/INSTANCENAME').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
  });

  it('CreateInstance → INSTANCENAME', () => {
    expect(at(irv({ kind: 'instanceName', name: vmName() }), 'INSTANCENAME').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
  });
});

describe('cimxml encode: associations and paths', () => {
  it('Associators → VALUE.OBJECTWITHPATH (INSTANCEPATH with HOST + INSTANCE)', () => {
    const r = irv({ kind: 'objectsWithPath', instances: [vmInstance('a', 'root/virt')] }, ALL, { host: 'xenhost' });
    const owp = at(r, 'VALUE.OBJECTWITHPATH');
    expect(owp.children.map((c) => c.name)).to.deep.equal(['INSTANCEPATH', 'INSTANCE']);
    expect(at(owp, 'INSTANCEPATH/NAMESPACEPATH/HOST').text).to.equal('xenhost');
    // A path's own host wins; "localhost" when neither is known.
    const own = vmInstance('b', 'root/virt');
    own.path = vmName('b', 'root/virt', 'otherhost');
    expect(at(irv({ kind: 'objectsWithPath', instances: [own] }), 'VALUE.OBJECTWITHPATH/INSTANCEPATH/NAMESPACEPATH/HOST').text).to.equal('otherhost');
    expect(at(irv({ kind: 'objectsWithPath', instances: [vmInstance('c', 'root/virt')] }), 'VALUE.OBJECTWITHPATH/INSTANCEPATH/NAMESPACEPATH/HOST').text).to.equal('localhost');
  });

  it('uses the namespace default for paths without one, and refuses when there is none', () => {
    const r = irv({ kind: 'objectsWithPath', instances: [vmInstance('a')] }, ALL, { namespace: 'root/interop' });
    expect(all(at(r, 'VALUE.OBJECTWITHPATH/INSTANCEPATH/NAMESPACEPATH/LOCALNAMESPACEPATH'), 'NAMESPACE').map((n) => n.attrs['NAME'])).to.deep.equal(['root', 'interop']);
    expect(() => encodeIntrinsicResponseText('1', 'Associators', { result: { kind: 'objectsWithPath', instances: [vmInstance('a')] }, flags: ALL })).to.throw(CimError, /no namespace/);
  });

  it('class-level Associators → VALUE.OBJECTWITHPATH (CLASSPATH + CLASS)', () => {
    const owp = at(irv({ kind: 'classesWithPath', classes: [{ cls: vmClass(), namespace: 'root/virt' }] }), 'VALUE.OBJECTWITHPATH');
    expect(owp.children.map((c) => c.name)).to.deep.equal(['CLASSPATH', 'CLASS']);
    expect(at(owp, 'CLASSPATH/CLASSNAME').attrs['NAME']).to.equal('Xen_ComputerSystem');
  });

  it('AssociatorNames / ReferenceNames → OBJECTPATH (INSTANCEPATH or CLASSPATH)', () => {
    const r = irv({ kind: 'objectPaths', names: [vmName('a', 'root/virt', 'h'), vmName('b', 'root/virt')] });
    expect(all(r, 'OBJECTPATH').map((o) => at(o, 'INSTANCEPATH/NAMESPACEPATH/HOST').text)).to.deep.equal(['h', 'localhost']);
    const c = irv({ kind: 'classPaths', paths: [classNameRef('CIM_Foo', 'root/virt')] });
    expect(at(c, 'OBJECTPATH/CLASSPATH/CLASSNAME').attrs['NAME']).to.equal('CIM_Foo');
  });
});

describe('cimxml encode: classes and qualifier declarations', () => {
  it('GetClass with qualifiers and class origin', () => {
    const { xml } = respond({ kind: 'class', cls: vmClass() }, flags({ includeQualifiers: true, includeClassOrigin: true }));
    const cls = at(parseBack(xml), 'MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE/CLASS');
    expect(cls.attrs).to.deep.equal({ NAME: 'Xen_ComputerSystem', SUPERCLASS: 'CIM_ComputerSystem' });
    expect(all(cls, 'QUALIFIER').map((q) => q.attrs)).to.deep.equal([
      { NAME: 'Description', TYPE: 'string', TRANSLATABLE: 'true' },
      { NAME: 'Version', TYPE: 'string', PROPAGATED: 'true' },
    ]);
    const p = props(cls);
    expect(p['Name']!.attrs).to.deep.equal({ NAME: 'Name', TYPE: 'string', CLASSORIGIN: 'CIM_System', PROPAGATED: 'true' });
    expect(at(p['EnabledState']!, 'VALUE').text).to.equal('5');
    expect(at(p['EnabledState']!, 'QUALIFIER/VALUE.ARRAY').children.map((v) => v.text)).to.deep.equal(['2', '3']);
    expect(p['Dedicated']!.attrs).to.deep.equal({ NAME: 'Dedicated', TYPE: 'uint16', ARRAYSIZE: '4' });
    expect(p['Host']!.attrs).to.deep.equal({ NAME: 'Host', REFERENCECLASS: 'CIM_System' });
    expect(p['Settings']!.attrs['EmbeddedObject']).to.equal('instance');
    const m = at(cls, 'METHOD');
    expect(m.attrs).to.deep.equal({ NAME: 'RequestStateChange', TYPE: 'uint32', CLASSORIGIN: 'CIM_EnabledLogicalElement' });
    expect(m.children.map((c) => [c.name, c.attrs['NAME']])).to.deep.equal([
      ['QUALIFIER', 'ValueMap'],
      ['PARAMETER', 'RequestedState'],
      ['PARAMETER.REFERENCE', 'Job'],
      ['PARAMETER.REFARRAY', 'Affected'],
      ['PARAMETER.ARRAY', 'Names'],
    ]);
    expect(m.children[2]!.attrs).to.deep.equal({ NAME: 'Job', REFERENCECLASS: 'CIM_ConcreteJob' });
    expect(at(m.children[2]!, 'QUALIFIER').attrs['NAME']).to.equal('Out');
    expect(m.children[4]!.attrs).to.deep.equal({ NAME: 'Names', TYPE: 'string', ARRAYSIZE: '2' });
    // Explicit end tags even for empty parameters and properties (wbemcli).
    expect(xml).to.contain('<PARAMETER.ARRAY NAME="Names" TYPE="string" ARRAYSIZE="2"></PARAMETER.ARRAY>');
  });

  it('GetClass without qualifiers or class origin; a PropertyList selects properties', () => {
    const cls = at(irv({ kind: 'class', cls: vmClass() }, flags({ props: ['Name'] })), 'CLASS');
    expect(cls.children.map((c) => c.name)).to.deep.equal(['PROPERTY', 'METHOD']);
    expect(cls.children[0]!.attrs).to.deep.equal({ NAME: 'Name', TYPE: 'string', PROPAGATED: 'true' });
    expect(at(cls, 'METHOD').children.every((c) => c.children.length === 0)).to.equal(true);
  });

  it('EnumerateClasses → CLASS*, EnumerateClassNames → CLASSNAME*', () => {
    expect(all(irv({ kind: 'classes', classes: [vmClass(), vmClass()] }), 'CLASS')).to.have.length(2);
    const { xml } = respond({ kind: 'classNames', names: ['A', 'B_c'] });
    expect(xml).to.contain('<IRETURNVALUE><CLASSNAME NAME="A"/><CLASSNAME NAME="B_c"/></IRETURNVALUE>');
  });

  it('qualifier declarations with SCOPE', () => {
    const r = irv({ kind: 'qualifierDeclarations', decls: qualifierDecls() });
    const d = all(r, 'QUALIFIER.DECLARATION');
    expect(d[0]!.attrs).to.deep.equal({ NAME: 'Key', TYPE: 'boolean', ISARRAY: 'false', OVERRIDABLE: 'false' });
    expect(at(d[0]!, 'SCOPE').attrs).to.deep.equal({ CLASS: 'false', ASSOCIATION: 'false', REFERENCE: 'true', PROPERTY: 'true', METHOD: 'false', PARAMETER: 'false', INDICATION: 'false' });
    expect(at(d[0]!, 'VALUE').text).to.equal('FALSE');
    expect(Object.values(at(d[1]!, 'SCOPE').attrs).every((v) => v === 'true')).to.equal(true);
    expect(d[1]!.children.map((c) => c.name)).to.deep.equal(['SCOPE']);
    expect(d[2]!.attrs).to.include({ ISARRAY: 'true', ARRAYSIZE: '3' });
    expect(at(d[2]!, 'VALUE.ARRAY').children.map((c) => c.name)).to.deep.equal(['VALUE', 'VALUE.NULL']);
    expect(at(irv({ kind: 'qualifierDeclaration', decl: qualifierDecls()[0]! }), 'QUALIFIER.DECLARATION').attrs['NAME']).to.equal('Key');
  });
});

describe('cimxml encode: GetProperty, pull and count results', () => {
  it('GetProperty values; NULL is an empty IRETURNVALUE', () => {
    const { xml } = respond({ kind: 'value', value: null, type: 'uint16', isArray: false }, ALL, 'GetProperty');
    expect(xml).to.contain('<IMETHODRESPONSE NAME="GetProperty"><IRETURNVALUE></IRETURNVALUE></IMETHODRESPONSE>');
    expect(at(irv({ kind: 'value', value: 2, type: 'uint16', isArray: false }), 'VALUE').text).to.equal('2');
    expect(at(irv({ kind: 'value', value: ['a', null], type: 'string', isArray: true }), 'VALUE.ARRAY').children.map((c) => c.name)).to.deep.equal(['VALUE', 'VALUE.NULL']);
    expect(at(irv({ kind: 'value', value: vmName(), type: 'reference', isArray: false }), 'VALUE.REFERENCE/INSTANCENAME').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
    const emb = at(irv({ kind: 'value', value: settingsInstance(), type: 'string', isArray: false, embeddedObject: 'instance' }), 'VALUE').text;
    expect((parseEmbeddedObject(emb) as CimInstance).className).to.equal('Xen_VirtualSystemSettingData');
  });

  it('pull: IRETURNVALUE then EndOfSequence and EnumerationContext', () => {
    const open = respond({ kind: 'pull', items: 'instancesWithPath', instances: [vmInstance('a', 'root/virt')], paths: [], endOfSequence: false, context: 'ctx-1' }, ALL, 'OpenEnumerateInstances').rsp;
    expect(open.children.map((c) => c.name)).to.deep.equal(['IRETURNVALUE', 'PARAMVALUE', 'PARAMVALUE']);
    expect(at(open, 'IRETURNVALUE/VALUE.INSTANCEWITHPATH').children.map((c) => c.name)).to.deep.equal(['INSTANCEPATH', 'INSTANCE']);
    const [eos, ctx] = all(open, 'PARAMVALUE');
    expect(eos!.attrs).to.deep.equal({ NAME: 'EndOfSequence', PARAMTYPE: 'boolean' });
    expect(at(eos!, 'VALUE').text).to.equal('FALSE');
    expect(ctx!.attrs).to.deep.equal({ NAME: 'EnumerationContext', PARAMTYPE: 'string' });
    expect(at(ctx!, 'VALUE').text).to.equal('ctx-1');
    const { xml, rsp } = respond({ kind: 'pull', items: 'instancePaths', instances: [], paths: [], endOfSequence: true, context: 'ignored' }, ALL, 'PullInstancePaths');
    expect(xml).to.contain('<IRETURNVALUE></IRETURNVALUE>');
    expect(at(all(rsp, 'PARAMVALUE')[0]!, 'VALUE').text).to.equal('TRUE');
    expect(at(all(rsp, 'PARAMVALUE')[1]!, 'VALUE').text).to.equal('');
    const paths = respond({ kind: 'pull', items: 'instancePaths', instances: [], paths: [vmName('a', 'root/virt')], endOfSequence: true, context: '' }).rsp;
    expect(at(paths, 'IRETURNVALUE/INSTANCEPATH/INSTANCENAME').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
    const insts = respond({ kind: 'pull', items: 'instances', instances: [vmInstance()], paths: [], endOfSequence: true, context: '' }).rsp;
    expect(at(insts, 'IRETURNVALUE/INSTANCE').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
  });

  it('EnumerationCount', () => {
    expect(at(irv({ kind: 'count', value: 12 }), 'VALUE').text).to.equal('12');
    expect(irv({ kind: 'count', value: null }).children).to.deep.equal([]);
  });
});

describe('cimxml encode: extrinsic responses', () => {
  it('RETURNVALUE and OUT parameters, always with PARAMTYPE', () => {
    const xml = encodeExtrinsicResponse('1001', 'DefineSystem', {
      returnType: 'uint32',
      returnValue: 4096,
      out: [
        { name: 'Job', type: 'reference', isArray: false, value: vmName('job', 'root/virt') },
        { name: 'ResultingResourceSettings', type: 'reference', isArray: true, value: [vmName('r1', 'root/virt'), null] },
        { name: 'Settings', type: 'string', isArray: false, value: settingsInstance(), embeddedObject: 'instance' },
        { name: 'Names', type: 'string', isArray: true, value: ['a', null] },
        { name: 'Nothing', type: 'uint16', isArray: false, value: null },
      ],
    });
    expect(xml).to.not.match(NO_SELF_CLOSE);
    const rsp = at(parseBack(xml), 'MESSAGE/SIMPLERSP/METHODRESPONSE');
    expect(rsp.attrs['NAME']).to.equal('DefineSystem');
    expect(at(rsp, 'RETURNVALUE').attrs).to.deep.equal({ PARAMTYPE: 'uint32' });
    expect(at(rsp, 'RETURNVALUE/VALUE').text).to.equal('4096');
    const pv = Object.fromEntries(all(rsp, 'PARAMVALUE').map((p) => [p.attrs['NAME'], p]));
    expect(pv['Job']!.attrs).to.deep.equal({ NAME: 'Job', PARAMTYPE: 'reference' });
    expect(at(pv['Job']!, 'VALUE.REFERENCE/LOCALINSTANCEPATH/INSTANCENAME').attrs['CLASSNAME']).to.equal('Xen_ComputerSystem');
    expect(at(pv['ResultingResourceSettings']!, 'VALUE.REFARRAY').children.map((c) => c.name)).to.deep.equal(['VALUE.REFERENCE', 'VALUE.NULL']);
    expect(pv['Settings']!.attrs).to.deep.equal({ NAME: 'Settings', PARAMTYPE: 'string', EmbeddedObject: 'instance' });
    expect((parseEmbeddedObject(at(pv['Settings']!, 'VALUE').text) as CimInstance).get('VirtualQuantity')).to.equal(2);
    expect(at(pv['Names']!, 'VALUE.ARRAY').children).to.have.length(2);
    expect(pv['Nothing']!.children).to.deep.equal([]);
    expect(xml).to.contain('<PARAMVALUE NAME="Nothing" PARAMTYPE="uint16"></PARAMVALUE>');
  });

  it('a plain ReturnValue of 0', () => {
    const xml = encodeExtrinsicResponse('4711', 'RequestStateChange', { returnType: 'uint32', returnValue: 0, out: [] });
    expect(xml).to.contain('<METHODRESPONSE NAME="RequestStateChange"><RETURNVALUE PARAMTYPE="uint32"><VALUE>0</VALUE></RETURNVALUE></METHODRESPONSE>');
  });
});

describe('cimxml encode: chunking', () => {
  it('yields ~64 KiB chunks that join to the whole response', () => {
    const instances = Array.from({ length: 600 }, (_, i) => vmInstance(`vm${i}`));
    const chunks = [...encodeIntrinsicResponse('1', 'EnumerateInstances', { result: { kind: 'namedInstances', instances }, flags: ALL })];
    expect(chunks.length).to.be.greaterThan(3);
    for (const c of chunks.slice(0, -1)) expect(c.length).to.be.within(CHUNK_SIZE, CHUNK_SIZE + 16 * 1024);
    const whole = chunks.join('');
    expect(all(at(parseBack(whole), 'MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE'), 'VALUE.NAMEDINSTANCE')).to.have.length(600);
  });


});

/**
 * sblim wbemcli 1.6.3 refuses a whole response when an element carries an attribute its parser
 * does not list, or one attribute twice (names compared case-insensitively): these are its
 * lists for the elements that can carry EmbeddedObject.
 */
const WBEMCLI_ATTRS: Record<string, string[]> = {
  PROPERTY: ['NAME', 'TYPE', 'CLASSORIGIN', 'PROPAGATED', 'EMBEDDEDOBJECT'],
  'PROPERTY.ARRAY': ['NAME', 'TYPE', 'CLASSORIGIN', 'PROPAGATED', 'ARRAYSIZE'],
  'PROPERTY.REFERENCE': ['NAME', 'REFERENCECLASS', 'CLASSORIGIN', 'PROPAGATED'],
  PARAMVALUE: ['NAME', 'PARAMTYPE', 'EMBEDDEDOBJECT'],
  RETURNVALUE: ['PARAMTYPE'],
};

function wbemcliAttributeFaults(xml: string): string[] {
  const faults: string[] = [];
  for (const m of xml.matchAll(/<([A-Z.]+)((?:\s+[A-Za-z]+="[^"]*")*)\s*>/g)) {
    const allowed = WBEMCLI_ATTRS[m[1]!];
    if (!allowed) continue;
    const names = [...m[2]!.matchAll(/([A-Za-z]+)=/g)].map((a) => a[1]!.toUpperCase());
    for (const n of names) if (!allowed.includes(n)) faults.push(`${m[1]} ${n}`);
    if (new Set(names).size !== names.length) faults.push(`${m[1]} repeats an attribute: ${m[0]}`);
  }
  return faults;
}

describe('cimxml encode: embedded objects as sblim wbemcli reads them', () => {
  function embeddedInstance(): CimInstance {
    const inst = new CimInstance('Xen_ConcreteJob');
    inst.properties.set('InstanceID', new CimProperty('InstanceID', 'string', 'j1'));
    for (const [name, value] of [['JobInParameters', null], ['JobOutParameters', settingsInstance()]] as const) {
      inst.properties.set(name, Object.assign(new CimProperty(name, 'string', value), { embeddedObject: 'object' as const }));
    }
    const list = new CimProperty('Errors', 'string', [settingsInstance(), null], true);
    list.embeddedObject = 'instance';
    inst.properties.set('Errors', list);
    inst.properties.set('NoErrors', Object.assign(new CimProperty('NoErrors', 'string', null, true), { embeddedObject: 'instance' as const }));
    return inst;
  }

  it('a NULL or set embedded property carries EmbeddedObject once; arrays carry none', () => {
    const named = ['InstanceID', 'JobInParameters', 'JobOutParameters', 'Errors', 'NoErrors'];
    const inst = at(irv({ kind: 'instance', instance: embeddedInstance() }, flags({ includeClassOrigin: true, props: named })), 'INSTANCE');
    const p = props(inst);
    expect(p['JobInParameters']!.attrs).to.deep.equal({ NAME: 'JobInParameters', TYPE: 'string', EmbeddedObject: 'object' });
    expect(p['JobInParameters']!.children).to.deep.equal([]);
    expect(p['JobOutParameters']!.attrs).to.deep.equal({ NAME: 'JobOutParameters', TYPE: 'string', EmbeddedObject: 'object' });
    expect((parseEmbeddedObject(at(p['JobOutParameters']!, 'VALUE').text) as CimInstance).className).to.equal('Xen_VirtualSystemSettingData');
    expect(p['Errors']!.attrs).to.deep.equal({ NAME: 'Errors', TYPE: 'string' });
    expect(at(p['Errors']!, 'VALUE.ARRAY').children.map((c) => c.name)).to.deep.equal(['VALUE', 'VALUE.NULL']);
    expect(p['NoErrors']!.attrs).to.deep.equal({ NAME: 'NoErrors', TYPE: 'string' });
  });

  it('instances, classes and method responses use only the attributes wbemcli accepts, each once', () => {
    const xmls = [
      encodeIntrinsicResponseText('1', 'GetInstance', { result: { kind: 'instance', instance: embeddedInstance() }, flags: flags({ includeClassOrigin: true, props: ['JobInParameters', 'JobOutParameters', 'Errors', 'NoErrors'] }) }),
      encodeIntrinsicResponseText('1', 'GetInstance', { result: { kind: 'instance', instance: vmInstance() }, flags: ALL }),
      encodeIntrinsicResponseText('1', 'GetClass', { result: { kind: 'class', cls: vmClass() }, flags: ALL }),
      encodeExtrinsicResponse('1', 'GetError', {
        returnType: 'uint32', returnValue: 0,
        out: [
          { name: 'Error', type: 'string', isArray: false, value: settingsInstance(), embeddedObject: 'instance' },
          { name: 'Errors', type: 'string', isArray: true, value: [settingsInstance()], embeddedObject: 'instance' },
        ],
      }),
      encodeExtrinsicResponse('1', 'Odd', { returnType: 'string', returnValue: settingsInstance(), out: [] }),
    ];
    for (const xml of xmls) expect(wbemcliAttributeFaults(xml)).to.deep.equal([]);
    expect(xmls[0]).to.contain('EmbeddedObject="object"');
  });
});
