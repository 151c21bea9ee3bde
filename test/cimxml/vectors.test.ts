/**
 * Every byte-exact client request in test/vectors/requests/ (captured from pywbem, pywbemcli
 * and sblim wbemcli) must decode, agree with its own CIMMethod/CIMObject headers, and — for
 * the ones that exercise something particular — decode to exactly the expected values.
 */
import { expect } from 'chai';
import {
  CimInstance, CimInstanceName, parseObjectPath, type CimRequest, type ExtrinsicRequest, type IntrinsicRequest,
  type ParamValue,
} from '../../src/cim/index.js';
import { decodeRequest, parseEmbeddedObject } from '../../src/cimxml/index.js';
import { captureFiles, readCapture } from './helpers.js';

const VM_KEYS = { CreationClassName: 'Xen_ComputerSystem', Name: '4f6b1c1e-0000-4000-8000-000000000001' };

function intrinsic(r: CimRequest): IntrinsicRequest {
  expect(r.kind).to.equal('intrinsic');
  return r as IntrinsicRequest;
}

function extrinsic(r: CimRequest): ExtrinsicRequest {
  expect(r.kind).to.equal('extrinsic');
  return r as ExtrinsicRequest;
}

function iparam(r: CimRequest, name: string): ParamValue {
  const p = intrinsic(r).params.get(name);
  expect(p, `IPARAMVALUE ${name}`).to.not.equal(undefined);
  return p!;
}

function param(r: CimRequest, name: string): ParamValue {
  const p = extrinsic(r).params.find((x) => x.name === name);
  expect(p, `PARAMVALUE ${name}`).to.not.equal(undefined);
  return p!;
}

function keysOf(n: CimInstanceName): Record<string, unknown> {
  return Object.fromEntries(n.keybindings.map((k) => [k.name, k.value]));
}

function expectVmName(v: unknown, typed: boolean): void {
  expect(v).to.be.instanceOf(CimInstanceName);
  const n = v as CimInstanceName;
  expect(n.className).to.equal('Xen_ComputerSystem');
  expect(keysOf(n)).to.deep.equal(VM_KEYS);
  for (const k of n.keybindings) expect(k.type).to.equal(typed ? 'string' : undefined);
}

function expectUntyped(p: ParamValue, value: unknown): void {
  expect(p.value).to.deep.equal(value);
  expect(p.untyped).to.equal(true);
}

/** The DefineSystem settings every DefineSystem capture carries, whatever the form. */
function expectVssd(inst: CimInstance): void {
  expect(inst.className).to.equal('Xen_VirtualSystemSettingData');
  expect(inst.get('ElementName')).to.equal('vm2');
}

function expectRasds(list: CimInstance[]): void {
  expect(list.map((i) => i.className)).to.deep.equal(['Xen_ProcessorSettingData', 'Xen_MemorySettingData']);
  expect(list[0]!.get('ResourceType')).to.equal(3);
  expect(list[0]!.properties.get('VirtualQuantity')!.type).to.equal('uint64');
  expect(list[0]!.get('VirtualQuantity')).to.equal(2);
  expect(list[1]!.get('ResourceType')).to.equal(4);
  expect(list[1]!.get('VirtualQuantity')).to.equal(512);
}

/** Specific expectations, by capture file. */
const EXPECT: Record<string, (r: CimRequest) => void> = {
  'pywbem-GetInstance.1-GetInstance.txt': (r) => {
    expect(r.messageId).to.equal('1001');
    expectVmName(iparam(r, 'InstanceName').value, true);
    expect(iparam(r, 'InstanceName').type).to.equal('reference');
    expect(intrinsic(r).params.size).to.equal(1);
  },
  'pywbem-GetInstance-PropertyList.1-GetInstance.txt': (r) => {
    const pl = iparam(r, 'PropertyList');
    expectUntyped(pl, ['EnabledState']);
    expect(pl.isArray).to.equal(true);
  },
  'wbemcli-gi-props.1-GetInstance.txt': (r) => {
    expect(r.messageId).to.equal('4711');
    expectVmName(iparam(r, 'InstanceName').value, false);
    expectUntyped(iparam(r, 'PropertyList'), ['EnabledState', 'ElementName']);
    expectUntyped(iparam(r, 'LocalOnly'), 'FALSE');
    expectUntyped(iparam(r, 'includeclassorigin'), 'TRUE'); // names are case-insensitive
  },
  'wbemcli-gp.1-GetProperty.txt': (r) => {
    expectUntyped(iparam(r, 'PropertyName'), 'EnabledState');
    expectVmName(iparam(r, 'InstanceName').value, false);
  },
  'pywbem-AssociatorNames-HostedDependency.1-AssociatorNames.txt': (r) => {
    expect(iparam(r, 'AssocClass').value).to.deep.equal({ kind: 'className', className: 'CIM_HostedDependency' });
    expectUntyped(iparam(r, 'ResultRole'), 'Antecedent');
    expectVmName(iparam(r, 'ObjectName').value, true);
  },
  'wbemcli-ai.1-Associators.txt': (r) => {
    expect(iparam(r, 'AssocClass').value).to.deep.equal({ kind: 'className', className: 'CIM_SettingsDefineState' });
    expect(iparam(r, 'ResultClass').value).to.deep.equal({ kind: 'className', className: 'CIM_VirtualSystemSettingData' });
  },
  'wbemcli-ri.1-References.txt': (r) => {
    expectUntyped(iparam(r, 'Role'), 'ManagedElement');
    expect(iparam(r, 'ResultClass').value).to.deep.equal({ kind: 'className', className: 'CIM_SettingsDefineState' });
  },
  'wbemcli-ecn.1-EnumerateClassNames.txt': (r) => {
    expect(intrinsic(r).params.has('ClassName')).to.equal(false);
    expectUntyped(iparam(r, 'DeepInheritance'), 'TRUE');
  },
  'wbemcli-ei-props.1-EnumerateInstances.txt': (r) => {
    expect(iparam(r, 'ClassName').value).to.deep.equal({ kind: 'className', className: 'CIM_ComputerSystem' });
    expectUntyped(iparam(r, 'PropertyList'), ['Name', 'EnabledState']);
  },
  'pywbem-OpenEnumerateInstances.1-OpenEnumerateInstances.txt': (r) => {
    expectUntyped(iparam(r, 'MaxObjectCount'), '100');
  },
  'wbemcli-error-bogus-namespace.1-EnumerateInstanceNames.txt': (r) => {
    expect(r.namespace).to.equal('bogus');
  },
  'pywbem-InvokeMethod-RequestStateChange.1-RequestStateChange.txt': (r) => {
    const p = param(r, 'RequestedState');
    expect(p.value).to.equal(9);
    expect(p.type).to.equal('uint16');
    expect(p.untyped).to.equal(undefined);
    expectVmName(extrinsic(r).target, true);
    expect(extrinsic(r).target.namespace).to.equal('root/virt');
  },
  'wbemcli-cm-RequestStateChange.2-RequestStateChange.txt': (r) => {
    expectUntyped(param(r, 'RequestedState'), '9');
    expect(param(r, 'RequestedState').type).to.equal(undefined);
    expectVmName(extrinsic(r).target, false);
  },
  'pywbem-InvokeMethod-DestroySystem.1-DestroySystem.txt': (r) => {
    const p = param(r, 'AffectedSystem');
    expect(p.type).to.equal('reference');
    expectVmName(p.value, true);
    expect((p.value as CimInstanceName).namespace).to.equal('root/virt');
    expect((p.value as CimInstanceName).host).to.equal(undefined);
  },
  'wbemcli-cm-DestroySystem.2-DestroySystem.txt': (r) => {
    const p = param(r, 'AffectedSystem');
    expectVmName(p.value, false);
    expect((p.value as CimInstanceName).namespace).to.equal('root/virt');
    expect((p.value as CimInstanceName).host).to.equal('127.0.0.1');
  },
  'pywbem-InvokeMethod-DefineSystem-CIMInstance-args.1-DefineSystem.txt': (r) => {
    const ss = param(r, 'SystemSettings');
    expect(ss.type).to.equal('string');
    expect(ss.embeddedObject).to.equal('instance');
    expect(ss.value).to.be.instanceOf(CimInstance);
    expectVssd(ss.value as CimInstance);
    expect((ss.value as CimInstance).get('VirtualSystemType')).to.equal('Xen HVM');
    const rs = param(r, 'ResourceSettings');
    expect(rs.isArray).to.equal(true);
    expect(rs.embeddedObject).to.equal('instance');
    expectRasds(rs.value as CimInstance[]);
    expect((rs.value as CimInstance[])[1]!.get('AllocationUnits')).to.equal('byte*2^20');
  },
  'pywbem-InvokeMethod-DefineSystem-string-args.1-DefineSystem.txt': (r) => {
    // PARAMTYPE="string" without EmbeddedObject: a string; operations/ parses it per the declaration.
    const ss = param(r, 'SystemSettings');
    expect(ss.type).to.equal('string');
    expect(ss.untyped).to.equal(undefined);
    expect(ss.embeddedObject).to.equal(undefined);
    expect(ss.value).to.be.a('string').and.match(/^<INSTANCE CLASSNAME="Xen_VirtualSystemSettingData">/);
    expectVssd(parseEmbeddedObject(ss.value as string) as CimInstance);
    const rs = param(r, 'ResourceSettings');
    expectRasds((rs.value as string[]).map((t) => parseEmbeddedObject(t) as CimInstance));
  },
  'wbemcli-cm-DefineSystem.2-DefineSystem.txt': (r) => {
    // wbemcli: no PARAMTYPE, '=' sent as &#61; — the decoded text is the plain INSTANCE XML.
    const ss = param(r, 'SystemSettings');
    expect(ss.untyped).to.equal(true);
    expect(ss.value).to.equal(
      '<INSTANCE CLASSNAME="Xen_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>vm2</VALUE></PROPERTY></INSTANCE>',
    );
    expectVssd(parseEmbeddedObject(ss.value as string) as CimInstance);
    const rs = param(r, 'ResourceSettings');
    expect(rs.isArray).to.equal(true);
    expect(rs.untyped).to.equal(true);
    expectRasds((rs.value as string[]).map((t) => parseEmbeddedObject(t) as CimInstance));
  },
  'wbemcli-cm-DefineSystem-raw-xml.2-DefineSystem.txt': (r) => {
    // Tolerance: raw INSTANCE elements inside VALUE (not DSP0201, but wbemcli lets users send it).
    const ss = param(r, 'SystemSettings');
    expect(ss.embeddedObject).to.equal('instance');
    expect(ss.value).to.be.instanceOf(CimInstance);
    expectVssd(ss.value as CimInstance);
  },
};

describe('cimxml wire vectors (test/vectors/requests)', () => {
  const files = captureFiles();

  it('has the captured requests', () => {
    expect(files.length).to.be.greaterThanOrEqual(50);
    for (const f of Object.keys(EXPECT)) expect(files, f).to.include(f);
  });

  for (const file of files) {
    it(`decodes ${file}`, () => {
      const cap = readCapture(file);
      expect(cap.requestLine).to.match(/^POST \/cimom HTTP\/1\.1$/);
      expect(cap.bodyBytes).to.equal(Number(cap.headers['content-length']));
      expect(cap.headers['cimoperation']).to.equal('MethodCall');
      const r = decodeRequest(cap.body);
      expect(r.method).to.equal(cap.headers['cimmethod']);
      expect(r.protocolVersion).to.equal('1.0');
      expect(r.messageId).to.match(/^(1001|4711)$/);
      // CIMObject (percent-decoded, as DSP0200 §6.3 says) names the same target as the body.
      const object = decodeURIComponent(cap.headers['cimobject']!);
      if (r.kind === 'intrinsic') {
        expect(r.namespace).to.equal(object);
      } else {
        const p = parseObjectPath(object);
        expect(r.namespace).to.equal(p.namespace);
        expect(r.target.className).to.equal(p.className);
        expect(r.target).to.be.instanceOf(CimInstanceName);
        expect(keysOf(r.target as CimInstanceName)).to.deep.equal(Object.fromEntries(p.keybindings!.map((k) => [k.name, k.value])));
      }
      EXPECT[file]?.(r);
    });
  }
});
