/**
 * DSP1097 with the real sblim wbemcli on the demo host (bin/xl-sim processes): ein lists the
 * switches, cm DefineSystem with an escaped embedded switch configuration creates one, ain walks
 * from a switch to its ports, cm DestroySystem removes an unused switch and is refused, naming
 * the systems, for one in use.
 */
import { expect } from 'chai';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { requireWbemcli, wbemcli } from '../support/wbemcli.js';

const HOST = 'xenhost-test';
const VSMS = `Xen_VirtualSystemManagementService.CreationClassName="Xen_VirtualSystemManagementService",Name="Management Service",SystemCreationClassName="Xen_HostSystem",SystemName="${HOST}"`;
const SW = (name: string) => `Xen_VirtualEthernetSwitch.CreationClassName="Xen_VirtualEthernetSwitch",Name="${name}"`;

/** wbemcli copies values verbatim into VALUE: escape the XML ourselves, '=' included. */
function esc(xml: string): string {
  return xml.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/=/g, '&#61;');
}

describe('interop: sblim wbemcli defines, lists and destroys virtual switches', function () {
  this.timeout(120_000);
  let app: AppServer;
  let U: string;
  const names = async () => {
    const r = await wbemcli('ein', `${U}:Xen_VirtualEthernetSwitch`);
    expect(r.code, r.err).to.equal(0);
    return [...r.out.matchAll(/Name="([^"]+)"/g)].map((m) => m[1]!).sort();
  };

  before(async () => {
    await requireWbemcli();
    app = await startAppServer({ demo: true, users: [{ name: 'root', password: 'secret', role: 'admin' }], xl: 'processes' });
    U = `http://root:secret@127.0.0.1:${app.port}/root/virt`;
  });
  after(async () => app?.close());

  it('ein lists the host\'s switches; ain walks from one to its ports', async () => {
    expect(await names()).to.include.members(['xenbr0', 'xenbr1', 'xenbr2']);
    const ports = await wbemcli('ain', '-ac', 'Xen_SystemDevice', `${U}:${SW('xenbr0')}`);
    expect(ports.code, ports.err).to.equal(0);
    expect(ports.out).to.contain('Xen_VirtualEthernetSwitchPort').and.contain('DeviceID="vr-core1/');
  });

  it('cm DefineSystem with an escaped switch configuration creates it; cm DestroySystem removes it', async () => {
    const conf = '<INSTANCE CLASSNAME="Xen_VirtualEthernetSwitchSettingData"><PROPERTY NAME="VirtualSystemIdentifier" TYPE="string"><VALUE>lab0</VALUE></PROPERTY></INSTANCE>';
    const d = await wbemcli('cm', `${U}:${VSMS}`, `DefineSystem.SystemSettings="${esc(conf)}"`);
    expect(d.code, d.err).to.equal(0);
    expect(d.out).to.contain('DefineSystem: 0').and.contain(SW('lab0'));
    expect(await names()).to.include('lab0');
    const gp = await wbemcli('gp', `${U}:${SW('lab0')}`, 'EnabledState');
    expect(gp.out.trim().split('\n').pop()!.trim()).to.equal('2');
    const x = await wbemcli('cm', `${U}:${VSMS}`, `DestroySystem.AffectedSystem=${SW('lab0')}`);
    expect(x.code, x.err).to.equal(0);
    expect(x.out).to.contain('DestroySystem: 0');
    expect(await names()).to.not.include('lab0');
  });

  it('cm DestroySystem of a switch in use fails with CIM_ERR_FAILED naming the systems; the switch stays', async () => {
    const x = await wbemcli('cm', `${U}:${VSMS}`, `DestroySystem.AffectedSystem=${SW('xenbr0')}`);
    expect(x.code).to.not.equal(0);
    expect(x.err).to.contain('CIM_ERR_FAILED').and.match(/virtual switch 'xenbr0' still has interfaces of vr-backup, vr-core1, vr-core2/);
    expect(await names()).to.include('xenbr0');
  });
});
