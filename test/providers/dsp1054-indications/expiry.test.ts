import { expect } from 'chai';
import { CimDateTime, type CimInstance, type CimInstanceName } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import type { Principal } from '../../../src/operations/provider.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { REMOVAL_ACTION, listenerUnreachable, startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';
import { createAs as create, watcher as owner, worldWithRouter } from '../indication-watch.js';
import { type World, inst, rejects, req, runTo } from '../fixture.js';

const subscriptions = (w: World) => w.enumerate('CIM_IndicationSubscription', INTEROP_NS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DSP1054 indications: subscription expiry and unreachable listeners', function () {
  this.timeout(30_000);
  let w: World;
  let listener: ExportListener;
  let delivery: IndicationDelivery;
  let stop: () => void;
  let deadUrl: string;
  beforeEach(async () => {
    w = await worldWithRouter();
    listener = await startExportListener();
    const dead = await startExportListener();
    deadUrl = dead.url;
    await dead.close();
    delivery = new IndicationDelivery({
      retryAttempts: 1, retryIntervalMs: 10, removalIntervalMs: 0,
      onUnreachable: (id) => void listenerUnreachable(w.deps, id),
    });
    stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i));
  });
  afterEach(async () => {
    stop();
    delivery.stop();
    await listener.close();
    await w.close();
  });

  async function subscribe(name: string, url: string, extra: Record<string, number> = {}): Promise<CimInstanceName> {
    const Filter = await create(w, inst('CIM_IndicationFilter', { Name: name, QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstModification WHERE SourceInstance ISA Xen_ComputerSystem' }));
    const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: `${name}-listener`, Destination: url }));
    return create(w, inst('CIM_IndicationSubscription', { Filter, Handler, ...extra }));
  }

  it('a subscription with a SubscriptionDuration shows its time remaining, then is removed when it runs out (logged)', async () => {
    const s = await subscribe('brief', listener.url, { SubscriptionDuration: 1 });
    const got = await w.get(s, INTEROP_NS);
    expect(got.get('SubscriptionDuration')).to.equal(1);
    expect(Number(got.get('SubscriptionTimeRemaining'))).to.be.within(0, 1);
    const start = (got.get('SubscriptionStartTime') as CimDateTime).toDate()!.getTime();
    expect(Math.abs(start - Date.now())).to.be.below(5_000);
    expect(got.get('TimeOfLastStateChange')).to.be.instanceOf(CimDateTime);
    await sleep(1_100);
    await runTo(w.virt, 'router', 'paused');
    await delivery.idle();
    expect(listener.received).to.deep.equal([]);
    expect(await subscriptions(w)).to.deep.equal([]);
    expect(w.logs.join('\n')).to.match(/expired after its SubscriptionDuration of 1 s: removed/);
  });

  it('refuses a SubscriptionDuration of 0 and a SubscriptionState other than Enabled or Disabled', async () => {
    await rejects(subscribe('zero', listener.url, { SubscriptionDuration: 0 }), 'CIM_ERR_INVALID_PARAMETER', /SubscriptionDuration must be a number of seconds above 0/);
    const Filter = await create(w, inst('CIM_IndicationFilter', { Name: 'f', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstCreation' }));
    const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'h', Destination: listener.url }));
    await rejects(create(w, inst('CIM_IndicationSubscription', { Filter, Handler, SubscriptionState: 7 })), 'CIM_ERR_INVALID_PARAMETER', /SubscriptionState must be 2 \(Enabled\) or 4 \(Disabled\)/);
    expect(await subscriptions(w)).to.deep.equal([]);
  });

  it('a listener that keeps failing past the retry policy has its subscriptions disabled (SubscriptionRemovalAction), the others go on', async () => {
    const dead = await subscribe('to-the-dead', deadUrl);
    await subscribe('alive', listener.url);
    await runTo(w.virt, 'router', 'paused');
    await listener.waitFor(1);
    for (let i = 0; i < 100 && Number((await w.get(dead, INTEROP_NS)).get('SubscriptionState')) !== 4; i++) await sleep(20);
    const s = await w.get(dead, INTEROP_NS);
    expect(Number(s.get('SubscriptionState'))).to.equal(4);
    expect(w.logs.join('\n')).to.match(/indication listener to-the-dead-listener \(http:\/\/127\.0\.0\.1:\d+\) unreachable past the retry policy: subscription of filter to-the-dead disabled/);
    expect(delivery.counts.unreachable).to.equal(1);
    // A disabled subscription is offered nothing more; the live one goes on.
    const attempts = delivery.counts.failedAttempts;
    await runTo(w.virt, 'router', 'running');
    await listener.waitFor(2);
    await delivery.idle();
    expect(delivery.counts.failedAttempts).to.equal(attempts);
  });

  it('the owner enables a disabled subscription again with ModifyInstance; nobody else may, and nothing but state and duration changes', async () => {
    const s = await subscribe('paused-one', listener.url, { SubscriptionState: 4 });
    await runTo(w.virt, 'router', 'paused');
    await w.virt.events.refresh();
    await delivery.idle();
    expect(listener.received).to.deep.equal([]);
    const modify = (who: Principal, props: Record<string, number>) => {
      const m = inst('CIM_IndicationSubscription', props);
      m.path = s;
      return w.ops.intrinsic(req('ModifyInstance', { ModifiedInstance: m, PropertyList: Object.keys(props) }, INTEROP_NS), who);
    };
    await rejects(modify({ name: 'bob', role: 'operator' }, { SubscriptionState: 2 }), 'CIM_ERR_ACCESS_DENIED', /watcher/);
    await rejects(modify(owner, { OnFatalErrorPolicy: 4 }), 'CIM_ERR_NOT_SUPPORTED', /not OnFatalErrorPolicy/);
    await rejects(modify(owner, { SubscriptionState: 3 }), 'CIM_ERR_INVALID_PARAMETER', /SubscriptionState must be 2/);
    await modify(owner, { SubscriptionState: 2, SubscriptionDuration: 3600 });
    const got = await w.get(s, INTEROP_NS);
    expect(Number(got.get('SubscriptionState'))).to.equal(2);
    expect(Number(got.get('SubscriptionTimeRemaining'))).to.be.within(3590, 3600);
    await runTo(w.virt, 'router', 'running');
    // the request (RequestedState 2) may come first, then the state change itself
    const running = (i: CimInstance) => Number((i.get('SourceInstance') as CimInstance).get('EnabledState')) === 2;
    for (let n = 1; !listener.received.some(running); n++) await listener.waitFor(n);
    expect(listener.received.every((i) => Number((i.get('PreviousInstance') as CimInstance).get('EnabledState')) === 9)).to.equal(true);
  });

  it('with the Remove action the subscriptions of an unreachable listener are deleted', async () => {
    await subscribe('gone', deadUrl);
    const id = 'cim_listenerdestinationcimxml|gone-listener';
    await listenerUnreachable(w.deps, id, REMOVAL_ACTION.remove);
    expect(await subscriptions(w)).to.deep.equal([]);
    expect(w.logs.join('\n')).to.match(/subscription of filter gone removed/);
  });
});
