/**
 * The topology file of `xen-wbem network apply`: what a YAML file becomes (DefineNetwork's
 * parameters), the mistakes refused with their place in the file, and the CIM-XML request it is
 * sent as, read back by the server's own decoder (a request the server would not parse fails here).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CimInstance, CimInstanceName } from '../../src/cim/index.js';
import { decodeRequest, parseEmbeddedObject } from '../../src/cimxml/index.js';
import { TOPOLOGY_MAX_BYTES, TopologyFileError, bitsPerSecond, readTopology, readTopologyFile } from '../../src/network-file.js';
import { applyTopology, defineNetworkRequest } from '../../src/network-apply.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { REPO_ROOT } from '../support/test-server.js';

const FILE = `
name: lab
routers:
  - vr-core1
  - existing: vr-edge1
    priority: 5
  - name: lab-r1
    priority: 10
    type: pv
    kernel: /boot/vmlinuz
    memory: 256
    vcpus: 1
    disks: [{ path: /img/lab-r1.img, vdev: xvda }]
switches: [lab-mgmt]
links:
  - name: core-r1
    ends: [vr-core1, lab-r1]
    limit: 100M
    reservation: 10M
  - name: edge-r1
    ends: [{ router: vr-edge1, mac: "00:16:3e:00:00:01" }, lab-r1]
    switch: lab-l2
`;

describe('network apply: the topology file', () => {
  it('becomes DefineNetwork parameters: existing routers by name, new ones as VSSD + RASDs, links with bit/s', () => {
    const c = readTopology(FILE);
    expect(c.networkName).to.equal('lab');
    expect(c.routers).to.deep.equal(['vr-core1', 'vr-edge1']);
    expect(c.routerPriorities, 'null: the system\'s own priority').to.deep.equal([null, 5]);
    expect(c.routerSettingsPriorities).to.deep.equal([10]);
    expect(c.routerSettings[0]!.properties.find((p) => p.name === 'VirtualSystemIdentifier')!.value).to.equal('lab-r1');
    expect(c.routerResourceSettings.map((r) => r.className)).to.deep.equal([
      'Xen_ProcResourceAllocationSettingData', 'Xen_MemResourceAllocationSettingData', 'Xen_DiskResourceAllocationSettingData',
    ]);
    for (const r of c.routerResourceSettings) expect(String(r.properties.find((p) => p.name === 'InstanceID')!.value)).to.match(/^lab-r1\//);
    expect(c.switches).to.deep.equal(['lab-mgmt']);
    const [a, b] = c.links;
    expect(a!.properties.find((p) => p.name === 'Limit')!.value).to.equal(100_000_000);
    expect(a!.properties.find((p) => p.name === 'Reservation')!.value).to.equal(10_000_000);
    expect(b!.properties.find((p) => p.name === 'EndpointAddresses')!.value).to.deep.equal(['00:16:3e:00:00:01', null]);
    expect(b!.properties.find((p) => p.name === 'SwitchName')!.value).to.equal('lab-l2');
  });

  it('reads bandwidths as bit/s with decimal prefixes', () => {
    expect(bitsPerSecond(1000, 'x')).to.equal(1000);
    expect(bitsPerSecond('512k', 'x')).to.equal(512_000);
    expect(bitsPerSecond('1.5G', 'x')).to.equal(1_500_000_000);
    expect(bitsPerSecond('10 Mbit/s', 'x')).to.equal(10_000_000);
    expect(() => bitsPerSecond('fast', 'links[0].limit')).to.throw(TopologyFileError, /^links\[0\]\.limit: "fast" is not a bandwidth/);
    // Named as written, not as JSON spells the number (.inf was "null"), and cut short.
    expect(() => readTopology('name: x\nrouters: [a, b]\nlinks: [{ name: l, ends: [a, b], limit: .inf }]\n'))
      .to.throw(TopologyFileError, /^links\[0\]\.limit: \.inf is not a bandwidth/);
    expect(() => readTopology(`name: x\nrouters: [a, b]\nlinks: [{ name: l, ends: [a, b], limit: "${'1'.repeat(10_000)}x" }]\n`))
      .to.throw(TopologyFileError, /^links\[0\]\.limit: "1{38}… is not a bandwidth/);
  });

  for (const [what, text, message] of [
    ['no routers', 'name: x\nlinks: []\n', /^routers: a network needs at least one router/],
    ['an unknown key', 'name: x\nrouters: [a]\ncolour: red\n', /^topology\.colour: unknown key/],
    ['a link with three ends', 'name: x\nrouters: [a, b]\nlinks: [{ name: l, ends: [a, b, a] }]\n', /^links\[0\]\.ends: a link has two ends, got 3/],
    ['a bad bandwidth', 'name: x\nrouters: [a, b]\nlinks: [{ name: l, ends: [a, b], limit: lots }]\n', /^links\[0\]\.limit: "lots" is not a bandwidth/],
    ['a bad router type', 'name: x\nrouters: [{ name: r, type: kvm }]\n', /^routers\[0\]\.type: "kvm" is not one of pv, pvh, hvm/],
    ['not YAML', 'name: [x\n', /^topology: not valid YAML/],
  ] as const) {
    it(`refuses ${what}, naming the place`, () => {
      expect(() => readTopology(text)).to.throw(TopologyFileError, message);
    });
  }

  it('refuses a file larger than 1 MiB before parsing it (6 MiB of routers took 10 s and 1 GB), and a device that never ends', async () => {
    const router = (i: number) => `  - name: r${i}\n    memory: 128\n    nics: [{switch: br${i}}]\n`;
    let text = 'name: big\nrouters:\n';
    for (let i = 0; text.length <= TOPOLOGY_MAX_BYTES; i++) text += router(i);
    expect(() => readTopology(text, 'big.yaml')).to.throw(TopologyFileError, /^big\.yaml: larger than 1024 KiB/);
    const dir = mkdtempSync(path.join(tmpdir(), 'topology-'));
    try {
      writeFileSync(path.join(dir, 'big.yaml'), text);
      await readTopologyFile(path.join(dir, 'big.yaml')).then(() => expect.fail('read'), (e: unknown) => expect(String(e)).to.match(/larger than 1024 KiB/));
      writeFileSync(path.join(dir, 'small.yaml'), 'name: x\nrouters: [a]\n');
      expect((await readTopologyFile(path.join(dir, 'small.yaml'))).routers).to.deep.equal(['a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await readTopologyFile('/dev/zero').then(() => expect.fail('read'), (e: unknown) => expect(String(e)).to.match(/\/dev\/zero: larger than 1024 KiB/));
  });

  it('a name YAML would read as a number is taken as written (007 stays 007: it is not router 7)', () => {
    const call = readTopology('name: 1.10\nrouters:\n  - existing: 007\n  - { name: 1e3, memory: 64 }\n  - 0x1f\n'
      + 'switches: [010]\nlinks: [{ name: 2.50, ends: [007, 1e3] }]\n');
    expect(call.networkName).to.equal('1.10');
    expect(call.routers).to.deep.equal(['007', '0x1f']);
    expect(call.routerSettings[0]!.properties.find((p) => p.name === 'VirtualSystemIdentifier')!.value).to.equal('1e3');
    expect(call.routerResourceSettings[0]!.properties.find((p) => p.name === 'VirtualQuantity')!.value).to.equal(64);
    expect(call.switches).to.deep.equal(['010']);
    const link = call.links[0]!.properties;
    expect(link.find((p) => p.name === 'Name')!.value).to.equal('2.50');
    expect(link.find((p) => p.name === 'EndpointSystems')!.value).to.deep.equal(['007', '1e3']);
  });

  it('refuses a number beyond what it can carry exactly (memory: 1e30 was sent as "1e+30")', () => {
    expect(() => readTopology('name: x\nrouters: [{ name: r, memory: 1e30 }]\n')).to.throw(TopologyFileError, /^routers\[0\]\.memory \(MiB\): must be a whole number/);
    expect(() => readTopology('name: x\nrouters: [a, b]\nlinks: [{ name: l, ends: [a, b], limit: 1e30 }]\n')).to.throw(TopologyFileError, /^links\[0\]\.limit: .* is too large/);
    expect(() => readTopology('name: x\nrouters: [{ name: 5 }]\nlinks: [{ name: l, ends: [5, { router: 5 }] }]\n')).to.not.throw();
    expect(() => readTopology('42\n')).to.throw(TopologyFileError, /^topology: must be a mapping/);
  });

  it('is sent as a DefineNetwork request the server decodes: references, sint32 arrays, embedded instances', () => {
    const c = readTopology(FILE);
    const xml = defineNetworkRequest(c, [
      { name: 'CreationClassName', value: 'Xen_VirtualNetworkManagementService' }, { name: 'Name', value: 'Network Management Service' },
      { name: 'SystemCreationClassName', value: 'Xen_HostSystem' }, { name: 'SystemName', value: 'h' },
    ], 'root/virt');
    const req = decodeRequest(xml);
    if (req.kind !== 'extrinsic') throw new Error(req.kind);
    expect(req.method).to.equal('DefineNetwork');
    expect((req.target as CimInstanceName).keyString('SystemName')).to.equal('h');
    const p = new Map(req.params.map((x) => [x.name, x.value]));
    expect(p.get('NetworkName')).to.equal('lab');
    expect((p.get('Routers') as CimInstanceName[]).map((r) => r.keyString('Name'))).to.deep.equal(['vr-core1', 'vr-edge1']);
    expect(p.get('Switches')).to.deep.equal(['lab-mgmt']);
    expect(p.get('RouterPriorities'), 'a NULL entry for a router without a priority').to.deep.equal([null, 5]);
    const links = (p.get('Links') as unknown[]).map((l) => (l instanceof CimInstance ? l : parseEmbeddedObject(String(l))));
    expect(links.map((l) => (l as CimInstance).className)).to.deep.equal(['Xen_VirtualLink', 'Xen_VirtualLink']);
    expect((links[0] as CimInstance).get('Name')).to.equal('core-r1');
  });

  it('a server that takes the request and never answers does not hold network apply forever', async () => {
    const silent = http.createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      let message = '';
      try { await applyTopology(readTopology(FILE), { url, namespace: 'root/virt', timeoutMs: 1000 }); } catch (e) { message = (e as Error).message; }
      expect(message).to.equal(`EnumerateInstanceNames: the server at ${url} did not answer within 1 s`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('an answer streamed without end does not hold network apply or its memory: cut at the bound, or at the deadline, does not hold network apply or its memory', async () => {
    const endless = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const timer = setInterval(() => res.write(' '.repeat(64 * 1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
      const failure = (o: Partial<Parameters<typeof applyTopology>[1]>) =>
        applyTopology(readTopology(FILE), { url, namespace: 'root/virt', ...o }).then(() => 'answered', (e: unknown) => (e as Error).message);
      expect(await failure({ maxBytes: 1024 * 1024 })).to.equal('EnumerateInstanceNames: the server\'s answer is larger than 1048576 bytes');
      expect(await failure({ timeoutMs: 1000, maxBytes: 2 ** 40 })).to.equal(`EnumerateInstanceNames: the server at ${url} did not answer within 1 s`);
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('the format shown in the README reads as documented', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const c = readTopology(yaml, 'README.md');
    expect(c.routers).to.deep.equal(['vr-backup', 'vr-edge2']);
    expect(c.routerPriorities).to.deep.equal([null, 5]);
    expect(c.routerResourceSettings.map((r) => r.className)).to.include('Xen_NetResourceAllocationSettingData');
    expect(c.links[0]!.properties.find((p) => p.name === 'EndpointAddresses')!.value).to.deep.equal([null, '00:16:3e:12:34:56']);
  });

  it('the example file of the README is valid', () => {
    const c = readTopology(readFileSync(path.join(REPO_ROOT, 'examples', 'network.yaml'), 'utf8'), 'examples/network.yaml');
    expect(c.networkName).to.be.a('string');
    expect(c.links.length).to.be.greaterThan(0);
  });
});
