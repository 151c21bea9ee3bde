/** Every request element form of DSP0201 2.4 a client can send, decoded. */
import { expect } from 'chai';
import {
  CimClass, CimDateTime, CimError, CimInstance, CimInstanceName, CimQualifierDeclaration,
  type CimRequest, type ExtrinsicRequest, type IntrinsicRequest, type ParamValue,
} from '../../src/cim/index.js';
import {
  CimXmlRequestError, decodeRequest, isUntypedProperty, parseEmbeddedObject,
} from '../../src/cimxml/index.js';
import { LNS, VM_NAME_XML, envelope, imethodcall, methodcall, xmlEscape } from './helpers.js';

function ip(xml: string, name: string): ParamValue {
  const r = decodeRequest(xml) as IntrinsicRequest;
  expect(r.kind).to.equal('intrinsic');
  return r.params.get(name)!;
}

function pv(xml: string, name: string): ParamValue {
  const r = decodeRequest(xml) as ExtrinsicRequest;
  expect(r.kind).to.equal('extrinsic');
  return r.params.find((p) => p.name === name)!;
}

function requestError(f: () => CimRequest): CimXmlRequestError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(CimXmlRequestError);
    return e as CimXmlRequestError;
  }
  throw new Error('expected a CimXmlRequestError');
}

const SETTINGS = '<INSTANCE CLASSNAME="Xen_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>vm2</VALUE></PROPERTY></INSTANCE>';

describe('cimxml decode: IMETHODCALL and IPARAMVALUE forms', () => {
  it('reads the envelope and the namespace path', () => {
    const r = decodeRequest(imethodcall('EnumerateClassNames', '')) as IntrinsicRequest;
    expect(r).to.include({ kind: 'intrinsic', messageId: '42', protocolVersion: '1.0', namespace: 'root/virt', method: 'EnumerateClassNames' });
    expect(r.params.size).to.equal(0);
  });

  it('joins a single NAMESPACE holding slashes, and ignores CORRELATORs', () => {
    const xml = envelope('<CORRELATOR NAME="c" TYPE="string"><VALUE>x</VALUE></CORRELATOR><IMETHODCALL NAME="GetClass"><LOCALNAMESPACEPATH><NAMESPACE NAME="root/interop"/></LOCALNAMESPACEPATH></IMETHODCALL>');
    expect(decodeRequest(xml).namespace).to.equal('root/interop');
  });

  it('VALUE: untyped text, whitespace kept, references decoded', () => {
    const p = ip(imethodcall('ExecQuery', '<IPARAMVALUE NAME="Query"><VALUE>  SELECT * FROM X WHERE a &#61; &#x27;b&#39; &amp;&lt;&gt;\n</VALUE></IPARAMVALUE>'), 'Query');
    expect(p.value).to.equal("  SELECT * FROM X WHERE a = 'b' &<>\n");
    expect(p.untyped).to.equal(true);
  });

  it('VALUE in CDATA is taken literally', () => {
    const p = ip(imethodcall('ExecQuery', '<IPARAMVALUE NAME="Query"><VALUE><![CDATA[a < b &amp; c]]></VALUE></IPARAMVALUE>'), 'Query');
    expect(p.value).to.equal('a < b &amp; c');
  });

  it('VALUE.ARRAY with VALUE.NULL', () => {
    const p = ip(imethodcall('GetInstance', '<IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>A</VALUE><VALUE.NULL/><VALUE></VALUE></VALUE.ARRAY></IPARAMVALUE>'), 'PropertyList');
    expect(p.value).to.deep.equal(['A', null, '']);
    expect(p.isArray).to.equal(true);
    expect(p.untyped).to.equal(true);
  });

  it('empty IPARAMVALUE is NULL; an empty VALUE.ARRAY is an empty array', () => {
    const p = ip(imethodcall('GetInstance', '<IPARAMVALUE NAME="PropertyList"/>'), 'PropertyList');
    expect(p.value).to.equal(null);
    const e = ip(imethodcall('GetInstance', '<IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY/></IPARAMVALUE>'), 'PropertyList');
    expect(e.value).to.deep.equal([]);
  });

  it('CLASSNAME and INSTANCENAME', () => {
    const xml = imethodcall('Associators', `<IPARAMVALUE NAME="ObjectName">${VM_NAME_XML}</IPARAMVALUE><IPARAMVALUE NAME="AssocClass"><CLASSNAME NAME="CIM_SystemDevice"/></IPARAMVALUE>`);
    const r = decodeRequest(xml) as IntrinsicRequest;
    expect(r.params.get('AssocClass')!.value).to.deep.equal({ kind: 'className', className: 'CIM_SystemDevice' });
    const on = r.params.get('objectname')!;
    expect(on.type).to.equal('reference');
    expect((on.value as CimInstanceName).keyString('Name')).to.equal('vm1');
  });

  it('VALUE.REFERENCE (SetProperty NewValue)', () => {
    const p = ip(imethodcall('SetProperty', `<IPARAMVALUE NAME="NewValue"><VALUE.REFERENCE><LOCALINSTANCEPATH>${LNS}${VM_NAME_XML}</LOCALINSTANCEPATH></VALUE.REFERENCE></IPARAMVALUE>`), 'NewValue');
    expect(p.type).to.equal('reference');
    expect((p.value as CimInstanceName).namespace).to.equal('root/virt');
  });

  it('INSTANCE (CreateInstance NewInstance) with every property form', () => {
    const inst =
      '<INSTANCE CLASSNAME="Xen_Disk"><QUALIFIER NAME="Description" TYPE="string"><VALUE>d</VALUE></QUALIFIER>' +
      '<PROPERTY NAME="DeviceID" TYPE="string"><VALUE>xvda</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Untyped"><VALUE>17</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Nothing" TYPE="uint32"></PROPERTY>' +
      '<PROPERTY.ARRAY NAME="Codes" TYPE="uint16" ARRAYSIZE="3"><VALUE.ARRAY><VALUE>1</VALUE><VALUE.NULL/><VALUE>3</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '<PROPERTY.ARRAY NAME="NullArray" TYPE="string"></PROPERTY.ARRAY>' +
      `<PROPERTY.REFERENCE NAME="System" REFERENCECLASS="CIM_System"><VALUE.REFERENCE>${VM_NAME_XML}</VALUE.REFERENCE></PROPERTY.REFERENCE>` +
      '</INSTANCE>';
    const p = ip(imethodcall('CreateInstance', `<IPARAMVALUE NAME="NewInstance">${inst}</IPARAMVALUE>`), 'NewInstance');
    expect(p.type).to.equal('instance');
    const i = p.value as CimInstance;
    expect(i).to.be.instanceOf(CimInstance);
    expect(i.qualifiers!.get('Description')!.value).to.equal('d');
    expect(i.get('DeviceID')).to.equal('xvda');
    const untyped = i.properties.get('Untyped')!;
    expect(untyped.value).to.equal('17');
    expect(isUntypedProperty(untyped)).to.equal(true);
    expect(isUntypedProperty(i.properties.get('DeviceID')!)).to.equal(false);
    expect(i.get('Nothing')).to.equal(null);
    const codes = i.properties.get('Codes')!;
    expect(codes.isArray).to.equal(true);
    expect(codes.arraySize).to.equal(3);
    expect(codes.value).to.deep.equal([1, null, 3]);
    expect(i.get('NullArray')).to.equal(null);
    const sys = i.properties.get('System')!;
    expect(sys.type).to.equal('reference');
    expect(sys.referenceClass).to.equal('CIM_System');
    expect((sys.value as CimInstanceName).className).to.equal('Xen_ComputerSystem');
  });

  it('VALUE.NAMEDINSTANCE (ModifyInstance ModifiedInstance)', () => {
    const xml = imethodcall('ModifyInstance', `<IPARAMVALUE NAME="ModifiedInstance"><VALUE.NAMEDINSTANCE>${VM_NAME_XML}<INSTANCE CLASSNAME="Xen_ComputerSystem"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>new</VALUE></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE></IPARAMVALUE>`);
    const i = ip(xml, 'ModifiedInstance').value as CimInstance;
    expect(i.get('ElementName')).to.equal('new');
    expect(i.path!.keyString('Name')).to.equal('vm1');
  });

  it('CLASS (CreateClass) with qualifiers, properties and every parameter form', () => {
    const cls =
      '<CLASS NAME="Xen_Foo" SUPERCLASS="CIM_ManagedElement">' +
      '<QUALIFIER NAME="Abstract" TYPE="boolean" TOSUBCLASS="false"><VALUE>true</VALUE></QUALIFIER>' +
      '<PROPERTY NAME="Name" TYPE="string" CLASSORIGIN="Xen_Foo"><QUALIFIER NAME="Key" TYPE="boolean" OVERRIDABLE="false"><VALUE>TRUE</VALUE></QUALIFIER></PROPERTY>' +
      '<PROPERTY NAME="Count" TYPE="uint32" PROPAGATED="true"><VALUE>5</VALUE></PROPERTY>' +
      '<PROPERTY.ARRAY NAME="Tags" TYPE="string"><QUALIFIER NAME="ArrayType" TYPE="string"><VALUE>Indexed</VALUE></QUALIFIER></PROPERTY.ARRAY>' +
      '<PROPERTY.REFERENCE NAME="Owner" REFERENCECLASS="CIM_System"></PROPERTY.REFERENCE>' +
      '<PROPERTY NAME="Settings" TYPE="string" EmbeddedObject="object"></PROPERTY>' +
      '<METHOD NAME="Go" TYPE="uint32"><QUALIFIER NAME="ValueMap" TYPE="string"><VALUE.ARRAY><VALUE>0</VALUE><VALUE>1</VALUE></VALUE.ARRAY></QUALIFIER>' +
      '<PARAMETER NAME="Speed" TYPE="uint16"><QUALIFIER NAME="In" TYPE="boolean"><VALUE>true</VALUE></QUALIFIER></PARAMETER>' +
      '<PARAMETER.ARRAY NAME="Names" TYPE="string" ARRAYSIZE="2"></PARAMETER.ARRAY>' +
      '<PARAMETER.REFERENCE NAME="Job" REFERENCECLASS="CIM_ConcreteJob"><QUALIFIER NAME="Out" TYPE="boolean"><VALUE>true</VALUE></QUALIFIER></PARAMETER.REFERENCE>' +
      '<PARAMETER.REFARRAY NAME="Settings" REFERENCECLASS="CIM_SettingData"></PARAMETER.REFARRAY>' +
      '</METHOD></CLASS>';
    const p = ip(imethodcall('CreateClass', `<IPARAMVALUE NAME="NewClass">${cls}</IPARAMVALUE>`), 'NewClass');
    const c = p.value as CimClass;
    expect(c).to.be.instanceOf(CimClass);
    expect(c.superClass).to.equal('CIM_ManagedElement');
    expect(c.isAbstract).to.equal(true);
    expect(c.qualifiers.get('Abstract')!.flavor.toSubclass).to.equal(false);
    expect(c.keyNames).to.deep.equal(['Name']);
    expect(c.properties.get('Name')!.qualifiers.get('Key')!.flavor.overridable).to.equal(false);
    expect(c.properties.get('Name')!.classOrigin).to.equal('Xen_Foo');
    expect(c.properties.get('Count')!.propagated).to.equal(true);
    expect(c.properties.get('Count')!.value).to.equal(5);
    expect(c.properties.get('Tags')!.isArray).to.equal(true);
    expect(c.properties.get('Owner')!.referenceClass).to.equal('CIM_System');
    expect(c.properties.get('Settings')!.embeddedObject).to.equal('object');
    const m = c.methods.get('go')!;
    expect(m.returnType).to.equal('uint32');
    expect(m.qualifiers.get('ValueMap')!.value).to.deep.equal(['0', '1']);
    expect(m.parameters.names()).to.deep.equal(['Speed', 'Names', 'Job', 'Settings']);
    expect(m.parameters.get('Speed')!.type).to.equal('uint16');
    expect(m.parameters.get('Names')!).to.include({ isArray: true, arraySize: 2 });
    expect(m.parameters.get('Job')!).to.include({ type: 'reference', isArray: false, referenceClass: 'CIM_ConcreteJob' });
    expect(m.parameters.get('Job')!.isOut).to.equal(true);
    expect(m.parameters.get('Settings')!).to.include({ type: 'reference', isArray: true });
  });

  it('QUALIFIER.DECLARATION with SCOPE (SetQualifier)', () => {
    const d = '<QUALIFIER.DECLARATION NAME="MaxLen" TYPE="uint32" ISARRAY="false" TOSUBCLASS="true" OVERRIDABLE="true"><SCOPE PROPERTY="true" METHOD="true" PARAMETER="true"></SCOPE><VALUE>256</VALUE></QUALIFIER.DECLARATION>';
    const p = ip(imethodcall('SetQualifier', `<IPARAMVALUE NAME="QualifierDeclaration">${d}</IPARAMVALUE>`), 'QualifierDeclaration');
    const q = p.value as CimQualifierDeclaration;
    expect(q).to.be.instanceOf(CimQualifierDeclaration);
    expect(q).to.include({ name: 'MaxLen', type: 'uint32', value: 256, isArray: false });
    expect(q.scopes).to.deep.equal(['property', 'method', 'parameter']);
    const all = '<QUALIFIER.DECLARATION NAME="Description" TYPE="string" ISARRAY="false" TRANSLATABLE="true"><SCOPE CLASS="true" ASSOCIATION="true" REFERENCE="true" PROPERTY="true" METHOD="true" PARAMETER="true" INDICATION="true"/></QUALIFIER.DECLARATION>';
    const q2 = ip(imethodcall('SetQualifier', `<IPARAMVALUE NAME="QualifierDeclaration">${all}</IPARAMVALUE>`), 'QualifierDeclaration').value as CimQualifierDeclaration;
    expect(q2.scopes).to.deep.equal(['any']);
    expect(q2.flavor.translatable).to.equal(true);
    const arr = '<QUALIFIER.DECLARATION NAME="ValueMap" TYPE="string" ISARRAY="true"><VALUE.ARRAY><VALUE>a</VALUE></VALUE.ARRAY></QUALIFIER.DECLARATION>';
    const q3 = ip(imethodcall('SetQualifier', `<IPARAMVALUE NAME="QualifierDeclaration">${arr}</IPARAMVALUE>`), 'QualifierDeclaration').value as CimQualifierDeclaration;
    expect(q3).to.include({ isArray: true });
    expect(q3.value).to.deep.equal(['a']);
  });
});

describe('cimxml decode: METHODCALL and PARAMVALUE forms', () => {
  it('types VALUE per PARAMTYPE', () => {
    const xml = methodcall(
      'M',
      '<PARAMVALUE NAME="B" PARAMTYPE="boolean"><VALUE>true</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="Big" PARAMTYPE="uint64"><VALUE>18446744073709551615</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="Neg" PARAMTYPE="sint8"><VALUE>-128</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="R" PARAMTYPE="real32"><VALUE>-INF</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="D" PARAMTYPE="datetime"><VALUE>20240131154500.000000+060</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="C" PARAMTYPE="char16"><VALUE> </VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="S" PARAMTYPE="string"><VALUE> keep </VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="A" PARAMTYPE="uint16"><VALUE.ARRAY><VALUE>2</VALUE><VALUE.NULL/></VALUE.ARRAY></PARAMVALUE>' +
        '<PARAMVALUE NAME="T" TYPE="uint8"><VALUE>7</VALUE></PARAMVALUE>' +
        '<PARAMVALUE NAME="N" PARAMTYPE="uint32"></PARAMVALUE>',
    );
    const r = decodeRequest(xml) as ExtrinsicRequest;
    const v = Object.fromEntries(r.params.map((p) => [p.name, p.value]));
    expect(v['B']).to.equal(true);
    expect(v['Big']).to.equal(18446744073709551615n);
    expect(v['Neg']).to.equal(-128);
    expect(v['R']).to.equal(-Infinity);
    expect(v['D']).to.be.instanceOf(CimDateTime);
    expect(String(v['D'])).to.equal('20240131154500.000000+060');
    expect(v['C']).to.equal(' ');
    expect(v['S']).to.equal(' keep ');
    expect(v['A']).to.deep.equal([2, null]);
    expect(v['T']).to.equal(7);
    expect(v['N']).to.equal(null);
    expect(r.params.find((p) => p.name === 'A')!).to.include({ isArray: true, type: 'uint16' });
    expect(r.params.find((p) => p.name === 'N')!.untyped).to.equal(undefined);
    expect(r.params.every((p) => p.untyped === undefined)).to.equal(true);
  });

  it('an empty PARAMVALUE without PARAMTYPE is NULL and untyped', () => {
    const p = pv(methodcall('M', '<PARAMVALUE NAME="X"/>'), 'X');
    expect(p.value).to.equal(null);
    expect(p.untyped).to.equal(true);
  });

  it('VALUE.REFERENCE and VALUE.REFARRAY', () => {
    const ref = `<VALUE.REFERENCE>${VM_NAME_XML}</VALUE.REFERENCE>`;
    const xml = methodcall(
      'RemoveResourceSettings',
      `<PARAMVALUE NAME="One" PARAMTYPE="reference">${ref}</PARAMVALUE><PARAMVALUE NAME="ResourceSettings"><VALUE.REFARRAY>${ref}<VALUE.NULL/>${ref}</VALUE.REFARRAY></PARAMVALUE>`,
    );
    expect(pv(xml, 'One').value).to.be.instanceOf(CimInstanceName);
    const arr = pv(xml, 'ResourceSettings');
    expect(arr).to.include({ type: 'reference', isArray: true });
    expect((arr.value as unknown[]).map((x) => (x === null ? null : (x as CimInstanceName).keyString('Name')))).to.deep.equal(['vm1', null, 'vm1']);
  });

  it('CLASSNAME, INSTANCENAME, CLASS, INSTANCE and VALUE.NAMEDINSTANCE children', () => {
    const xml = methodcall(
      'M',
      '<PARAMVALUE NAME="Cn"><CLASSNAME NAME="X"/></PARAMVALUE>' +
        `<PARAMVALUE NAME="In">${VM_NAME_XML}</PARAMVALUE>` +
        '<PARAMVALUE NAME="Cl" PARAMTYPE="object"><CLASS NAME="Y"></CLASS></PARAMVALUE>' +
        `<PARAMVALUE NAME="Inst" PARAMTYPE="instance">${SETTINGS}</PARAMVALUE>` +
        `<PARAMVALUE NAME="Named"><VALUE.NAMEDINSTANCE>${VM_NAME_XML}<INSTANCE CLASSNAME="Xen_ComputerSystem"></INSTANCE></VALUE.NAMEDINSTANCE></PARAMVALUE>`,
    );
    const r = decodeRequest(xml) as ExtrinsicRequest;
    const by = (n: string) => r.params.find((p) => p.name === n)!;
    expect(by('Cn').value).to.deep.equal({ kind: 'className', className: 'X' });
    expect(by('In')).to.include({ type: 'reference' });
    expect(by('Cl').value).to.be.instanceOf(CimClass);
    expect(by('Cl')).to.include({ type: 'object', embeddedObject: 'object' });
    expect((by('Inst').value as CimInstance).get('ElementName')).to.equal('vm2');
    expect(by('Inst')).to.include({ type: 'instance', embeddedObject: 'instance' });
    expect((by('Named').value as CimInstance).path!.keyString('Name')).to.equal('vm1');
  });

  it('embedded instances: escaped text, CDATA, legacy EMBEDDEDOBJECT, PARAMTYPE="instance", arrays', () => {
    const xml = methodcall(
      'DefineSystem',
      `<PARAMVALUE NAME="A" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>${xmlEscape(SETTINGS)}</VALUE></PARAMVALUE>` +
        `<PARAMVALUE NAME="B" PARAMTYPE="string" EmbeddedObject="instance"><VALUE><![CDATA[${SETTINGS}]]></VALUE></PARAMVALUE>` +
        `<PARAMVALUE NAME="C" PARAMTYPE="string" EMBEDDEDOBJECT="instance"><VALUE>${xmlEscape(SETTINGS)}</VALUE></PARAMVALUE>` +
        `<PARAMVALUE NAME="D" PARAMTYPE="instance"><VALUE>${xmlEscape(SETTINGS)}</VALUE></PARAMVALUE>` +
        `<PARAMVALUE NAME="E" PARAMTYPE="string" EmbeddedObject="instance"><VALUE.ARRAY><VALUE>${xmlEscape(SETTINGS)}</VALUE><VALUE.NULL/></VALUE.ARRAY></PARAMVALUE>` +
        `<PARAMVALUE NAME="F" PARAMTYPE="string" EmbeddedObject="object"><VALUE>${xmlEscape('<CLASS NAME="Z"></CLASS>')}</VALUE></PARAMVALUE>`,
    );
    const r = decodeRequest(xml) as ExtrinsicRequest;
    for (const n of ['A', 'B', 'C', 'D']) {
      const p = r.params.find((x) => x.name === n)!;
      expect(p.embeddedObject, n).to.equal('instance');
      expect((p.value as CimInstance).get('ElementName'), n).to.equal('vm2');
    }
    const e = r.params.find((x) => x.name === 'E')!;
    expect((e.value as unknown[])[1]).to.equal(null);
    expect((e.value as CimInstance[])[0]!.className).to.equal('Xen_VirtualSystemSettingData');
    const f = r.params.find((x) => x.name === 'F')!;
    expect(f.value).to.be.instanceOf(CimClass);
    expect(f.embeddedObject).to.equal('object');
  });

  it('an embedded instance property inside an embedded instance', () => {
    const inner = '<INSTANCE CLASSNAME="Inner"><PROPERTY NAME="V" TYPE="uint8"><VALUE>1</VALUE></PROPERTY></INSTANCE>';
    const outer = `<INSTANCE CLASSNAME="Outer"><PROPERTY NAME="Nested" TYPE="string" EmbeddedObject="instance"><VALUE>${xmlEscape(inner)}</VALUE></PROPERTY></INSTANCE>`;
    const p = pv(methodcall('M', `<PARAMVALUE NAME="X" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>${xmlEscape(outer)}</VALUE></PARAMVALUE>`), 'X');
    const o = p.value as CimInstance;
    expect(o.properties.get('Nested')!.embeddedObject).to.equal('instance');
    expect((o.get('Nested') as CimInstance).get('V')).to.equal(1);
  });

  it('a static method on LOCALCLASSPATH', () => {
    const xml = methodcall('Create', '', `<LOCALCLASSPATH>${LNS}<CLASSNAME NAME="Xen_Factory"/></LOCALCLASSPATH>`);
    const r = decodeRequest(xml) as ExtrinsicRequest;
    expect(r.target).to.deep.equal({ kind: 'className', className: 'Xen_Factory', namespace: 'root/virt' });
    expect(r.namespace).to.equal('root/virt');
  });
});

describe('cimxml decode: INSTANCENAME and VALUE.REFERENCE forms', () => {
  const nameParam = (inner: string) => ip(imethodcall('GetInstance', `<IPARAMVALUE NAME="InstanceName">${inner}</IPARAMVALUE>`), 'InstanceName').value as CimInstanceName;

  it('KEYVALUE by VALUETYPE and TYPE', () => {
    const n = nameParam(
      '<INSTANCENAME CLASSNAME="X">' +
        '<KEYBINDING NAME="S"><KEYVALUE>plain</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="B"><KEYVALUE VALUETYPE="boolean">TRUE</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="N"><KEYVALUE VALUETYPE="numeric">42</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="Big"><KEYVALUE VALUETYPE="numeric">-9223372036854775808</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="R"><KEYVALUE VALUETYPE="numeric">1.5</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="T"><KEYVALUE VALUETYPE="numeric" TYPE="uint16">7</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="Dt"><KEYVALUE VALUETYPE="string" TYPE="datetime">00000000000500.000000:000</KEYVALUE></KEYBINDING>' +
        '</INSTANCENAME>',
    );
    const k = Object.fromEntries(n.keybindings.map((b) => [b.name, b]));
    expect(k['S']).to.deep.equal({ name: 'S', value: 'plain' });
    expect(k['B']!.value).to.equal(true);
    expect(k['N']!.value).to.equal(42);
    expect(k['Big']!.value).to.equal(-9223372036854775808n);
    expect(k['R']!.value).to.equal(1.5);
    expect(k['T']).to.deep.equal({ name: 'T', value: 7, type: 'uint16' });
    expect(k['Dt']!.value).to.be.instanceOf(CimDateTime);
  });

  it('a numeric KEYVALUE with a huge run of digits is not read as a huge BigInt (no CIM integer has more than 20 digits)', () => {
    const digits = '9'.repeat(200_000);
    const n = nameParam(`<INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="N"><KEYVALUE VALUETYPE="numeric">${digits}</KEYVALUE></KEYBINDING></INSTANCENAME>`);
    const v = n.keybindings[0]!.value;
    // A 200 000-digit BigInt costs time to build and far more to print in an error message.
    expect(typeof v).to.equal('number');
    expect(v).to.equal(Infinity);
    // 20 digits and a few leading zeros stay exact.
    const m = nameParam('<INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="N"><KEYVALUE VALUETYPE="numeric">00018446744073709551615</KEYVALUE></KEYBINDING></INSTANCENAME>');
    expect(m.keybindings[0]!.value).to.equal(18446744073709551615n);
  });

  it('the single unnamed key shorthand: bare KEYVALUE or VALUE.REFERENCE', () => {
    const a = nameParam('<INSTANCENAME CLASSNAME="X"><KEYVALUE VALUETYPE="string">only</KEYVALUE></INSTANCENAME>');
    expect(a.keybindings).to.deep.equal([{ name: '', value: 'only' }]);
    const b = nameParam(`<INSTANCENAME CLASSNAME="X"><VALUE.REFERENCE>${VM_NAME_XML}</VALUE.REFERENCE></INSTANCENAME>`);
    expect(b.keybindings[0]!.name).to.equal('');
    expect(b.keybindings[0]!.value).to.be.instanceOf(CimInstanceName);
  });

  it('a reference key (association instance names)', () => {
    const n = nameParam(`<INSTANCENAME CLASSNAME="Xen_SystemDevice"><KEYBINDING NAME="GroupComponent"><VALUE.REFERENCE><LOCALINSTANCEPATH>${LNS}${VM_NAME_XML}</LOCALINSTANCEPATH></VALUE.REFERENCE></KEYBINDING></INSTANCENAME>`);
    const k = n.keybindings[0]!;
    expect(k.type).to.equal('reference');
    expect((k.value as CimInstanceName).namespace).to.equal('root/virt');
  });

  it('all six VALUE.REFERENCE forms', () => {
    const nsp = `<NAMESPACEPATH><HOST> h1 </HOST>${LNS}</NAMESPACEPATH>`;
    const forms: [string, object][] = [
      [VM_NAME_XML, { className: 'Xen_ComputerSystem' }],
      [`<LOCALINSTANCEPATH>${LNS}${VM_NAME_XML}</LOCALINSTANCEPATH>`, { className: 'Xen_ComputerSystem', namespace: 'root/virt' }],
      [`<INSTANCEPATH>${nsp}${VM_NAME_XML}</INSTANCEPATH>`, { className: 'Xen_ComputerSystem', namespace: 'root/virt', host: 'h1' }],
      ['<CLASSNAME NAME="C"/>', { kind: 'className', className: 'C' }],
      [`<LOCALCLASSPATH>${LNS}<CLASSNAME NAME="C"/></LOCALCLASSPATH>`, { kind: 'className', className: 'C', namespace: 'root/virt' }],
      [`<CLASSPATH>${nsp}<CLASSNAME NAME="C"/></CLASSPATH>`, { kind: 'className', className: 'C', namespace: 'root/virt', host: 'h1' }],
    ];
    for (const [xml, want] of forms) {
      const v = ip(imethodcall('SetProperty', `<IPARAMVALUE NAME="NewValue"><VALUE.REFERENCE>${xml}</VALUE.REFERENCE></IPARAMVALUE>`), 'NewValue').value;
      expect(v).to.include(want);
      if (!('kind' in want)) expect(v).to.be.instanceOf(CimInstanceName);
    }
  });
});

describe('cimxml decode: CIM-level errors keep the message ID and method', () => {
  it('a value that does not fit its PARAMTYPE', () => {
    const e = requestError(() => decodeRequest(methodcall('RequestStateChange', '<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>70000</VALUE></PARAMVALUE>')));
    expect(e).to.include({ messageId: '42', method: 'RequestStateChange', kind: 'extrinsic' });
    expect(e.cimError).to.be.instanceOf(CimError);
    expect(e.cimError.code).to.equal(4);
    expect(e.cimError.description).to.match(/RequestedState.*out of range for uint16/);
  });

  it('a typed KEYVALUE that is not its type', () => {
    const e = requestError(() => decodeRequest(imethodcall('GetInstance', '<IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="K"><KEYVALUE VALUETYPE="boolean">maybe</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE>')));
    expect(e).to.include({ kind: 'intrinsic', method: 'GetInstance' });
    expect(e.cimError.description).to.match(/key "K" of X/);
  });

  it('an embedded instance that is not XML, or not an INSTANCE', () => {
    const bad = requestError(() => decodeRequest(methodcall('DefineSystem', '<PARAMVALUE NAME="SystemSettings" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>instance of X { }</VALUE></PARAMVALUE>')));
    expect(bad.cimError.code).to.equal(4);
    expect(bad.cimError.description).to.match(/SystemSettings.*INSTANCE or a CLASS/);
    const cls = requestError(() => decodeRequest(methodcall('DefineSystem', `<PARAMVALUE NAME="S" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>${xmlEscape('<CLASS NAME="A"></CLASS>')}</VALUE></PARAMVALUE>`)));
    expect(cls.cimError.description).to.match(/is a CLASS/);
  });

  it('a parameter given twice', () => {
    const e = requestError(() => decodeRequest(imethodcall('GetClass', '<IPARAMVALUE NAME="LocalOnly"><VALUE>TRUE</VALUE></IPARAMVALUE><IPARAMVALUE NAME="localonly"><VALUE>FALSE</VALUE></IPARAMVALUE>')));
    expect(e.cimError.description).to.match(/given twice/);
  });
});

describe('cimxml parseEmbeddedObject', () => {
  it('returns an instance or a class', () => {
    expect(parseEmbeddedObject(SETTINGS)).to.be.instanceOf(CimInstance);
    expect(parseEmbeddedObject(`<?xml version="1.0"?>\n  ${SETTINGS}\n`)).to.be.instanceOf(CimInstance);
    expect(parseEmbeddedObject('<CLASS NAME="A"><PROPERTY NAME="p" TYPE="string"></PROPERTY></CLASS>')).to.be.instanceOf(CimClass);
  });

  it('refuses anything else with CIM_ERR_INVALID_PARAMETER and a clear description', () => {
    const cases: [string, RegExp][] = [
      ['', /INSTANCE or a CLASS/],
      ['vm2', /INSTANCE or a CLASS, got "vm2"/],
      ['<INSTANCE CLASSNAME="X">', /not well-formed/],
      ['<VALUE>x</VALUE>', /root element is <VALUE>/],
      ['<INSTANCE><PROPERTY NAME="a" TYPE="string"></PROPERTY></INSTANCE>', /lacks the required CLASSNAME/],
      ['<INSTANCE CLASSNAME="X"><PROPERTY NAME="a" TYPE="uint8"><VALUE>300</VALUE></PROPERTY></INSTANCE>', /out of range for uint8/],
      ['<!DOCTYPE x [<!ENTITY a "b">]><INSTANCE CLASSNAME="X"></INSTANCE>', /document type/],
    ];
    for (const [text, why] of cases) {
      let err: unknown;
      try {
        parseEmbeddedObject(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).to.be.instanceOf(CimError);
      expect((err as CimError).code, text).to.equal(4);
      expect((err as CimError).description, text).to.match(why);
    }
  });
});

