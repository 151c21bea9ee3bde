/**
 * Virtual networks with the real sblim wbemcli: cm DefineNetwork with two new routers and a link
 * as escaped embedded instances (wbemcli sends them as escaped text), ei and ai of the network,
 * cm SetLinkBandwidth on the link, cm RequestStateChange on the network (a job), cm
 * DestroyNetwork.
 */
import { expect } from 'chai';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { requireWbemcli, wbemcli } from '../support/wbemcli.js';

const HOST = 'xenhost-test';
const SERVICE = `Xen_VirtualNetworkManagementService.CreationClassName="Xen_VirtualNetworkManagementService",Name="Network Management Service",SystemCreationClassName="Xen_HostSystem",SystemName="${HOST}"`;
const NET = (name: string) => `Xen_VirtualNetwork.CreationClassName="Xen_VirtualNetwork",Name="${name}"`;
const LINK = (id: string) => `Xen_VirtualLink.InstanceID="${id}"`;

/** wbemcli copies values verbatim into VALUE: escape the XML ourselves, '=' included. */
function esc(xml: string): string {
  return xml.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/=/g, '&#61;');
}

const prop = (name: string, type: string, value: string) => `<PROPERTY NAME="${name}" TYPE="${type}"><VALUE>${value}</VALUE></PROPERTY>`;
const router = (name: string) => `<INSTANCE CLASSNAME="Xen_VirtualSystemSettingData">${prop('VirtualSystemIdentifier', 'string', name)}${prop('VirtualSystemType', 'string', 'Xen')}</INSTANCE>`;
const LINK_XML = `<INSTANCE CLASSNAME="Xen_VirtualLink">${prop('Name', 'string', 'w1-w2')}<PROPERTY.ARRAY NAME="EndpointSystems" TYPE="string"><VALUE.ARRAY><VALUE>w1</VALUE><VALUE>w2</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>${prop('Limit', 'uint64', '20000000')}</INSTANCE>`;

describe('interop: sblim wbemcli defines, changes, launches and destroys a virtual network', function () {
  this.timeout(120_000);
  let app: AppServer;
  let U: string;
  const ok = async (...args: string[]) => {
    const r = await wbemcli(...args);
    expect(r.code, `${r.err}\n${r.out}`).to.equal(0);
    return r.out;
  };

  before(async () => {
    await requireWbemcli();
    app = await startAppServer({ users: [{ name: 'root', password: 'secret', role: 'admin' }], xl: 'processes' });
    U = `http://root:secret@127.0.0.1:${app.port}/root/virt`;
  });
  after(async () => app?.close());
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(app.log.slice(-15).join('\n'));
  });

  it('cm DefineNetwork with escaped embedded routers and link', async () => {
    const out = await ok('cm', `${U}:${SERVICE}`,
      `DefineNetwork.NetworkName=wlab,RouterSettings="${esc(router('w1'))}","${esc(router('w2'))}",RouterSettingsPriorities=10,0,Links="${esc(LINK_XML)}"`);
    expect(out).to.match(/DefineNetwork: 0/).and.contain('Xen_VirtualNetwork').and.contain('wlab');
  });

  it('ei lists the network; ai from it reaches the routers, the link and its switch', async () => {
    expect(await ok('ei', '-nl', `${U}:Xen_VirtualNetwork`)).to.contain('-Name="wlab"').and.contain('-EnabledState=3');
    const parts = await ok('ain', '-ac', 'Xen_VirtualNetworkComponent', `${U}:${NET('wlab')}`);
    expect(parts).to.contain('Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="w1"')
      .and.contain('Xen_VirtualLink.InstanceID="wlab/w1-w2"').and.contain('Xen_VirtualEthernetSwitch');
  });

  it('cm SetLinkBandwidth changes the link; gp shows it', async () => {
    expect(await ok('cm', `${U}:${SERVICE}`, `SetLinkBandwidth.AffectedLink=${LINK('wlab/w1-w2')},Limit=50000000`)).to.match(/SetLinkBandwidth: 0/);
    expect(await ok('gp', `${U}:${LINK('wlab/w1-w2')}`, 'Limit')).to.contain('50000000');
  });

  it('cm RequestStateChange on the network launches it as a job; DestroyNetwork removes it', async () => {
    const out = await ok('cm', `${U}:${NET('wlab')}`, 'RequestStateChange.RequestedState=2');
    expect(out).to.match(/RequestStateChange: 4096/).and.contain('Xen_ConcreteJob');
    const until = Date.now() + 30_000;
    const state = async () => (await ok('gp', `${U}:${NET('wlab')}`, 'EnabledState')).trim().split('\n').pop()!.trim();
    while ((await state()) !== '2') {
      if (Date.now() > until) throw new Error('the network did not come up');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await ok('cm', `${U}:${SERVICE}`, `DestroyNetwork.AffectedNetwork=${NET('wlab')}`)).to.match(/DestroyNetwork: 0/);
    expect((await wbemcli('gi', `${U}:${NET('wlab')}`)).err).to.contain('CIM_ERR_NOT_FOUND');
  });
});
