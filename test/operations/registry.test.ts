import { expect } from 'chai';
import { ProviderRegistry } from '../../src/operations/index.js';
import { MemoryProvider } from './fixtures/provider.js';

describe('operations: ProviderRegistry', () => {
  it('finds providers by namespace and class, ignoring case and slashes', () => {
    const r = new ProviderRegistry();
    const p = new MemoryProvider(['T_Host']);
    r.register('root/test', p);
    expect(r.providersOf('/ROOT/test/', 't_host')?.all).to.deep.equal([p]);
    expect(r.providersOf('root/other', 'T_Host')).to.equal(undefined);
    expect(r.providersOf('root/test', 'T_System')).to.equal(undefined);
  });

  it('lets several providers contribute instances to one class, in registration order', () => {
    const r = new ProviderRegistry();
    const a = new MemoryProvider(['T_Link']);
    const b = new MemoryProvider(['t_link', 'T_Other']);
    r.register('root/test', a);
    r.register('root/test', b);
    r.register('root/test', a); // the same provider twice changes nothing
    expect(r.providersOf('root/test', 'T_Link')?.all).to.deep.equal([a, b]);
    expect(r.providersOf('root/test', 'T_Link')?.owner).to.equal(undefined);
  });

  it('a class has one owner of its methods and writes: a second one is a wiring error', () => {
    const r = new ProviderRegistry();
    const owner = new MemoryProvider(['T_Host'], { methods: true });
    r.register('root/test', owner);
    r.register('root/test', new MemoryProvider(['T_Host']));
    expect(r.providersOf('root/test', 'T_Host')?.owner).to.equal(owner);
    expect(() => r.register('root/test', new MemoryProvider(['t_host'], { methods: true }))).to.throw(/already has an owner/);
    expect(() => r.register('root/test', new MemoryProvider(['T_Host'], { write: true }))).to.throw(/already has an owner/);
    // Another namespace is another class.
    expect(() => r.register('root/other', new MemoryProvider(['T_Host'], { methods: true }))).not.to.throw();
  });

  it('ownedClasses narrows ownership to the classes listed, which must be served', () => {
    const r = new ProviderRegistry();
    const a = Object.assign(new MemoryProvider(['T_Host', 'T_Link'], { methods: true }), { ownedClasses: ['T_Host'] });
    const b = Object.assign(new MemoryProvider(['T_Link', 'T_Job'], { methods: true }), { ownedClasses: ['T_Job'] });
    r.register('root/test', a);
    r.register('root/test', b);
    expect(r.providersOf('root/test', 'T_Host')?.owner).to.equal(a);
    expect(r.providersOf('root/test', 'T_Link')?.owner).to.equal(undefined);
    expect(r.providersOf('root/test', 'T_Job')?.owner).to.equal(b);
    const c = Object.assign(new MemoryProvider(['T_Host']), { ownedClasses: ['T_Elsewhere'] });
    expect(() => r.register('root/test', c)).to.throw(/does not serve it/);
  });
});
