/**
 * CIM-XML micro benchmark: the response encoder on a 1,000-instance EnumerateInstances
 * (20 string properties each), and the request decoder on typical client requests.
 * Prints figures; asserts nothing.
 */
import { CimInstance, CimInstanceName, CimProperty, type IntrinsicResponse } from '../src/cim/index.js';
import { decodeRequest, encodeIntrinsicResponse } from '../src/cimxml/index.js';

function enumerateResponse(count: number, props: number): IntrinsicResponse {
  const instances: CimInstance[] = [];
  for (let i = 0; i < count; i++) {
    const inst = new CimInstance('Xen_ComputerSystem');
    inst.properties.set('CreationClassName', new CimProperty('CreationClassName', 'string', 'Xen_ComputerSystem'));
    inst.properties.set('Name', new CimProperty('Name', 'string', `4f6b1c1e-0000-4000-8000-${String(i).padStart(12, '0')}`));
    for (let p = 2; p < props; p++) {
      inst.properties.set(`Property${p}`, new CimProperty(`Property${p}`, 'string', `value ${p} of system ${i}, text`));
    }
    inst.path = CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: inst.get('Name') as string });
    instances.push(inst);
  }
  return {
    result: { kind: 'namedInstances', instances },
    flags: { includeQualifiers: false, includeClassOrigin: false, propertyList: null },
  };
}

const GET_INSTANCE =
  '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="GetInstance"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH><IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="Xen_ComputerSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string" TYPE="string">Xen_ComputerSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string" TYPE="string">4f6b1c1e-0000-4000-8000-000000000001</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE><IPARAMVALUE NAME="LocalOnly"><VALUE>FALSE</VALUE></IPARAMVALUE></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>';

const DEFINE_SYSTEM =
  '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLEREQ><METHODCALL NAME="DefineSystem"><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="Xen_VirtualSystemManagementService"><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string" TYPE="string">Xen Hypervisor</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH><PARAMVALUE NAME="SystemSettings" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>&lt;INSTANCE CLASSNAME=&quot;Xen_VirtualSystemSettingData&quot;&gt;&lt;PROPERTY NAME=&quot;ElementName&quot; TYPE=&quot;string&quot;&gt;&lt;VALUE&gt;vm2&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;</VALUE></PARAMVALUE><PARAMVALUE NAME="ResourceSettings" PARAMTYPE="string" EmbeddedObject="instance"><VALUE.ARRAY><VALUE>&lt;INSTANCE CLASSNAME=&quot;Xen_ProcessorSettingData&quot;&gt;&lt;PROPERTY NAME=&quot;ResourceType&quot; TYPE=&quot;uint16&quot;&gt;&lt;VALUE&gt;3&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;</VALUE></VALUE.ARRAY></PARAMVALUE></METHODCALL></SIMPLEREQ></MESSAGE></CIM>';

function timeIt(runs: number, f: () => void): number {
  for (let i = 0; i < Math.min(runs, 20); i++) f();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) f();
  return Number(process.hrtime.bigint() - t0) / 1e6 / runs;
}

export function runCimxmlBench(report: (line: string) => void): void {
  const resp = enumerateResponse(1000, 20);
  let bytes = 0;
  let chunks = 0;
  const ms = timeIt(30, () => {
    bytes = 0;
    chunks = 0;
    for (const c of encodeIntrinsicResponse('1001', 'EnumerateInstances', resp)) {
      bytes += Buffer.byteLength(c);
      chunks++;
    }
  });
  // Encoding alone (without Buffer.byteLength, which the HTTP layer pays anyway when writing).
  const msEncode = timeIt(30, () => {
    for (const c of encodeIntrinsicResponse('1001', 'EnumerateInstances', resp)) void c.length;
  });
  report(`cimxml encode EnumerateInstances 1000 x 20 props: ${msEncode.toFixed(2)} ms (${ms.toFixed(2)} ms incl. UTF-8 sizing), ${(bytes / 1e6).toFixed(2)} MB in ${chunks} chunks`);
  for (const [name, xml] of [['GetInstance', GET_INSTANCE], ['DefineSystem (2 embedded)', DEFINE_SYSTEM]] as const) {
    const msDecode = timeIt(2000, () => decodeRequest(xml));
    report(`cimxml decode ${name}: ${(msDecode * 1000).toFixed(1)} µs`);
  }
}

// Runnable on its own: node dist/bench/cimxml.bench.js
if (import.meta.url === `file://${process.argv[1]}`) runCimxmlBench((l) => console.log(l));
