/**
 * The provider idiom on its own (no hypervisor): what profileProvider makes of class sources and
 * method tables, and what it leaves to operations/.
 */
import { expect } from 'chai';
import { CIM_ERR, CimError, CimInstanceName, NameMap, buildInstance } from '../../../src/cim/index.js';
import { ProviderRegistry, type ProviderContext } from '../../../src/operations/index.js';
import { profileProvider } from '../../../src/providers/shared/provider.js';
import { NS, buildRepository } from '../../operations/fixtures/schema.js';

const repository = buildRepository();
const ctx: ProviderContext = {
  namespace: NS, principal: { name: 't', role: 'admin' }, repository, cimom: { enumerateInstanceNames: async () => [] },
};
const setting = (id: string) => buildInstance(repository.requireClass(NS, 'T_Setting'), { InstanceID: id, Quantity: 1 });
const name = (id: string) => CimInstanceName.of('T_Setting', { InstanceID: id });

async function code(p: Promise<unknown>): Promise<number> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).to.be.instanceOf(CimError);
  return (e as CimError).code;
}

describe('providers/shared: the provider idiom', () => {
  it('a list-only class: GetInstance finds the instance in the list, NOT_FOUND naming it otherwise', async () => {
    const p = profileProvider({ classes: { T_Setting: { list: async () => [setting('a'), setting('b')] } } });
    expect(p.classNames).to.deep.equal(['T_Setting']);
    expect((await p.getInstance!(ctx, name('b'), { propertyList: null })).get('InstanceID')).to.equal('b');
    const e = await p.getInstance!(ctx, name('c'), { propertyList: null }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('description', `no instance ${name('c').toString()}`);
    // Nothing to own, no names or references shortcut: operations/ falls back on the list.
    expect([p.ownedClasses, p.invokeMethod, p.enumerateInstanceNames, p.referencesTo, p.deleteInstance])
      .to.deep.equal([[], undefined, undefined, undefined, undefined]);
  });

  it('get, names and referencesTo are used when given; another class is INVALID_CLASS', async () => {
    const asked: string[] = [];
    const p = profileProvider({
      classes: {
        T_Setting: {
          list: async () => { asked.push('list'); return []; },
          names: async () => { asked.push('names'); return [name('n')]; },
          get: async (_c, n) => { asked.push('get'); return n.keyString('InstanceID') === 'g' ? setting('g') : undefined; },
        },
      },
    });
    expect((await p.getInstance!(ctx, name('g'), { propertyList: null })).get('InstanceID')).to.equal('g');
    expect(await code(p.getInstance!(ctx, name('x'), { propertyList: null }))).to.equal(CIM_ERR.NOT_FOUND);
    expect((await p.enumerateInstanceNames!(ctx, 't_setting')).map((n) => n.keyString('InstanceID'))).to.deep.equal(['n']);
    expect(asked).to.deep.equal(['get', 'get', 'names']);
    expect(await code(p.enumerateInstances(ctx, 'T_Gadget', { propertyList: null }))).to.equal(CIM_ERR.INVALID_CLASS);
  });

  it('the classes with methods or deletes are owned; methods carry their role; an unknown method is METHOD_NOT_AVAILABLE', async () => {
    const p = profileProvider({
      classes: {
        T_VirtualSystem: { list: async () => [] },
        T_Setting: { list: async () => [], delete: async () => {} },
        T_HostedDependency: { list: async () => [] },
      },
      methods: { T_VirtualSystem: { RequestStateChange: { role: 'operator', run: async () => ({ returnValue: 4097 }) } } },
    });
    expect([...p.ownedClasses!].sort()).to.deep.equal(['T_Setting', 'T_VirtualSystem']);
    expect(p.methodRole!('requeststatechange', 't_virtualsystem')).to.equal('operator');
    const vm = CimInstanceName.of('T_VirtualSystem', { CreationClassName: 'T_VirtualSystem', Name: 'vm1' });
    expect((await p.invokeMethod!(ctx, vm, 'RequestStateChange', new NameMap())).returnValue).to.equal(4097);
    expect(await code(p.invokeMethod!(ctx, vm, 'Explode', new NameMap()))).to.equal(CIM_ERR.METHOD_NOT_AVAILABLE);
    expect(await code(p.deleteInstance!(ctx, CimInstanceName.of('T_HostedDependency', {})))).to.equal(CIM_ERR.NOT_SUPPORTED);
    // Registered beside another provider of T_HostedDependency, it owns only its own classes.
    const r = new ProviderRegistry();
    r.register(NS, p);
    r.register(NS, profileProvider({ classes: { T_HostedDependency: { list: async () => [] } }, methods: {} }));
    expect(r.providersOf(NS, 'T_HostedDependency')!.all).to.have.length(2);
    expect(r.providersOf(NS, 'T_HostedDependency')!.owner).to.equal(undefined);
  });
});
