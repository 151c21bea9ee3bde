import { expect } from 'chai';
import { CIM_ERR, CimInstance, CimProperty, isCimError } from '../../src/cim/index.js';
import { OpContext } from '../../src/operations/context.js';
import { ProviderRegistry } from '../../src/operations/index.js';
import { typeInstance } from '../../src/operations/typing.js';
import { admin, parseEmbedded } from './fixtures/setup.js';
import { NS, buildRepository, cls, prop } from './fixtures/schema.js';

describe('operations: typing client values through the schema', () => {
  const repo = buildRepository();
  // A class whose embedded-instance property may hold an instance of itself.
  repo.addClass(NS, cls('T_Nest', undefined, [prop('Name', 'string'), prop('Inner', 'string', { embedded: 'T_Nest' })]));
  let parses = 0;
  const ctx = new OpContext({
    repository: repo, registry: new ProviderRegistry(), hostName: 'h', log: () => {},
    parseEmbeddedObject: (t) => { parses++; return parseEmbedded(t); },
  }, NS, admin);
  const nested = (depth: number): string => {
    let text = JSON.stringify({ class: 'T_Nest', props: { Name: 'leaf' } });
    for (let i = 0; i < depth; i++) text = JSON.stringify({ class: 'T_Nest', props: { Inner: text } });
    return text;
  };
  const given = (text: string) => {
    const inst = new CimInstance('T_Nest');
    inst.properties.set('Inner', new CimProperty('Inner', 'string', text));
    return inst;
  };

  it('types embedded instances in embedded instances, each through its class', () => {
    const out = typeInstance(ctx, repo.requireClass(NS, 'T_Nest'), given(nested(7)), { fillDefaults: false, error: 'INVALID_PARAMETER' });
    let v = out.get('Inner');
    let levels = 0;
    while (v instanceof CimInstance) { levels++; v = v.get('Inner') ?? null; }
    expect(levels).to.equal(8);
  });

  it('refuses embedded text nested deeper than the CIM-XML decoder allows, without parsing every level', () => {
    // Each level is text parsed again once the level above is typed: unbounded, a 15 MB request
    // nested 800 deep kept the event loop busy for 19 s.
    parses = 0;
    try {
      typeInstance(ctx, repo.requireClass(NS, 'T_Nest'), given(nested(12)), { fillDefaults: false, error: 'INVALID_PARAMETER' });
      expect.fail('accepted');
    } catch (e) {
      if (!isCimError(e)) throw e;
      expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.match(/nested deeper than 8/);
    }
    expect(parses).to.be.at.most(10);
  });

  it('refuses an embedded object for a property not declared EmbeddedObject/EmbeddedInstance (a provider would read "[object Object]")', () => {
    const inst = new CimInstance('T_Nest');
    inst.properties.set('Name', new CimProperty('Name', 'string', parseEmbedded(nested(0))));
    try {
      typeInstance(ctx, repo.requireClass(NS, 'T_Nest'), inst, { fillDefaults: false, error: 'INVALID_PARAMETER' });
      expect.fail('accepted');
    } catch (e) {
      if (!isCimError(e)) throw e;
      expect(e.code).to.equal(CIM_ERR.INVALID_PARAMETER);
      expect(e.description).to.match(/Name.*not an embedded/);
    }
    const arr = new CimInstance('T_Nest');
    arr.properties.set('Name', new CimProperty('Name', 'string', [parseEmbedded(nested(0))]));
    expect(() => typeInstance(ctx, repo.requireClass(NS, 'T_Nest'), arr, { fillDefaults: false, error: 'INVALID_PARAMETER' })).to.throw(/single value|not an embedded/);
  });
});
