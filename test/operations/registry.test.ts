import { expect } from 'chai';
import { ProviderRegistry } from '../../src/operations/index.js';
import { MemoryProvider } from './fixtures/provider.js';

describe('operations: ProviderRegistry', () => {
  it('finds providers by namespace and class, ignoring case and slashes', () => {
    const r = new ProviderRegistry();
    const p = new MemoryProvider(['T_Host']);
    r.register('root/test', p);
    expect(r.providerFor('/ROOT/test/', 't_host')).to.equal(p);
    expect(r.providerFor('root/other', 'T_Host')).to.equal(undefined);
    expect(r.providerFor('root/test', 'T_System')).to.equal(undefined);
  });

  it('refuses a second provider for the same class', () => {
    const r = new ProviderRegistry();
    r.register('root/test', new MemoryProvider(['T_Host']));
    expect(() => r.register('root/test', new MemoryProvider(['t_host']))).to.throw(/already has a provider/);
  });
});
