/** CIM objects for encoder tests: one class and instances covering every value form. */
import {
  CimClass, CimDateTime, CimInstance, CimInstanceName, CimMethod, CimParameter, CimProperty, CimQualifier,
  CimQualifierDeclaration, NameSet, newQualifierList, type EncodeFlags, type QualifierList,
} from '../../src/cim/index.js';

export const ALL: EncodeFlags = { includeQualifiers: false, includeClassOrigin: false, propertyList: null };

export function flags(over: Partial<EncodeFlags> & { props?: string[] } = {}): EncodeFlags {
  const { props, ...rest } = over;
  return { ...ALL, ...(props ? { propertyList: new NameSet(props) } : {}), ...rest };
}

function quals(...qs: CimQualifier[]): QualifierList {
  const l = newQualifierList();
  for (const q of qs) l.set(q.name, q);
  return l;
}

const key = () => new CimQualifier('Key', 'boolean', true, false, { overridable: false, toSubclass: true, toInstance: false, translatable: false });

export function vmName(name = 'vm1', namespace?: string, host?: string): CimInstanceName {
  return new CimInstanceName(
    'Xen_ComputerSystem',
    [
      { name: 'CreationClassName', value: 'Xen_ComputerSystem', type: 'string' },
      { name: 'Name', value: name, type: 'string' },
    ],
    namespace,
    host,
  );
}

export function settingsInstance(): CimInstance {
  const s = new CimInstance('Xen_VirtualSystemSettingData');
  s.properties.set('ElementName', new CimProperty('ElementName', 'string', 'vm <2> & "q"'));
  s.properties.set('VirtualQuantity', new CimProperty('VirtualQuantity', 'uint64', 2));
  return s;
}

/** A Xen_ComputerSystem with every kind of value, class origin and qualifiers set. */
export function vmInstance(name = 'vm1', namespace?: string): CimInstance {
  const i = new CimInstance('Xen_ComputerSystem');
  const add = (p: CimProperty, origin = 'CIM_ManagedSystemElement') => {
    p.classOrigin = origin;
    i.properties.set(p.name, p);
  };
  add(new CimProperty('CreationClassName', 'string', 'Xen_ComputerSystem', false, quals(key())), 'CIM_System');
  add(new CimProperty('Name', 'string', name, false, quals(key())), 'CIM_System');
  add(new CimProperty('EnabledState', 'uint16', 2));
  add(new CimProperty('Dedicated', 'uint16', [0, null, 3], true));
  add(new CimProperty('Caption', 'string', null));
  add(new CimProperty('Flag', 'boolean', false));
  add(new CimProperty('Big', 'uint64', 18446744073709551615n));
  add(new CimProperty('Ratio', 'real64', -Infinity));
  add(new CimProperty('NotANumber', 'real32', NaN));
  add(new CimProperty('Installed', 'datetime', CimDateTime.tryParse('20240131154500.000000+060')!));
  const host = new CimProperty('Host', 'reference', vmName('host', 'root/virt', 'h1'));
  host.referenceClass = 'CIM_System';
  add(host);
  const settings = new CimProperty('Settings', 'string', settingsInstance());
  settings.embeddedObject = 'instance';
  add(settings);
  add(new CimProperty('Nasty', 'string', 'a\r\nb\tc\u0001d\uFFFFe😀f]]>'));
  i.qualifiers = quals(new CimQualifier('Description', 'string', 'An instance qualifier'));
  i.path = vmName(name, namespace);
  return i;
}

export function vmClass(): CimClass {
  const c = new CimClass('Xen_ComputerSystem', 'CIM_ComputerSystem');
  c.qualifiers = quals(
    new CimQualifier('Description', 'string', 'A Xen domain', false, { overridable: true, toSubclass: true, toInstance: false, translatable: true }),
    new CimQualifier('Version', 'string', '2.42.0', false, undefined, true),
  );
  const name = new CimProperty('Name', 'string', null, false, quals(key()));
  name.classOrigin = 'CIM_System';
  name.propagated = true;
  c.properties.set('Name', name);
  const es = new CimProperty('EnabledState', 'uint16', 5, false, quals(
    new CimQualifier('ValueMap', 'string', ['2', '3'], true),
  ));
  es.classOrigin = 'CIM_EnabledLogicalElement';
  c.properties.set('EnabledState', es);
  const arr = new CimProperty('Dedicated', 'uint16', null, true);
  arr.arraySize = 4;
  c.properties.set('Dedicated', arr);
  const ref = new CimProperty('Host', 'reference', null);
  ref.referenceClass = 'CIM_System';
  c.properties.set('Host', ref);
  const emb = new CimProperty('Settings', 'string', null, false, quals(new CimQualifier('EmbeddedInstance', 'string', 'CIM_SettingData')));
  emb.embeddedObject = 'instance';
  c.properties.set('Settings', emb);
  const job = new CimParameter('Job', 'reference', false, quals(new CimQualifier('Out', 'boolean', true)));
  job.referenceClass = 'CIM_ConcreteJob';
  const refs = new CimParameter('Affected', 'reference', true);
  refs.referenceClass = 'CIM_ManagedElement';
  const names = new CimParameter('Names', 'string', true);
  names.arraySize = 2;
  const m = new CimMethod('RequestStateChange', 'uint32', [
    new CimParameter('RequestedState', 'uint16', false, quals(new CimQualifier('In', 'boolean', true))),
    job,
    refs,
    names,
  ], quals(new CimQualifier('ValueMap', 'string', ['0', '4096'], true)));
  m.classOrigin = 'CIM_EnabledLogicalElement';
  c.methods.set(m.name, m);
  return c;
}

export function qualifierDecls(): CimQualifierDeclaration[] {
  return [
    new CimQualifierDeclaration('Key', 'boolean', false, false, undefined, ['property', 'reference'], { overridable: false, toSubclass: true, toInstance: false, translatable: false }),
    new CimQualifierDeclaration('Description', 'string', null, false, undefined, ['any'], { overridable: true, toSubclass: true, toInstance: false, translatable: true }),
    new CimQualifierDeclaration('ValueMap', 'string', ['a', null], true, 3, ['property', 'method', 'parameter']),
  ];
}
