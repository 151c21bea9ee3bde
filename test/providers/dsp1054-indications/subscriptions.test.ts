import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import type { Principal } from '../../../src/operations/provider.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { indications } from '../../../src/providers/dsp1054-indications/index.js';
import type { TextStore } from '../../../src/providers/shared/deps.js';
import { type World, associators, cn, inst, rejects, req, world } from '../fixture.js';

const alice: Principal = { name: 'alice', role: 'reader' };
const bob: Principal = { name: 'bob', role: 'operator' };
const root: Principal = { name: 'root', role: 'admin' };

const filter = (name: string, query = "SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_ComputerSystem", language = 'WQL') =>
  inst('CIM_IndicationFilter', { Name: name, CreationClassName: 'CIM_IndicationFilter', Query: query, QueryLanguage: language, SourceNamespaces: ['root/virt'] });
// TEST-NET-1 (RFC 5737): nothing is delivered in these tests
const destination = (name: string, url = 'http://192.0.2.10:5990') =>
  inst('CIM_ListenerDestinationCIMXML', { Name: name, CreationClassName: 'CIM_ListenerDestinationCIMXML', Destination: url });

async function create(w: World, who: Principal, instance: ReturnType<typeof inst>): Promise<CimInstanceName> {
  const r = (await w.ops.intrinsic(req('CreateInstance', { NewInstance: instance }, INTEROP_NS), who)).result;
  if (r.kind !== 'instanceName') throw new Error(r.kind);
  return r.name;
}
async function names(w: World, className: string): Promise<CimInstanceName[]> {
  const r = (await w.ops.intrinsic(req('EnumerateInstanceNames', { ClassName: cn(className) }, INTEROP_NS), root)).result;
  if (r.kind !== 'instanceNames') throw new Error(r.kind);
  return r.names;
}
const del = (w: World, who: Principal, name: CimInstanceName) => w.ops.intrinsic(req('DeleteInstance', { InstanceName: name }, INTEROP_NS), who);

describe('DSP1054 indications: subscriptions in root/interop', function () {
  this.timeout(20_000);
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(() => w.close());

  it('creates, enumerates, gets and deletes a filter, a listener destination and a subscription', async () => {
    const f = await create(w, alice, filter('f1'));
    const d = await create(w, alice, destination('d1'));
    const s = await create(w, alice, inst('CIM_IndicationSubscription', { Filter: f, Handler: d }));
    expect((await names(w, 'CIM_IndicationFilter')).map((n) => n.key('Name'))).to.deep.equal(['f1']);
    expect((await names(w, 'CIM_ListenerDestinationCIMXML')).map((n) => n.key('Name'))).to.deep.equal(['d1']);
    expect(await names(w, 'CIM_IndicationSubscription')).to.have.length(1);
    const got = await w.get(f, INTEROP_NS);
    expect(got.get('Query')).to.match(/FROM CIM_InstModification/);
    expect(got.get('SystemName')).to.equal('testhost');
    const sub = await w.get(s, INTEROP_NS);
    expect(sub.get('SubscriptionState')).to.equal(2);
    await rejects(del(w, alice, f), 'CIM_ERR_FAILED', /used by a subscription/);
    await del(w, alice, s);
    await del(w, alice, f);
    await del(w, alice, d);
    expect(await names(w, 'CIM_IndicationSubscription')).to.deep.equal([]);
    expect(await names(w, 'CIM_IndicationFilter')).to.deep.equal([]);
  });

  it('asks the host to be watched promptly while an enabled subscription exists, and relaxed once none does', async () => {
    const told: boolean[] = [];
    w.virt.watchChanges = (prompt: boolean) => { told.push(prompt); };
    const f = await create(w, alice, filter('f1'));
    const d = await create(w, alice, destination('d1'));
    expect(told.at(-1)).to.equal(false); // a filter and a destination alone wait for nothing
    const s = await create(w, alice, inst('CIM_IndicationSubscription', { Filter: f, Handler: d }));
    expect(told.at(-1)).to.equal(true);
    await del(w, alice, s);
    expect(told.at(-1)).to.equal(false);
  });

  it('serves the indication service with its delivery retry policy', async () => {
    const all = await w.enumerate('CIM_IndicationService', INTEROP_NS);
    expect(all).to.have.length(1);
    expect(all[0]!.get('DeliveryRetryAttempts')).to.equal(3);
    expect(all[0]!.get('DeliveryRetryInterval')).to.equal(20);
    expect(all[0]!.get('SubscriptionRemovalAction')).to.equal(3);
    expect(all[0]!.get('SubscriptionRemovalTimeInterval')).to.equal(86_400);
  });

  it('serves the service\'s capabilities through ElementCapabilities, each figure the one it enforces', async () => {
    const service = (await names(w, 'CIM_IndicationService'))[0]!;
    const caps = await associators(w, service, INTEROP_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(caps.map((c) => c.className)).to.deep.equal(['CIM_IndicationServiceCapabilities']);
    const c = caps[0]!;
    for (const p of ['FilterCreationEnabledIsSettable', 'DeliveryRetryAttemptsIsSettable', 'DeliveryRetryIntervalIsSettable', 'SubscriptionRemovalActionIsSettable', 'SubscriptionRemovalTimeIntervalIsSettable']) {
      expect(c.get(p), p).to.equal(false);
    }
    expect(c.get('SubscriptionsPersisted')).to.equal(true);
    expect(c.get('MaxActiveSubscriptions')).to.equal(1000);
    expect(c.get('MaxListenerDestinations')).to.equal(1000);
    for (let i = 0; i < 1000; i++) await create(w, root, destination(`d${i}`));
    await rejects(create(w, root, destination('one-too-many')), 'CIM_ERR_FAILED', /at most 1000 listener destinations \(MaxListenerDestinations\)/);
    expect(await names(w, 'CIM_ListenerDestinationCIMXML')).to.have.length(1000);
  });

  it('keeps at most 1000 filters too: a reader cannot grow the stored set without bound', async () => {
    for (let i = 0; i < 1000; i++) await create(w, root, filter(`f${i}`));
    await rejects(create(w, root, filter('one-too-many')), 'CIM_ERR_FAILED', /at most 1000 filters/);
    expect(await names(w, 'CIM_IndicationFilter')).to.have.length(1000);
  });

  it('keeps a user who is not an administrator to 100 filters, destinations and subscriptions: one reader cannot take the whole service from the others', async () => {
    for (let i = 0; i < 100; i++) {
      const f = await create(w, alice, filter(`f${i}`));
      const d = await create(w, alice, destination(`d${i}`));
      await create(w, alice, inst('CIM_IndicationSubscription', { Filter: f, Handler: d }));
    }
    await rejects(create(w, alice, filter('more')), 'CIM_ERR_FAILED', /user 'alice' already has 100 filters: a user who is not an administrator keeps at most 100/);
    await rejects(create(w, alice, destination('more')), 'CIM_ERR_FAILED', /user 'alice' already has 100 listener destinations/);
    const f0 = (await names(w, 'CIM_IndicationFilter')).find((n) => n.key('Name') === 'f0')!;
    const d1 = (await names(w, 'CIM_ListenerDestinationCIMXML')).find((n) => n.key('Name') === 'd1')!;
    await rejects(create(w, alice, inst('CIM_IndicationSubscription', { Filter: f0, Handler: d1 })), 'CIM_ERR_FAILED', /user 'alice' already has 100 subscriptions/);
    // the others are not held up by her: an administrator, another reader
    const root1 = await create(w, root, destination('roots'));
    await create(w, root, inst('CIM_IndicationSubscription', { Filter: f0, Handler: root1 }));
    const bobs = await create(w, bob, destination('bobs'));
    const bobsF = await create(w, bob, filter('bobs'));
    await create(w, bob, inst('CIM_IndicationSubscription', { Filter: bobsF, Handler: bobs }));
    expect(await names(w, 'CIM_IndicationSubscription')).to.have.length(102);
    // what alice deletes she may create again
    await del(w, alice, (await names(w, 'CIM_IndicationSubscription')).find((n) => (n.key('Handler') as CimInstanceName).key('Name') === 'd99')!);
    await del(w, alice, (await names(w, 'CIM_ListenerDestinationCIMXML')).find((n) => n.key('Name') === 'd99')!);
    await create(w, alice, destination('again'));
  });

  it('lets only the owner or an administrator delete a subscription', async () => {
    const f = await create(w, alice, filter('f1'));
    const d = await create(w, alice, destination('d1'));
    const s = await create(w, alice, inst('CIM_IndicationSubscription', { Filter: f, Handler: d }));
    await rejects(del(w, bob, s), 'CIM_ERR_ACCESS_DENIED', /alice/);
    expect(await names(w, 'CIM_IndicationSubscription')).to.have.length(1);
    await del(w, root, s);
    expect(await names(w, 'CIM_IndicationSubscription')).to.deep.equal([]);
  });

  it('subscribes only the user\'s own filter and listener destination: nobody else may aim indications at them or pin them', async () => {
    const f = await create(w, alice, filter('alice-filter'));
    const d = await create(w, alice, destination('alice-listener'));
    const bobsF = await create(w, bob, filter('bob-filter'));
    const bobsD = await create(w, bob, destination('bob-listener'));
    await rejects(create(w, bob, inst('CIM_IndicationSubscription', { Filter: f, Handler: bobsD })), 'CIM_ERR_ACCESS_DENIED', /filter alice-filter belongs to user 'alice'/);
    await rejects(create(w, bob, inst('CIM_IndicationSubscription', { Filter: bobsF, Handler: d })), 'CIM_ERR_ACCESS_DENIED', /listener destination alice-listener belongs to user 'alice'/);
    expect(await names(w, 'CIM_IndicationSubscription')).to.deep.equal([]);
    // alice's records stay hers to delete
    await del(w, alice, f);
    await del(w, alice, d);
    // an administrator may join anyone's
    await create(w, root, inst('CIM_IndicationSubscription', { Filter: bobsF, Handler: bobsD }));
    expect(await names(w, 'CIM_IndicationSubscription')).to.have.length(1);
  });

  it('lets only an administrator aim a listener destination at the server\'s own host (loopback, link-local, unspecified)', async () => {
    for (const url of [
      'http://127.0.0.1:5990', 'http://127.9.9.9/', 'http://2130706433/', 'http://localhost:5990', 'http://api.localhost/',
      'http://[::1]:5990/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0:5990', 'http://[::]/', 'http://169.254.169.254/latest', 'https://[fe80::1]/',
    ]) {
      await rejects(create(w, bob, destination('near', url)), 'CIM_ERR_ACCESS_DENIED', /only an administrator may aim a listener destination at the server's own host/);
    }
    expect(await names(w, 'CIM_ListenerDestinationCIMXML')).to.deep.equal([]);
    await create(w, alice, destination('elsewhere', 'http://10.1.2.3:5990'));
    await create(w, root, destination('near', 'http://127.0.0.1:5990'));
    expect(await names(w, 'CIM_ListenerDestinationCIMXML')).to.have.length(2);
  });

  it('refuses values too long to keep: a Name past its MaxLen of 256, a Query past 64 KiB, a Destination past 4 KiB', async () => {
    await rejects(create(w, alice, filter('n'.repeat(257))), 'CIM_ERR_INVALID_PARAMETER', /CIM_IndicationFilter\.Name is longer than 256 characters/);
    const long = `SELECT * FROM CIM_InstModification WHERE SourceInstance.Name = '${'x'.repeat(65_536)}'`;
    await rejects(create(w, alice, filter('long', long)), 'CIM_ERR_INVALID_PARAMETER', /CIM_IndicationFilter\.Query is longer than 65536 characters/);
    await rejects(create(w, alice, destination('long', `http://192.0.2.1/${'p'.repeat(4096)}`)), 'CIM_ERR_INVALID_PARAMETER', /CIM_ListenerDestinationCIMXML\.Destination is longer than 4096 characters/);
    const many = filter('many');
    many.set('SourceNamespaces', Array.from({ length: 1000 }, () => 'root/virt'));
    await rejects(create(w, alice, many), 'CIM_ERR_INVALID_PARAMETER', /SourceNamespaces has more than 16 entries/);
    expect(await names(w, 'CIM_IndicationFilter')).to.deep.equal([]);
    expect(await names(w, 'CIM_ListenerDestinationCIMXML')).to.deep.equal([]);
  });

  it('refuses a bad query, an unknown language, a duplicate and a dangling reference, changing nothing', async () => {
    await rejects(create(w, alice, filter('bad', 'DELETE FROM x')), 'CIM_ERR_INVALID_PARAMETER', /Query is not a valid WQL query: syntax error at position 1/);
    await rejects(create(w, alice, filter('bad', 'SELECT * FROM No_Such_Class')), 'CIM_ERR_INVALID_PARAMETER', /No_Such_Class is not known/);
    await rejects(create(w, alice, filter('bad', 'SELECT * FROM CIM_InstCreation', 'XPath')), 'CIM_ERR_INVALID_PARAMETER', /XPath/);
    // a filter that would never select anything: every indication of this server originates in root/virt
    const elsewhere = filter('elsewhere');
    elsewhere.set('SourceNamespaces', ['root/cimv2']);
    await rejects(create(w, alice, elsewhere), 'CIM_ERR_INVALID_PARAMETER', /SourceNamespaces root\/cimv2: .*root\/virt/);
    await create(w, alice, filter('cql', 'SELECT * FROM CIM_InstCreation', 'DMTF:CQL'));
    await rejects(create(w, bob, filter('cql')), 'CIM_ERR_ALREADY_EXISTS');
    await rejects(create(w, alice, destination('d', 'file:///etc/passwd')), 'CIM_ERR_INVALID_PARAMETER');
    // every user reads every Destination, and it would go as Basic authentication to the listener
    await rejects(create(w, alice, destination('d', 'http://alice:secret@10.0.0.1:5990/')), 'CIM_ERR_INVALID_PARAMETER', /must not carry a user name or password/);
    // a refused URL's credentials are not echoed: the error text goes to the audit log too
    for (const url of ['ftp://alice:secret@10.0.0.1/', 'http//alice:secret@10.0.0.1/x', 'htp://alice:secret@[10.0.0.1/']) {
      const e = await w.ops.intrinsic(req('CreateInstance', { NewInstance: destination('d', url) }, INTEROP_NS), alice).catch((x: { description: string }) => x);
      expect((e as { description: string }).description, url).to.match(/^Destination (is not a URL|must be an http or https URL)/).and.not.contain('secret');
    }
    expect(await names(w, 'CIM_ListenerDestinationCIMXML')).to.deep.equal([]);
    const f = (await names(w, 'CIM_IndicationFilter'))[0]!;
    const ghost = CimInstanceName.of('CIM_ListenerDestinationCIMXML', { CreationClassName: 'CIM_ListenerDestinationCIMXML', Name: 'ghost', SystemCreationClassName: 'CIM_ComputerSystem', SystemName: 'testhost' });
    await rejects(create(w, alice, inst('CIM_IndicationSubscription', { Filter: f, Handler: ghost })), 'CIM_ERR_INVALID_PARAMETER');
    expect(await names(w, 'CIM_IndicationFilter')).to.have.length(1);
    expect(await names(w, 'CIM_IndicationSubscription')).to.deep.equal([]);
  });

  it('refuses a CreationClassName other than the class created: the path it answered named a class that does not hold the record', async () => {
    const odd = filter('odd');
    odd.set('CreationClassName', 'Bogus');
    await rejects(create(w, alice, odd), 'CIM_ERR_INVALID_PARAMETER', /CIM_IndicationFilter\.CreationClassName must be CIM_IndicationFilter, not Bogus/);
    const crossed = destination('crossed');
    crossed.set('CreationClassName', 'CIM_IndicationFilter');
    await rejects(create(w, alice, crossed), 'CIM_ERR_INVALID_PARAMETER', /CreationClassName must be CIM_ListenerDestinationCIMXML/);
    expect(await names(w, 'CIM_IndicationFilter')).to.deep.equal([]);
    expect(await names(w, 'CIM_ListenerDestinationCIMXML')).to.deep.equal([]);
    // the class's own name in any case is the class: the path answered is usable as it is
    const folded = filter('folded');
    folded.set('CreationClassName', 'cim_indicationfilter');
    const f = await create(w, alice, folded);
    expect(f.className).to.equal('CIM_IndicationFilter');
    expect(f.key('CreationClassName')).to.equal('CIM_IndicationFilter');
    expect((await w.get(f, INTEROP_NS)).get('Name')).to.equal('folded');
    await del(w, alice, f);
  });

  it('still answers reads when an expired subscription cannot be removed (its write fails): it is hidden, and removed once a write succeeds', async () => {
    let fail = false;
    let file: string | undefined;
    const store: TextStore = { read: async () => file, write: async (t) => { if (fail) throw new Error('disk full'); file = t; } };
    const p = indications({ ...w.deps, indicationStore: store })[0]!.provider;
    const ctx = { ...w.ctx(INTEROP_NS), principal: alice };
    const f = await p.createInstance!(ctx, filter('brief'));
    const d = await p.createInstance!(ctx, destination('there'));
    await p.createInstance!(ctx, inst('CIM_IndicationSubscription', { Filter: f, Handler: d, SubscriptionDuration: 1 }));
    fail = true;
    await new Promise((r) => setTimeout(r, 1100));
    expect(await p.enumerateInstances(ctx, 'CIM_IndicationFilter', { propertyList: null })).to.have.length(1);
    expect(await p.enumerateInstances(ctx, 'CIM_IndicationSubscription', { propertyList: null })).to.deep.equal([]);
    fail = false;
    await p.enumerateInstances(ctx, 'CIM_ListenerDestinationCIMXML', { propertyList: null });
    expect(JSON.parse(file!).subscriptions).to.deep.equal([]);
  });

  it('keeps subscriptions across a restart through the store it is given', async () => {
    let file: string | undefined;
    let writes = 0;
    const store: TextStore = { read: async () => file, write: async (t) => { file = t; writes++; } };
    const first = indications({ ...w.deps, indicationStore: store })[0]!.provider;
    const ctx = { ...w.ctx(INTEROP_NS), principal: alice };
    const f = await first.createInstance!(ctx, filter('kept'));
    const d = await first.createInstance!(ctx, destination('there'));
    await first.createInstance!(ctx, inst('CIM_IndicationSubscription', { Filter: f, Handler: d }));
    expect(writes).to.equal(3);
    const again = indications({ ...w.deps, indicationStore: store })[0]!.provider;
    const subs = await again.enumerateInstances(ctx, 'CIM_IndicationSubscription', { propertyList: null });
    expect(subs).to.have.length(1);
    expect((subs[0]!.get('Filter') as CimInstanceName).key('Name')).to.equal('kept');
    await rejects(again.deleteInstance!({ ...ctx, principal: bob }, subs[0]!.path!), 'CIM_ERR_ACCESS_DENIED');
  });
});
