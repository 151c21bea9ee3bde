/**
 * DSP1054 over HTTP: a client subscribes with CIM-XML CreateInstance in root/interop, the server
 * evaluates each filter's whole query against every indication and exports what it selects to
 * the listener (test/support/export-listener.ts checks the requests as pywbem's WBEMListener does).
 */
import { expect } from 'chai';
import type { CimInstance } from '../../src/cim/index.js';
import type { TargetState } from '../../src/virt/index.js';
import { intrinsic, type ClientOptions } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { startExportListener, type ExportListener } from '../support/export-listener.js';
import { instanceXml } from '../support/virt-client.js';

const embedded = (i: CimInstance, p: string): CimInstance => i.get(p) as CimInstance;

/** The INSTANCENAME a CreateInstance answered, as XML to put in a reference. */
async function create(c: ClientOptions, instance: string): Promise<{ name?: string; error?: { code: number; description: string } }> {
  const r = await intrinsic(c, 'CreateInstance', { NewInstance: instance });
  if (r.error) return { error: r.error };
  const m = /<INSTANCENAME[\s\S]*<\/INSTANCENAME>/.exec(r.raw.body);
  return { name: m![0] };
}

const ref = (name: string, className: string, xml: string): string =>
  `<PROPERTY.REFERENCE NAME="${name}" REFERENCECLASS="${className}"><VALUE.REFERENCE>${xml}</VALUE.REFERENCE></PROPERTY.REFERENCE>`;

/** Creates a filter, a destination and a subscription; answers the subscription's INSTANCENAME. */
export async function subscribe(c: ClientOptions, id: string, query: string, listenerUrl: string, language = 'WQL'): Promise<string> {
  const f = await create(c, instanceXml('CIM_IndicationFilter', {
    Name: ['string', id], Query: ['string', query], QueryLanguage: ['string', language], SourceNamespaces: ['string', ['root/virt']],
  }));
  expect(f.error, JSON.stringify(f.error)).to.equal(undefined);
  const d = await create(c, instanceXml('CIM_ListenerDestinationCIMXML', { Name: ['string', `${id}-listener`], Destination: ['string', listenerUrl] }));
  expect(d.error, JSON.stringify(d.error)).to.equal(undefined);
  const s = await create(c, `<INSTANCE CLASSNAME="CIM_IndicationSubscription">${ref('Filter', 'CIM_IndicationFilter', f.name!)}${ref('Handler', 'CIM_ListenerDestinationCIMXML', d.name!)}</INSTANCE>`);
  expect(s.error, JSON.stringify(s.error)).to.equal(undefined);
  return s.name!;
}

describe('e2e: DSP1054 filters evaluated over HTTP with CIM-XML', function () {
  this.timeout(60_000);
  let app: AppServer;
  let c: ClientOptions;
  let listener: ExportListener;
  const runTo = async (name: string, target: TargetState): Promise<void> => {
    const r = await app.server.virt.requestStateChange(name, target);
    if (r.kind === 'job') await r.job.done;
  };
  beforeEach(async () => {
    app = await startAppServer({ metricsIntervalMs: 0, alertThresholds: { MemoryInUse: 100 } });
    c = { port: app.port, namespace: 'root/interop' };
    listener = await startExportListener();
    for (const name of ['a', 'b']) {
      await app.server.virt.defineSystem({ name, type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
      await runTo(name, 'running');
    }
    await app.server.virt.events.refresh();
  });
  afterEach(async () => {
    await listener.close();
    await app.close();
  });

  it('selects on SourceInstance and PreviousInstance properties and projects the SELECT list', async () => {
    await subscribe(c, 'paused', 'SELECT SourceInstance.Name, SourceInstance.EnabledState FROM CIM_InstModification ' +
      'WHERE SourceInstance ISA Xen_ComputerSystem AND SourceInstance.EnabledState = 9 AND PreviousInstance.EnabledState <> SourceInstance.EnabledState', listener.url);
    await runTo('a', 'paused');
    await runTo('a', 'running'); // EnabledState 2: not selected
    await runTo('b', 'paused');
    const got = await listener.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(listener.received).to.have.length(2);
    expect(got.map((i) => [i.className, embedded(i, 'SourceInstance').get('Name'), Number(embedded(i, 'SourceInstance').get('EnabledState'))]))
      .to.deep.equal([['CIM_InstModification', 'a', 9], ['CIM_InstModification', 'b', 9]]);
    // Only what the SELECT list names: no PreviousInstance, and a SourceInstance of two properties.
    expect(got[0]!.get('PreviousInstance')).to.equal(undefined);
    expect(embedded(got[0]!, 'SourceInstance').properties.names()).to.deep.equal(['Name', 'EnabledState']);
    expect(got[0]!.get('IndicationFilterName')).to.equal('paused');
    expect(got.map((i) => Number(i.get('SequenceNumber')))).to.deep.equal([0, 1]);
  });

  it('evaluates a DMTF:CQL class-scoped condition (SourceInstance.CIM_ComputerSystem::EnabledState = 3)', async () => {
    await subscribe(c, 'stopped', 'SELECT * FROM CIM_InstModification WHERE SourceInstance.CIM_ComputerSystem::EnabledState = 3', listener.url, 'DMTF:CQL');
    await runTo('a', 'paused');
    await runTo('b', 'defined');
    const got = await listener.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(listener.received).to.have.length(1);
    expect(embedded(got[0]!, 'SourceInstance').get('Name')).to.equal('b');
    expect(Number(embedded(got[0]!, 'PreviousInstance').get('EnabledState'))).to.equal(2);
  });

  it('refuses a filter whose query cannot be evaluated with CIM_ERR_INVALID_PARAMETER naming the problem, creating nothing', async () => {
    const bad = await create(c, instanceXml('CIM_IndicationFilter', {
      Name: ['string', 'bad'], QueryLanguage: ['string', 'WQL'],
      Query: ['string', 'SELECT * FROM CIM_InstModification WHERE SourceInstance.EnabledState = = 3'],
    }));
    expect(bad.error?.code).to.equal(4);
    expect(bad.error?.description).to.match(/Query is not a valid WQL query: syntax error at position \d+: expected a property name, found "="/);
    const unknown = await create(c, instanceXml('CIM_IndicationFilter', {
      Name: ['string', 'bad'], QueryLanguage: ['string', 'WQL'], Query: ['string', 'SELECT * FROM CIM_InstModification WHERE Colour = 3'],
    }));
    expect(unknown.error?.code).to.equal(4);
    expect(unknown.error?.description).to.match(/has no property "Colour"/);
    const names = await intrinsic(c, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="CIM_IndicationFilter"/>' });
    expect(names.raw.body).to.not.match(/INSTANCENAME/);
  });

  it('a device added to a system arrives as a RASD creation, and memory over the configured threshold as an alert', async () => {
    await subscribe(c, 'rasds', 'SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_ResourceAllocationSettingData', listener.url);
    const alerts = await startExportListener();
    try {
      await subscribe(c, 'alerts', "SELECT * FROM CIM_AlertIndication WHERE MessageID = 'XEN4'", alerts.url);
      await app.server.virt.changeResources([{ system: 'a', action: 'add_nic', nic: { bridge: 'xenbr0' } }]);
      const [created] = await listener.waitFor(1);
      expect(embedded(created!, 'SourceInstance').className).to.equal('Xen_NetResourceAllocationSettingData');
      await app.server.virt.metrics.sample();
      const got = await alerts.waitFor(2);
      expect(got.map((i) => String(i.get('Description'))).sort()).to.deep.equal([
        'MemoryInUse of virtual system a is 128, above its threshold of 100', 'MemoryInUse of virtual system b is 128, above its threshold of 100',
      ]);
    } finally {
      await alerts.close();
    }
  });
});

describe('e2e: DSP1054 service capabilities and a subscription modified by its owner over HTTP', function () {
  this.timeout(60_000);
  let app: AppServer;
  before(async () => {
    app = await startAppServer({ users: [{ name: 'alice', password: 'pw', role: 'reader' }, { name: 'bob', password: 'pw', role: 'reader' }] });
  });
  after(async () => app?.close());

  it('the capabilities hang off the service; a reader disables her own subscription with ModifyInstance, not another reader', async () => {
    const alice: ClientOptions = { port: app.port, namespace: 'root/interop', user: 'alice', password: 'pw' };
    const caps = await intrinsic(alice, 'Associators', {
      ObjectName: '<INSTANCENAME CLASSNAME="CIM_IndicationService"><KEYBINDING NAME="CreationClassName"><KEYVALUE>CIM_IndicationService</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="Name"><KEYVALUE>IndicationService</KEYVALUE></KEYBINDING><KEYBINDING NAME="SystemCreationClassName"><KEYVALUE>Xen_HostSystem</KEYVALUE></KEYBINDING>' +
        '<KEYBINDING NAME="SystemName"><KEYVALUE>xenhost-test</KEYVALUE></KEYBINDING></INSTANCENAME>',
      AssocClass: '<CLASSNAME NAME="CIM_ElementCapabilities"/>',
    });
    expect(caps.error).to.equal(undefined);
    expect(caps.raw.body).to.match(/CLASSNAME="CIM_IndicationServiceCapabilities"/);
    expect(caps.raw.body).to.match(/NAME="MaxActiveSubscriptions" TYPE="uint32"><VALUE>1000</);
    const sub = await subscribe(alice, 'mine', 'SELECT * FROM CIM_InstCreation', 'http://192.0.2.1:1');
    const modified = (state: number): string =>
      `<VALUE.NAMEDINSTANCE>${sub}<INSTANCE CLASSNAME="CIM_IndicationSubscription"><PROPERTY NAME="SubscriptionState" TYPE="uint16"><VALUE>${state}</VALUE></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE>`;
    const list = '<VALUE.ARRAY><VALUE>SubscriptionState</VALUE></VALUE.ARRAY>';
    const byBob = await intrinsic({ ...alice, user: 'bob' }, 'ModifyInstance', { ModifiedInstance: modified(4), PropertyList: list });
    expect(byBob.error?.code).to.equal(2);
    expect(byBob.error?.description).to.match(/belongs to user 'alice'/);
    const byAlice = await intrinsic(alice, 'ModifyInstance', { ModifiedInstance: modified(4), PropertyList: list });
    expect(byAlice.error, JSON.stringify(byAlice.error)).to.equal(undefined);
    const got = await intrinsic(alice, 'GetInstance', { InstanceName: sub });
    expect(got.raw.body).to.match(/NAME="SubscriptionState" TYPE="uint16"><VALUE>4</);
  });
});
