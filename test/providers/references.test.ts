/**
 * Every association instance every profile serves, in both namespaces, names instances that
 * exist: each reference is fetched with GetInstance through operations/ in its namespace
 * (whichever profile serves the far end). A new profile's links are checked without a change here.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../src/cim/index.js';
import { INTEROP_NS, VIRT_NS } from '../../src/providers/shared/naming.js';
import { type World, seed, world } from './fixture.js';

describe('providers: reference integrity of every association', function () {
  this.timeout(30_000);
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
    await w.virt.requestStateJob('db', 'running').done;
  });
  after(() => w.close());

  for (const ns of [VIRT_NS, INTEROP_NS]) {
    it(`in ${ns}: every reference names an instance that exists`, async () => {
      const served = w.repository.associationClasses(ns).filter((c) => w.registry.providersOf(ns, c.name));
      expect(served.length, 'association classes served').to.be.at.least(ns === VIRT_NS ? 15 : 6);
      let checked = 0;
      for (const cls of served) {
        const list = await w.enumerate(cls.name, ns);
        expect(list, `${cls.name} has instances`).to.not.be.empty;
        for (const a of list) {
          for (const [, p] of a.properties) {
            const ref = p.value;
            if (!(ref instanceof CimInstanceName)) continue;
            const there = ref.namespace ?? ns;
            const inst = await w.get(ref.local(), there);
            expect(inst.path!.identity(), `${cls.name} → ${ref.toString()}`).to.equal(ref.identity());
            checked++;
          }
        }
      }
      expect(checked).to.be.at.least(served.length * 2);
    });
  }
});
