/** Records read back from the subscriptions file: a damaged one must not cost the others their indications. */
import { expect } from 'chai';
import type { CimInstance } from '../../../src/cim/index.js';
import { SubscriptionStore, startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { world } from '../fixture.js';

const keys = (cls: string, Name: string) => ({ SystemCreationClassName: 'CIM_ComputerSystem', SystemName: 'testhost', CreationClassName: cls, Name });
const filter = (Name: string, sourceNamespaces: unknown[]) => ({
  keys: keys('CIM_IndicationFilter', Name), query: 'SELECT * FROM CIM_InstCreation', queryLanguage: 'WQL', sourceNamespaces, fromClass: 'CIM_InstCreation', owner: 'u',
});
const destination = (Name: string) => ({ keys: keys('CIM_ListenerDestinationCIMXML', Name), destination: `http://192.0.2.1/${Name}`, owner: 'u', createdAt: 1 });
const subscription = (f: string, d: string) => ({
  filter: SubscriptionStore.id(keys('CIM_IndicationFilter', f)), handler: SubscriptionStore.id(keys('CIM_ListenerDestinationCIMXML', d)), state: 2, owner: 'u',
});

describe('DSP1054 indications: records read back from the subscriptions file', function () {
  this.timeout(20_000);

  it('a filter whose SourceNamespaces hold no text is left out (logged): it threw at every event, and the subscriptions after it got nothing', async () => {
    const text = JSON.stringify({
      filters: [filter('damaged', [7]), filter('fine', ['root/virt'])],
      destinations: [destination('first'), destination('second')],
      subscriptions: [subscription('damaged', 'first'), subscription('fine', 'second')],
    });
    const logs: string[] = [];
    const w = await world();
    const sent: { url: string; indication: CimInstance }[] = [];
    const deps = { ...w.deps, indicationStore: { read: async () => text, write: async () => {} }, log: (l: string) => logs.push(l) };
    const stop = await startLifecycleIndications(deps, (d, indication) => sent.push({ url: d.url, indication }));
    try {
      await w.virt.defineSystem({ name: 'extra', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' } });
      for (let i = 0; i < 200 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      // the system and its RASDs, all to the listener of the intact filter
      expect(new Set(sent.map((s) => `${s.url} ${s.indication.className}`))).to.deep.equal(new Set(['http://192.0.2.1/second CIM_InstCreation']));
      expect(sent.map((s) => (s.indication.get('SourceInstance') as CimInstance).className)).to.include('Xen_ComputerSystem');
      expect(logs.join('\n')).to.match(/a damaged filter record is left out: .*"damaged"/);
    } finally {
      stop();
      await w.close();
    }
  });
});
