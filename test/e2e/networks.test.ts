/**
 * Virtual networks over HTTP with pywbem-shaped CIM-XML (PARAMTYPE on every parameter,
 * EmbeddedObject="instance" escaped instances, LOCALINSTANCEPATH references), Basic
 * authentication and roles: `xen-wbem network apply` defines a network from a YAML file (the
 * real command line, as a user runs it), the network is read and walked with Associators,
 * SetLinkBandwidth changes a link live, RequestStateChange parks and launches the network as a
 * job, a reader may not change anything, and a refused file names its fault and changes nothing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { all, first, instanceName, intrinsic, propValue, text, type ClientOptions } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { REPO_ROOT } from '../support/test-server.js';
import { call, getInstance, refKeys, refParam, waitJob } from '../support/virt-client.js';

const BIN = path.join(REPO_ROOT, 'bin', 'xen-wbem');
const HOST = 'xenhost-test';
const SERVICE = {
  className: 'Xen_VirtualNetworkManagementService',
  keys: { CreationClassName: 'Xen_VirtualNetworkManagementService', Name: 'Network Management Service', SystemCreationClassName: 'Xen_HostSystem', SystemName: HOST },
};
const NET = (name: string) => ({ className: 'Xen_VirtualNetwork', keys: { CreationClassName: 'Xen_VirtualNetwork', Name: name } });
const LINK = (network: string, link: string) => ({ className: 'Xen_VirtualLink', keys: { InstanceID: `${network}/${link}` } });

describe('e2e: virtual networks over CIM-XML and `xen-wbem network apply`', function () {
  this.timeout(120_000);
  let app: AppServer;
  let admin: ClientOptions;
  let reader: ClientOptions;
  const apply = (file: string, user = 'admin', password = 'secret') =>
    execa(BIN, ['network', 'apply', file, '--url', `http://127.0.0.1:${app.port}`, '--user', user], { env: { XEN_WBEM_PASSWORD: password }, reject: false });

  before(async () => {
    app = await startAppServer({ users: [{ name: 'admin', password: 'secret', role: 'admin' }, { name: 'viewer', password: 'pw', role: 'reader' }] });
    admin = { port: app.port, user: 'admin', password: 'secret', namespace: 'root/virt' };
    reader = { port: app.port, user: 'viewer', password: 'pw', namespace: 'root/virt' };
  });
  after(async () => app?.close());
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(app.log.slice(-15).join('\n'));
  });

  it('network apply defines examples/network.yaml: routers, the shared switch, the link with its bandwidth', async () => {
    const r = await apply(path.join(REPO_ROOT, 'examples', 'network.yaml'));
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`network lab defined from ${path.join(REPO_ROOT, 'examples', 'network.yaml')}`);
    const net = await getInstance(admin, NET('lab').className, NET('lab').keys);
    expect(propValue(net.inst!, 'EnabledState'), 'defined, stopped').to.equal('3');
    const link = await getInstance(admin, LINK('lab', 'r1-r2').className, LINK('lab', 'r1-r2').keys);
    expect(propValue(link.inst!, 'Limit')).to.equal('100000000');
  });

  it('a refused file names the element at fault, exits 1 and defines nothing', async () => {
    const file = path.join(app.dataDir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nrouters: [{ name: bad-r1, memory: 64 }]\nlinks: [{ name: l, ends: [bad-r1, nosuch] }]\n');
    const r = await apply(file);
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.match(/DefineNetwork: CIM_ERR_INVALID_PARAMETER: Links\[0\] 'l': end 'nosuch' is not a router of the network/);
    expect((await getInstance(admin, 'Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'bad-r1' })).error?.code).to.equal(6);
    const wrong = await apply(file, 'admin', 'nope');
    expect(wrong.exitCode).to.equal(1);
    expect(wrong.stderr).to.match(/HTTP 401 \(user or password refused\)/);
  });

  it('Associators walk the network both ways; EnumerateInstances lists it', async () => {
    const r = await intrinsic(admin, 'AssociatorNames', {
      ObjectName: instanceName('Xen_VirtualNetwork', NET('lab').keys),
      AssocClass: '<CLASSNAME NAME="Xen_VirtualNetworkComponent"/>',
    });
    expect(r.error).to.equal(undefined);
    const names = all(first(r.rsp, 'IRETURNVALUE'), 'OBJECTPATH').map((p) => {
      const inst = first(first(p, 'INSTANCEPATH'), 'INSTANCENAME');
      return `${String(inst['@CLASSNAME'])}:${all(inst, 'KEYBINDING').map((k) => text(first(k, 'KEYVALUE'))).join(',')}`;
    });
    expect(names).to.include('Xen_ComputerSystem:Xen_ComputerSystem,lab-r1').and.include('Xen_VirtualLink:lab/r1-r2');
    const back = await intrinsic(admin, 'AssociatorNames', {
      ObjectName: instanceName('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'lab-r2' }),
      AssocClass: '<CLASSNAME NAME="Xen_VirtualNetworkComponent"/>',
    });
    expect(all(first(back.rsp, 'IRETURNVALUE'), 'OBJECTPATH')).to.have.length(1);
    const ei = await intrinsic(admin, 'EnumerateInstances', { ClassName: '<CLASSNAME NAME="Xen_VirtualNetwork"/>' });
    expect(all(first(ei.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE')).to.have.length(1);
  });

  it('SetLinkBandwidth (uint64 parameters) changes the link live; a reader is refused', async () => {
    const params = `${refParam('AffectedLink', 'Xen_VirtualLink', LINK('lab', 'r1-r2').keys)}<PARAMVALUE NAME="Limit" PARAMTYPE="uint64"><VALUE>25000000</VALUE></PARAMVALUE>`;
    const denied = await call(reader, SERVICE, 'SetLinkBandwidth', params);
    expect(denied.error?.code, 'CIM_ERR_ACCESS_DENIED').to.equal(2);
    const r = await call(admin, SERVICE, 'SetLinkBandwidth', params);
    expect(r.error).to.equal(undefined);
    expect(r.returnValue).to.equal(0);
    const link = await getInstance(admin, LINK('lab', 'r1-r2').className, LINK('lab', 'r1-r2').keys);
    expect(propValue(link.inst!, 'Limit')).to.equal('25000000');
  });

  it('RequestStateChange on the network: 9 parks it paused and 2 launches it, each as a job', async () => {
    for (const [code, enabled] of [[9, '9'], [2, '2']] as const) {
      const r = await call(admin, NET('lab'), 'RequestStateChange', `<PARAMVALUE NAME="RequestedState" PARAMTYPE="uint16"><VALUE>${code}</VALUE></PARAMVALUE>`);
      expect(r.error).to.equal(undefined);
      expect(r.returnValue).to.equal(4096);
      const job = refKeys(r.out.Job)!;
      expect(job.className).to.equal('Xen_ConcreteJob');
      const done = await waitJob(admin, job);
      expect(done.state, propValue(done.inst, 'ErrorDescription')).to.equal('7');
      expect(propValue(done.inst, 'PercentComplete')).to.equal('100');
      const net = await getInstance(admin, NET('lab').className, NET('lab').keys);
      expect(propValue(net.inst!, 'EnabledState')).to.equal(enabled);
    }
  });
});
