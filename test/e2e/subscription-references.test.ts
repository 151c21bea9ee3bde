/**
 * A subscription's Filter and Handler over HTTP, byte for byte as pywbem's
 * WBEMSubscriptionManager sends and reads them: its references carry root/interop
 * (LOCALINSTANCEPATH, DSP0201), because a client recognises the subscriptions of the filters and
 * destinations it owns by comparing whole paths (pywbem does so in add_server, pywbemcli in
 * `subscription remove-subscription`); a bare INSTANCENAME compared unequal, so a second pywbem
 * process never found its subscriptions and could not remove its filter.
 */
import { expect } from 'chai';
import { intrinsic, type ClientOptions } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { instanceXml } from '../support/virt-client.js';

const INTEROP = '<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="interop"/></LOCALNAMESPACEPATH>';

function scoped(className: string, name: string): string {
  const kb = (n: string, v: string) => `<KEYBINDING NAME="${n}"><KEYVALUE VALUETYPE="string" TYPE="string">${v}</KEYVALUE></KEYBINDING>`;
  return `<INSTANCENAME CLASSNAME="${className}">${kb('SystemCreationClassName', 'CIM_ComputerSystem')}${kb('SystemName', 'xenhost01')}` +
    `${kb('CreationClassName', className)}${kb('Name', name)}</INSTANCENAME>`;
}

/** The reference as pywbem writes it, and as the server must answer it. */
const local = (className: string, name: string): string =>
  `<VALUE.REFERENCE><LOCALINSTANCEPATH>${INTEROP}${scoped(className, name)}</LOCALINSTANCEPATH></VALUE.REFERENCE>`;

const FILTER = local('CIM_IndicationFilter', 'pywbemfilter:ops:vs');
const HANDLER = local('CIM_ListenerDestinationCIMXML', 'pywbemdestination:ops:d1');

describe('e2e: DSP1054 subscription references carry their namespace, as pywbem compares them', function () {
  this.timeout(60_000);
  let app: AppServer;
  let c: ClientOptions;
  beforeEach(async () => {
    app = await startAppServer({ metricsIntervalMs: 0, hostName: 'xenhost01' });
    c = { port: app.port, namespace: 'root/interop' };
    for (const inst of [
      instanceXml('CIM_IndicationFilter', {
        Name: ['string', 'pywbemfilter:ops:vs'], Query: ['string', 'SELECT * FROM CIM_InstModification'],
        QueryLanguage: ['string', 'WQL'], SourceNamespaces: ['string', ['root/virt']],
      }),
      instanceXml('CIM_ListenerDestinationCIMXML', { Name: ['string', 'pywbemdestination:ops:d1'], Destination: ['string', 'http://127.0.0.1:5990'] }),
      '<INSTANCE CLASSNAME="CIM_IndicationSubscription">' +
        `<PROPERTY.REFERENCE NAME="Filter" REFERENCECLASS="CIM_IndicationFilter">${FILTER}</PROPERTY.REFERENCE>` +
        `<PROPERTY.REFERENCE NAME="Handler" REFERENCECLASS="CIM_ListenerDestinationCIMXML">${HANDLER}</PROPERTY.REFERENCE></INSTANCE>`,
    ]) {
      const r = await intrinsic(c, 'CreateInstance', { NewInstance: inst });
      expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    }
  });
  afterEach(async () => {
    await app.close();
  });

  it('EnumerateInstanceNames and EnumerateInstances answer Filter and Handler as LOCALINSTANCEPATHs in root/interop', async () => {
    const names = await intrinsic(c, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="CIM_IndicationSubscription"/>' });
    expect(names.raw.body).to.contain(`<KEYBINDING NAME="Filter">${FILTER}</KEYBINDING><KEYBINDING NAME="Handler">${HANDLER}</KEYBINDING>`);
    const insts = await intrinsic(c, 'EnumerateInstances', { ClassName: '<CLASSNAME NAME="CIM_IndicationSubscription"/>' });
    expect(insts.raw.body).to.contain(`<PROPERTY.REFERENCE NAME="Filter" REFERENCECLASS="CIM_IndicationFilter">${FILTER}</PROPERTY.REFERENCE>`);
    expect(insts.raw.body).to.contain(`<PROPERTY.REFERENCE NAME="Handler" REFERENCECLASS="CIM_ListenerDestination">${HANDLER}</PROPERTY.REFERENCE>`);
  });

  it('the path as answered deletes the subscription, and then its filter and destination', async () => {
    const path = `<INSTANCENAME CLASSNAME="CIM_IndicationSubscription"><KEYBINDING NAME="Filter">${FILTER}</KEYBINDING><KEYBINDING NAME="Handler">${HANDLER}</KEYBINDING></INSTANCENAME>`;
    for (const name of [path, scoped('CIM_IndicationFilter', 'pywbemfilter:ops:vs'), scoped('CIM_ListenerDestinationCIMXML', 'pywbemdestination:ops:d1')]) {
      const r = await intrinsic(c, 'DeleteInstance', { InstanceName: name });
      expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
    }
    const left = await intrinsic(c, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="CIM_IndicationSubscription"/>' });
    expect(left.raw.body).to.not.contain('CIM_IndicationFilter');
  });
});
