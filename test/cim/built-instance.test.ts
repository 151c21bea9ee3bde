/**
 * Instances from buildInstance hold one value per declaration until something asks for their
 * property objects; the encoder writes them from those values. Both views must agree.
 */
import { expect } from 'chai';
import {
  CIM_ERR, CimClass, CimDateTime, CimInstance, CimInstanceName, CimProperty, CimQualifier, NameSet,
  buildInstance, isCimError, newQualifierList, type EncodeFlags,
} from '../../src/cim/index.js';
import { instanceXml } from '../../src/cimxml/encode-objects.js';

function decl(name: string, type: CimProperty['type'], opts: { key?: boolean; isArray?: boolean; value?: CimProperty['value']; origin?: string } = {}): CimProperty {
  const q = newQualifierList();
  if (opts.key) q.set('Key', new CimQualifier('Key', 'boolean', true));
  q.set('Description', new CimQualifier('Description', 'string', `the ${name}`));
  const p = new CimProperty(name, type, opts.value ?? null, opts.isArray ?? false, q);
  p.classOrigin = opts.origin ?? 'Test_Base';
  return p;
}

function testClass(): CimClass {
  const c = new CimClass('Test_Built');
  for (const p of [
    decl('InstanceID', 'string', { key: true }),
    decl('ElementName', 'string'),
    decl('Caption', 'string', { value: 'default caption', origin: 'CIM_ManagedElement' }),
    decl('Size', 'uint16'),
    decl('Tags', 'string', { isArray: true }),
    decl('Enabled', 'boolean'),
    decl('Ratio', 'real64'),
    decl('Installed', 'datetime'),
  ]) c.properties.set(p.name, p);
  const host = decl('Host', 'reference');
  host.referenceClass = 'CIM_System';
  c.properties.set(host.name, host);
  const setting = decl('Setting', 'string');
  setting.embeddedObject = 'instance';
  c.properties.set(setting.name, setting);
  return c;
}

const EVERY = {
  InstanceID: 'i <1> & "q"', ElementName: 'caf\u00e9', Size: 7, Tags: ['a', null, 'b'], Enabled: false, Ratio: -0.5,
  Installed: CimDateTime.tryParse('20240131154500.000000+060')!,
  Host: new CimInstanceName('CIM_System', [{ name: 'Name', value: 'h1', type: 'string' }], 'root/virt'),
  Setting: new CimInstance('Test_Setting', [new CimProperty('Size', 'uint16', 3)]),
};

const FLAGS: [string, EncodeFlags][] = [
  ['all', { includeQualifiers: false, includeClassOrigin: false, propertyList: null }],
  ['a PropertyList', { includeQualifiers: false, includeClassOrigin: false, propertyList: new NameSet(['size', 'Caption', 'Host', 'Ratio']) }],
  ['NULLs named by the client', { includeQualifiers: false, includeClassOrigin: false, propertyList: new NameSet(['Ratio', 'Tags', 'Host', 'Setting', 'Caption']) }],
  ['qualifiers', { includeQualifiers: true, includeClassOrigin: false, propertyList: null }],
  ['class origin', { includeQualifiers: false, includeClassOrigin: true, propertyList: null }],
];

/** The same instance with its property objects made (the way every other code path sees it). */
function materialized(inst: CimInstance): CimInstance {
  const copy = new CimInstance(inst.className, inst.properties);
  copy.path = inst.path;
  return copy;
}

describe('cim: instances from buildInstance', () => {
  it('encode the same XML from their values as from their property objects, for every value form and flag', () => {
    const cls = testClass();
    for (const values of [EVERY, { InstanceID: 'sparse', Caption: null }, { InstanceID: 'default only' }]) {
      for (const [what, flags] of FLAGS) {
        const built = buildInstance(cls, values);
        expect(built.builtValues(), 'not materialized before encoding').to.not.equal(undefined);
        const xml = instanceXml(built, flags);
        expect(built.builtValues(), 'encoding made no property objects').to.not.equal(undefined);
        expect(xml, `${values.InstanceID}, ${what}`).to.equal(instanceXml(materialized(buildInstance(cls, values)), flags));
      }
    }
    // Spot checks that the comparison above compares something.
    const xml = instanceXml(buildInstance(cls, EVERY), FLAGS[0]![1]);
    expect(xml).to.contain('<PROPERTY NAME="InstanceID" TYPE="string"><VALUE>i &lt;1&gt; &amp; "q"</VALUE></PROPERTY>');
    expect(xml).to.contain('<PROPERTY NAME="Caption" TYPE="string"><VALUE>default caption</VALUE></PROPERTY>');
    expect(xml).to.contain('<PROPERTY.ARRAY NAME="Tags" TYPE="string"><VALUE.ARRAY><VALUE>a</VALUE><VALUE.NULL/><VALUE>b</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>');
    expect(xml).to.contain('<PROPERTY.REFERENCE NAME="Host" REFERENCECLASS="CIM_System">');
    expect(xml).to.contain('<PROPERTY NAME="Setting" TYPE="string" EmbeddedObject="instance"><VALUE>&lt;INSTANCE CLASSNAME="Test_Setting"&gt;');
    const named = instanceXml(buildInstance(cls, { InstanceID: 'n' }), FLAGS[2]![1]);
    expect(named).to.contain('<PROPERTY NAME="Ratio" TYPE="real64"></PROPERTY>');
    expect(named).to.contain('<PROPERTY.REFERENCE NAME="Host" REFERENCECLASS="CIM_System"></PROPERTY.REFERENCE>');
  });

  it('read and change values before and after their property objects exist', () => {
    const cls = testClass();
    const a = buildInstance(cls, { InstanceID: 'a', Size: '12' });
    expect([a.get('size'), a.get('Caption'), a.get('Enabled'), a.get('Bogus')]).to.deep.equal([12, 'default caption', null, undefined]);
    a.set('Enabled', true).set('caption', 'mine');
    expect(a.builtValues()).to.not.equal(undefined);
    // The property objects show what was set, typed by the declarations.
    expect(a.properties.get('Enabled')!.value).to.equal(true);
    expect(a.properties.get('Caption')!.value).to.equal('mine');
    expect(a.properties.get('Size')!.type).to.equal('uint16');
    expect(a.builtValues()).to.equal(undefined);
    // Once made, they are the instance: a change through them is what get and the encoder see.
    a.properties.get('Size')!.value = 13;
    a.set('ElementName', 'named');
    expect([a.get('Size'), a.get('ElementName')]).to.deep.equal([13, 'named']);
    expect(instanceXml(a, FLAGS[0]![1])).to.contain('<PROPERTY NAME="Size" TYPE="uint16"><VALUE>13</VALUE></PROPERTY>');
    // A name the class does not declare becomes a property of its own, as on any instance.
    const b = buildInstance(cls, { InstanceID: 'b' });
    b.set('Extra', 'x');
    expect(b.properties.get('Extra')!.type).to.equal('string');
    // Another instance of the class shares nothing that a change could reach.
    const c = buildInstance(cls, { InstanceID: 'c' });
    expect([c.get('Caption'), c.get('Enabled'), c.get('Size')]).to.deep.equal(['default caption', null, null]);
    expect(c.properties.get('Enabled')).to.equal(buildInstance(cls, { InstanceID: 'd' }).properties.get('Enabled'));
  });

  it('find each name whatever order, spelling or set of names the values come in', () => {
    const cls = testClass();
    const orders = [
      { InstanceID: 'x1', Size: 1, ElementName: 'one' },
      { InstanceID: 'x2', Size: 2, ElementName: 'two' },
      { ElementName: 'three', InstanceID: 'x3', Size: 3 },
      { InstanceID: 'x4', size: 4, elementname: 'four', Enabled: true },
      { InstanceID: 'x5', Size: 5 },
      { InstanceID: 'x6', Size: 6, ElementName: 'six' },
    ];
    for (const v of orders) {
      const inst = buildInstance(cls, v);
      const n = Number(String(v.InstanceID).slice(1));
      expect([inst.get('InstanceID'), inst.get('Size')], JSON.stringify(v)).to.deep.equal([`x${n}`, n]);
    }
    expect(buildInstance(cls, orders[3]!).get('ElementName')).to.equal('four');
    expect(buildInstance(cls, orders[4]!).get('ElementName')).to.equal(null);
    // An unknown name after names seen before is still refused, and refuses nothing after it.
    for (const bad of [{ InstanceID: 'y', Size: 1, Bogus: 2 }, { Bogus: 2, InstanceID: 'y' }]) {
      try {
        buildInstance(cls, bad);
        expect.fail('accepted');
      } catch (e) {
        expect(isCimError(e) && e.code).to.equal(CIM_ERR.NO_SUCH_PROPERTY);
      }
    }
    expect(buildInstance(cls, { InstanceID: 'z', Size: 9 }).get('Size')).to.equal(9);
  });
});
