/** The subscription store keeps a change only once it is on disk: a failed write changes nothing. */
import { expect } from 'chai';
import { CimError } from '../../../src/cim/index.js';
import { SubscriptionStore } from '../../../src/providers/dsp1054-indications/store.js';
import type { TextStore } from '../../../src/providers/shared/deps.js';

describe('providers/dsp1054: subscription store', () => {
  const keys = (Name: string) => ({ SystemCreationClassName: 'Xen_HostSystem', SystemName: 'h', CreationClassName: 'CIM_IndicationFilter', Name });
  const filter = (Name: string) => ({ keys: keys(Name), query: 'SELECT * FROM CIM_InstModification', queryLanguage: 'WQL', sourceNamespaces: ['root/virt'], fromClass: 'CIM_InstModification', owner: 'u' });

  it('writes every change and reads it back', async () => {
    let text: string | undefined;
    const file: TextStore = { read: async () => text, write: async (t) => { text = t; } };
    const a = new SubscriptionStore(file);
    await a.load();
    await a.change(() => a.filters.set(SubscriptionStore.id(keys('f1')), filter('f1')));
    const b = new SubscriptionStore(file);
    await b.load();
    expect([...b.filters.values()].map((f) => f.keys.Name)).to.deep.equal(['f1']);
  });

  it('a change whose write fails is undone and refused with CIM_ERR_FAILED', async () => {
    let fail = false;
    let text: string | undefined;
    const file: TextStore = { read: async () => text, write: async (t) => { if (fail) throw new Error('disk full'); text = t; } };
    const logs: string[] = [];
    const s = new SubscriptionStore(file, (l) => logs.push(l));
    await s.load();
    await s.change(() => s.filters.set(SubscriptionStore.id(keys('f1')), filter('f1')));
    fail = true;
    const e = await s.change(() => {
      s.filters.delete(SubscriptionStore.id(keys('f1')));
      s.filters.set(SubscriptionStore.id(keys('f2')), filter('f2'));
    }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('description').that.matches(/could not be stored \(disk full\); nothing changed/);
    expect([...s.filters.values()].map((f) => f.keys.Name)).to.deep.equal(['f1']);
    expect(logs.join('\n')).to.contain('disk full');
    fail = false;
    await s.change(() => s.filters.set(SubscriptionStore.id(keys('f3')), filter('f3')));
    expect(JSON.parse(text!).filters.map((f: { keys: { Name: string } }) => f.keys.Name)).to.deep.equal(['f1', 'f3']);
  });

  it('a change whose write fails undoes only itself: a change made meanwhile is kept, in memory and on disk alike', async () => {
    let text: string | undefined;
    let calls = 0;
    // the first write fails (after a while: the second change is made meanwhile), the others succeed
    const file: TextStore = {
      read: async () => text,
      write: async (t) => {
        if (++calls === 1) {
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('disk full');
        }
        text = t;
      },
    };
    const s = new SubscriptionStore(file);
    await s.load();
    const a = s.change(() => s.filters.set(SubscriptionStore.id(keys('a')), filter('a'))).catch((e: unknown) => e);
    const b = s.change(() => s.filters.set(SubscriptionStore.id(keys('b')), filter('b')));
    expect(await a).to.be.instanceOf(CimError);
    await b;
    expect([...s.filters.values()].map((f) => f.keys.Name)).to.deep.equal(['b']);
    expect(JSON.parse(text!).filters.map((f: { keys: { Name: string } }) => f.keys.Name)).to.deep.equal(['b']);
  });

  it('a damaged record read back at start-up is left out (logged), not every record after it', async () => {
    const dkeys = (Name: string) => ({ ...keys(Name), CreationClassName: 'CIM_ListenerDestinationCIMXML' });
    const text = JSON.stringify({
      filters: [filter('f1'), { query: 'no keys' }],
      destinations: [{ destination: 'http://192.0.2.1/', owner: 'u' }, { keys: dkeys('d1'), destination: 'http://192.0.2.1/', owner: 'u' }],
      subscriptions: [null, { filter: SubscriptionStore.id(keys('f1')), handler: SubscriptionStore.id(dkeys('d1')), state: 2, owner: 'u' }],
    });
    const logs: string[] = [];
    const copies: string[] = [];
    const s = new SubscriptionStore({ read: async () => text, write: async () => {}, keepCopy: async () => { copies.push(text); return 'subscriptions.json.corrupt-1'; } }, (l) => logs.push(l));
    await s.load();
    expect([...s.filters.values()].map((f) => f.keys.Name)).to.deep.equal(['f1']);
    expect([...s.destinations.values()].map((d) => d.keys.Name)).to.deep.equal(['d1']);
    expect(s.subscriptions.size).to.equal(1);
    expect(logs).to.have.length(4);
    expect(logs.join('\n')).to.match(/a damaged listener destination record is left out/);
    // the next change writes the records read over the file: what the damaged ones held is kept aside
    expect(copies).to.deep.equal([text]);
    expect(logs.at(-1)).to.match(/copied aside as subscriptions\.json\.corrupt-1/);
    const intact = new SubscriptionStore({ read: async () => JSON.stringify({ filters: [filter('f1')] }), write: async () => {}, keepCopy: async () => { copies.push('intact'); return 'x'; } });
    await intact.load();
    expect(intact.filters.size).to.equal(1);
    expect(copies).to.have.length(1); // an intact file is not copied
  });

  it('a subscription put back by a failed change is not left without the filter another change removed meanwhile', async () => {
    let text: string | undefined;
    let fail = false;
    const file: TextStore = {
      read: async () => text,
      write: async (t) => {
        if (fail) {
          fail = false;
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('disk full');
        }
        text = t;
      },
    };
    const s = new SubscriptionStore(file);
    await s.load();
    const f = SubscriptionStore.id(keys('f1'));
    const dkeys = { ...keys('d1'), CreationClassName: 'CIM_ListenerDestinationCIMXML' };
    const d = SubscriptionStore.id(dkeys);
    const sub = SubscriptionStore.subscriptionId(f, d);
    await s.change(() => {
      s.filters.set(f, filter('f1'));
      s.destinations.set(d, { keys: dkeys, destination: 'http://192.0.2.1/', owner: 'u' });
      s.subscriptions.set(sub, { filter: f, handler: d, state: 2, owner: 'u' });
    });
    fail = true;
    const a = s.change(() => s.subscriptions.delete(sub)).catch((e: unknown) => e);
    const b = s.change(() => s.filters.delete(f));
    expect(await a).to.be.instanceOf(CimError);
    await b;
    for (const x of s.subscriptions.values()) expect(s.filters.has(x.filter), 'a subscription without its filter').to.equal(true);
    expect(JSON.parse(text!).subscriptions).to.deep.equal([]);
  });
  it('a file that exists but cannot be read is not taken for an empty set: changes are refused (the write would replace it) until a read succeeds', async () => {
    let text: string | undefined = JSON.stringify({ filters: [filter('theirs')], destinations: [], subscriptions: [] });
    let broken = true;
    const file: TextStore = {
      read: async () => {
        if (broken) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        return text;
      },
      write: async (t) => { text = t; },
    };
    const logs: string[] = [];
    const s = new SubscriptionStore(file, (l) => logs.push(l));
    await s.load();
    const e = await s.change(() => s.filters.set(SubscriptionStore.id(keys('mine')), filter('mine'))).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('description').that.matches(/could not be read \(EIO: i\/o error, read\): no change is made/);
    expect(s.filters.size).to.equal(0);
    expect(JSON.parse(text).filters.map((f: { keys: { Name: string } }) => f.keys.Name)).to.deep.equal(['theirs']);
    await s.load(); // still failing: logged once
    expect(logs.filter((l) => /could not be read/.test(l))).to.have.length(1);
    broken = false;
    await s.load();
    await s.change(() => s.filters.set(SubscriptionStore.id(keys('mine')), filter('mine')));
    expect(JSON.parse(text).filters.map((f: { keys: { Name: string } }) => f.keys.Name)).to.deep.equal(['theirs', 'mine']);
    expect(logs.at(-1)).to.match(/read at last/);
  });
});
