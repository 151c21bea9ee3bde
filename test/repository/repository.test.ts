import { expect } from 'chai';
import {
  CIM_ERR, CimClass, CimError, CimMethod, CimProperty, CimQualifier, CimQualifierDeclaration, newQualifierList,
} from '../../src/cim/index.js';
import { Repository } from '../../src/repository/index.js';

const NS = 'root/test';

function q(name: string, type: 'boolean' | 'string', value: boolean | string, flavor?: Partial<CimQualifier['flavor']>) {
  const c = new CimQualifier(name, type, value);
  Object.assign(c.flavor, flavor ?? {});
  return c;
}

function makeRepo(): Repository {
  const repo = new Repository();
  repo.addNamespace(NS);
  repo.addQualifierDeclaration(NS, new CimQualifierDeclaration('Key', 'boolean', false, false, undefined, ['property'], {
    overridable: false, toSubclass: true, toInstance: false, translatable: false,
  }));
  const base = new CimClass('CIM_Base');
  base.qualifiers.set('Abstract', q('Abstract', 'boolean', true, { toSubclass: false }));
  base.qualifiers.set('Description', q('Description', 'string', 'base'));
  const kq = newQualifierList();
  kq.set('Key', q('Key', 'boolean', true, { overridable: false }));
  base.properties.set('Name', new CimProperty('Name', 'string', null, false, kq));
  base.properties.set('State', new CimProperty('State', 'uint16', 5));
  base.methods.set('Go', new CimMethod('Go', 'uint32'));
  repo.addClass(NS, base);
  const sub = new CimClass('Xen_Sub', 'CIM_Base');
  sub.properties.set('State', new CimProperty('State', 'uint16'));
  sub.properties.set('Extra', new CimProperty('Extra', 'string'));
  repo.addClass(NS, sub);
  repo.addClass(NS, new CimClass('Xen_SubSub', 'xen_sub'));
  return repo;
}

describe('repository', () => {
  it('resolves inheritance: propagated properties, class origin, restricted qualifiers', () => {
    const repo = makeRepo();
    const sub = repo.requireClass(NS, 'XEN_SUB');
    expect(sub.properties.names()).to.deep.equal(['Name', 'State', 'Extra']);
    expect(sub.properties.get('Name')!.propagated).to.equal(true);
    expect(sub.properties.get('Name')!.isKey).to.equal(true);
    expect(sub.properties.get('State')!.classOrigin).to.equal('Xen_Sub');
    expect(sub.properties.get('State')!.value, 'inherited default kept').to.equal(5);
    expect(sub.isAbstract, 'Abstract is Restricted').to.equal(false);
    expect(sub.qualifiers.get('Description')!.propagated).to.equal(true);
    expect(sub.methods.get('go')!.propagated).to.equal(true);
    expect(sub.keyNames).to.deep.equal(['Name']);
  });

  it('indexes subclasses and answers ancestry questions', () => {
    const repo = makeRepo();
    expect(repo.subclassNames(NS, undefined, false)).to.deep.equal(['CIM_Base']);
    expect(repo.subclassNames(NS, 'CIM_Base', false)).to.deep.equal(['Xen_Sub']);
    expect(repo.subclassNames(NS, 'CIM_Base', true)).to.deep.equal(['Xen_Sub', 'Xen_SubSub']);
    expect(repo.isSubclassOf(NS, 'Xen_SubSub', 'cim_base')).to.equal(true);
    expect(repo.isSubclassOf(NS, 'CIM_Base', 'Xen_Sub')).to.equal(false);
    expect(repo.superclassChain(NS, 'Xen_SubSub')).to.deep.equal(['Xen_SubSub', 'Xen_Sub', 'CIM_Base']);
  });

  it('refuses an unknown superclass, namespace or class with the DSP0200 codes', () => {
    const repo = makeRepo();
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as CimError).code;
      }
      return 0;
    };
    expect(code(() => repo.addClass(NS, new CimClass('X', 'Nope')))).to.equal(CIM_ERR.INVALID_SUPERCLASS);
    expect(code(() => repo.requireClass('root/nope', 'X'))).to.equal(CIM_ERR.INVALID_NAMESPACE);
    expect(code(() => repo.requireClass(NS, 'Nope'))).to.equal(CIM_ERR.INVALID_CLASS);
  });

  it('refuses to override a DisableOverride qualifier with another value', () => {
    const repo = makeRepo();
    const bad = new CimClass('Xen_Bad', 'CIM_Base');
    const kq = newQualifierList();
    kq.set('Key', q('Key', 'boolean', false));
    bad.properties.set('Name', new CimProperty('Name', 'string', null, false, kq));
    expect(() => repo.addClass(NS, bad)).to.throw(/cannot be overridden/);
  });
});
